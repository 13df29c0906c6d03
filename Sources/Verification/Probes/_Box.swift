import LossLanguage

/// An axis-aligned box (x1, y1, x2, y2) in pixels, for the regression probes.
struct Box: Sendable, Hashable {
    var x1, y1, x2, y2: Double

    init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }

    init(centerX: Double, centerY: Double, width: Double, height: Double) {
        self.init(x1: centerX - width / 2, y1: centerY - height / 2, x2: centerX + width / 2, y2: centerY + height / 2)
    }

    var width: Double { x2 - x1 }
    var height: Double { y2 - y1 }
    var area: Double { width * height }
    var centerX: Double { (x1 + x2) / 2 }
    var centerY: Double { (y1 + y2) / 2 }
}

/// A predicted box and its GT, with the regression branch's inputs as the authors compute them:
/// intersection i, union u + 1e-7 and enclosing-box area e + 1e-7 (METHOD.md).
struct BoxPair: Sendable {
    static let areaEpsilon = 1e-7

    var predicted: Box
    var truth: Box

    var overlapWidth: Double { max(0, min(predicted.x2, truth.x2) - max(predicted.x1, truth.x1)) }
    var overlapHeight: Double { max(0, min(predicted.y2, truth.y2) - max(predicted.y1, truth.y1)) }
    var enclosingWidth: Double { max(predicted.x2, truth.x2) - min(predicted.x1, truth.x1) }
    var enclosingHeight: Double { max(predicted.y2, truth.y2) - min(predicted.y1, truth.y1) }

    var intersection: Double { overlapWidth * overlapHeight }
    var union: Double { predicted.area + truth.area - intersection + Self.areaEpsilon }
    var enclosing: Double { enclosingWidth * enclosingHeight + Self.areaEpsilon }
    var iou: Double { intersection / union }

    /// The derivatives of (i, u, e) with respect to the predicted box's (x1, y1, x2, y2), one-sided
    /// where a max or min switches (ties go to the predicted box), zero overlap giving zero
    /// derivatives of i: what turns dL/di, dL/du, dL/de into the gradient a detector's box sees.
    var inputDerivatives: (i: [Double], u: [Double], e: [Double]) {
        let p = predicted, t = truth
        let ow = overlapWidth, oh = overlapHeight
        var di = [0.0, 0, 0, 0]
        if ow > 0 && oh > 0 {
            di[0] = p.x1 >= t.x1 ? -oh : 0
            di[2] = p.x2 <= t.x2 ? oh : 0
            di[1] = p.y1 >= t.y1 ? -ow : 0
            di[3] = p.y2 <= t.y2 ? ow : 0
        }
        let da = [-p.height, -p.width, p.height, p.width]
        let du = (0..<4).map { da[$0] - di[$0] }
        let ew = enclosingWidth, eh = enclosingHeight
        let de = [p.x1 <= t.x1 ? -eh : 0, p.y1 <= t.y1 ? -ew : 0, p.x2 >= t.x2 ? eh : 0, p.y2 >= t.y2 ? ew : 0]
        return (di, du, de)
    }

    /// A short description for reasons: "128 px GT, IoU 0.42".
    func describe(scale: Double) -> String {
        "\(Format.number(scale)) px boxes at IoU \(Format.number(iou))"
    }
}

/// Builds the inputs of a regression batch from box pairs.
func regressionInputs(_ pairs: [BoxPair]) -> [Input: [Double]] {
    [.i: pairs.map(\.intersection), .u: pairs.map(\.union), .e: pairs.map(\.enclosing)]
}
