/// The regression branch's inputs for one predicted box and its ground truth, and how they move
/// with the prediction: FCOS predicts distances (l, t, r, b) from a location (px, py) to the four
/// sides, so the box is [px - l, py - t, px + r, py + b].
///
/// i = intersection area, u = union area + 1e-7, e = enclosing-box area + 1e-7 (METHOD.md: "u and
/// e get +1e-7"), in input pixels. `backward` turns dL/di, dL/du, dL/de into dL/d(l, t, r, b);
/// at the kinks (edges exactly aligned) it takes the subgradient the authors' PyTorch code gives
/// through min/max.
public struct BoxPair: Equatable, Sendable {
    /// The predicted box, x0 y0 x1 y1.
    public var predicted: (Float, Float, Float, Float)
    /// The ground-truth box, x0 y0 x1 y1.
    public var target: (Float, Float, Float, Float)

    public static func == (a: BoxPair, b: BoxPair) -> Bool {
        a.predicted == b.predicted && a.target == b.target
    }

    public init(location: (x: Float, y: Float), distances d: (l: Float, t: Float, r: Float, b: Float),
                target: (Float, Float, Float, Float)) {
        predicted = (location.x - d.l, location.y - d.t, location.x + d.r, location.y + d.b)
        self.target = target
    }

    public static let areaEpsilon: Float = 1e-7

    /// (i, u, e).
    public var inputs: (i: Float, u: Float, e: Float) {
        let (p0, q0, p1, q1) = predicted, (g0, h0, g1, h1) = target
        let iw = max(0, min(p1, g1) - max(p0, g0))
        let ih = max(0, min(q1, h1) - max(q0, h0))
        let i = iw * ih
        let pa = (p1 - p0) * (q1 - q0), ga = (g1 - g0) * (h1 - h0)
        let ew = max(p1, g1) - min(p0, g0), eh = max(q1, h1) - min(q0, h0)
        return (i, pa + ga - i + Self.areaEpsilon, ew * eh + Self.areaEpsilon)
    }

    /// IoU, the classification branch's w (detached by the caller).
    public var iou: Float {
        let v = inputs
        return v.i / v.u
    }

    /// dL/d(l, t, r, b) from dL/d(i, u, e).
    public func backward(di: Float, du: Float, de: Float) -> (l: Float, t: Float, r: Float, b: Float) {
        let (p0, q0, p1, q1) = predicted, (g0, h0, g1, h1) = target
        let iw = min(p1, g1) - max(p0, g0), ih = min(q1, h1) - max(q0, h0)
        let overlap = iw > 0 && ih > 0
        // i = iw * ih; u = pa + ga - i; so dL/di total = di - du, and pa's own share through du.
        let dI = overlap ? di - du : 0
        // d iw / d(p0, p1): -[p0 > g0], [p1 < g1]; likewise ih.
        let dIwdP0: Float = p0 > g0 ? -1 : 0, dIwdP1: Float = p1 < g1 ? 1 : 0
        let dIhdQ0: Float = q0 > h0 ? -1 : 0, dIhdQ1: Float = q1 < h1 ? 1 : 0
        var dP0 = dI * ih * dIwdP0, dP1 = dI * ih * dIwdP1
        var dQ0 = dI * iw * dIhdQ0, dQ1 = dI * iw * dIhdQ1
        // pa = (p1 - p0)(q1 - q0).
        let pw = p1 - p0, ph = q1 - q0
        dP0 -= du * ph; dP1 += du * ph
        dQ0 -= du * pw; dQ1 += du * pw
        // e = ew * eh with ew = max(p1, g1) - min(p0, g0).
        let ew = max(p1, g1) - min(p0, g0), eh = max(q1, h1) - min(q0, h0)
        dP0 += de * eh * (p0 < g0 ? -1 : 0); dP1 += de * eh * (p1 > g1 ? 1 : 0)
        dQ0 += de * ew * (q0 < h0 ? -1 : 0); dQ1 += de * ew * (q1 > h1 ? 1 : 0)
        // p0 = px - l, q0 = py - t, p1 = px + r, q1 = py + b.
        return (-dP0, -dQ0, dP1, dQ1)
    }
}
