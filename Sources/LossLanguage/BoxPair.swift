/// The regression branch's inputs for one predicted box and its ground truth, and how they move
/// with the predicted box: defined once, for the detector (Float) and for the verification
/// probes (Double).
///
///     let pair = BoxPair<Double>(predicted: .init(x1: 5, y1: 5, x2: 15, y2: 15),
///                                truth: .init(x1: 0, y1: 0, x2: 10, y2: 10))
///     pair.inputs   // (i: 25, u: 175 + 1e-7, e: 225 + 1e-7)
///
/// i = intersection area, u = union area + 1e-7, e = enclosing-box area + 1e-7 (METHOD.md: "u and
/// e get +1e-7"), in pixels. Derivatives are taken with respect to the predicted box's corners
/// (x1, y1, x2, y2). Where a min or max switches (edges exactly aligned) they take the
/// subgradient the authors' PyTorch code gives through min/max and that the detector trains
/// with: an aligned edge moves neither the intersection nor the enclosing box; boxes that do not
/// overlap give i no derivative.
public struct BoxPair<T: BinaryFloatingPoint & Sendable>: Hashable, Sendable {
    /// An axis-aligned box, corners (x1, y1) top left and (x2, y2) bottom right, in pixels.
    public struct Box: Hashable, Sendable {
        /// The corners, in pixels.
        public var x1, y1, x2, y2: T

        /// A box from its corners.
        @inlinable
        public init(x1: T, y1: T, x2: T, y2: T) {
            self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
        }

        /// A box from its centre and size.
        @inlinable
        public init(centerX: T, centerY: T, width: T, height: T) {
            self.init(x1: centerX - width / 2, y1: centerY - height / 2, x2: centerX + width / 2, y2: centerY + height / 2)
        }

        /// x2 - x1.
        @inlinable public var width: T { x2 - x1 }
        /// y2 - y1.
        @inlinable public var height: T { y2 - y1 }
        /// width x height.
        @inlinable public var area: T { width * height }
        /// The centre's x.
        @inlinable public var centerX: T { (x1 + x2) / 2 }
        /// The centre's y.
        @inlinable public var centerY: T { (y1 + y2) / 2 }
    }

    /// The predicted box: the derivatives are taken with respect to its corners.
    public var predicted: Box
    /// The ground-truth box.
    public var truth: Box

    /// A predicted box and its ground truth.
    @inlinable
    public init(predicted: Box, truth: Box) {
        self.predicted = predicted
        self.truth = truth
    }

    /// Added to u and e, as the authors do.
    @inlinable public static var areaEpsilon: T { 1e-7 }

    /// The width of the overlap, 0 where the boxes do not overlap.
    @inlinable public var overlapWidth: T { max(0, min(predicted.x2, truth.x2) - max(predicted.x1, truth.x1)) }
    /// The height of the overlap, 0 where the boxes do not overlap.
    @inlinable public var overlapHeight: T { max(0, min(predicted.y2, truth.y2) - max(predicted.y1, truth.y1)) }
    /// The width of the smallest box enclosing both.
    @inlinable public var enclosingWidth: T { max(predicted.x2, truth.x2) - min(predicted.x1, truth.x1) }
    /// The height of the smallest box enclosing both.
    @inlinable public var enclosingHeight: T { max(predicted.y2, truth.y2) - min(predicted.y1, truth.y1) }

    /// i.
    @inlinable public var intersection: T { overlapWidth * overlapHeight }
    /// u, with its 1e-7.
    @inlinable public var union: T { predicted.area + truth.area - intersection + Self.areaEpsilon }
    /// e, with its 1e-7.
    @inlinable public var enclosing: T { enclosingWidth * enclosingHeight + Self.areaEpsilon }
    /// (i, u, e).
    @inlinable public var inputs: (i: T, u: T, e: T) { (intersection, union, enclosing) }
    /// IoU = i / u (the classification branch's w, detached by the detector).
    @inlinable public var iou: T { intersection / union }

    /// The one tie rule: which predicted edges move i (inside the truth's, strictly) and e
    /// (outside the truth's, strictly), as signs in corner order (x1, y1, x2, y2).
    @inlinable
    var intersectionSigns: (T, T, T, T) {
        let p = predicted, t = truth
        return (p.x1 > t.x1 ? -1 : 0, p.y1 > t.y1 ? -1 : 0, p.x2 < t.x2 ? 1 : 0, p.y2 < t.y2 ? 1 : 0)
    }

    @inlinable
    var enclosingSigns: (T, T, T, T) {
        let p = predicted, t = truth
        return (p.x1 < t.x1 ? -1 : 0, p.y1 < t.y1 ? -1 : 0, p.x2 > t.x2 ? 1 : 0, p.y2 > t.y2 ? 1 : 0)
    }

    @inlinable
    var overlaps: Bool { overlapWidth > 0 && overlapHeight > 0 }

    /// The derivatives of i, u and e with respect to (x1, y1, x2, y2) of the predicted box.
    @inlinable
    public var inputDerivatives: (i: [T], u: [T], e: [T]) {
        let p = predicted, ow = overlapWidth, oh = overlapHeight
        let si = intersectionSigns, se = enclosingSigns
        let di: [T] = overlaps ? [si.0 * oh, si.1 * ow, si.2 * oh, si.3 * ow] : [0, 0, 0, 0]
        let da: [T] = [-p.height, -p.width, p.height, p.width]
        let ew = enclosingWidth, eh = enclosingHeight
        return (di, (0..<4).map { da[$0] - di[$0] }, [se.0 * eh, se.1 * ew, se.2 * eh, se.3 * ew])
    }

    /// dL/d(x1, y1, x2, y2) of the predicted box from dL/di, dL/du, dL/de.
    @inlinable
    public func backward(di: T, du: T, de: T) -> (x1: T, y1: T, x2: T, y2: T) {
        let p = predicted, t = truth
        let iw = min(p.x2, t.x2) - max(p.x1, t.x1), ih = min(p.y2, t.y2) - max(p.y1, t.y1)
        // i = iw * ih; u = pa + ga - i; so dL/di total = di - du, and pa's own share through du.
        let dI = iw > 0 && ih > 0 ? di - du : 0
        let si = intersectionSigns, se = enclosingSigns
        var dx1 = dI * ih * si.0, dx2 = dI * ih * si.2
        var dy1 = dI * iw * si.1, dy2 = dI * iw * si.3
        // pa = (x2 - x1)(y2 - y1).
        let pw = p.x2 - p.x1, ph = p.y2 - p.y1
        dx1 -= du * ph; dx2 += du * ph
        dy1 -= du * pw; dy2 += du * pw
        // e = ew * eh with ew = max(x2) - min(x1).
        let ew = enclosingWidth, eh = enclosingHeight
        dx1 += de * eh * se.0; dx2 += de * eh * se.2
        dy1 += de * ew * se.1; dy2 += de * ew * se.3
        return (dx1, dy1, dx2, dy2)
    }
}
