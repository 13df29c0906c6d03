import Foundation

/// DIoU and CIoU (Zheng et al., AAAI 2020): the regression baselines the paper's tables compare
/// against, which (i, u, e) cannot express (they need the boxes' centres and aspect ratios).
/// Defined as torchvision's `distance_box_iou_loss` and `complete_box_iou_loss` define them, eps
/// 1e-7 included, so that the built-in detector and a torchvision detector train the same loss:
///
///     DIoU = 1 - i / (u + eps) + d² / (c² + eps)      d: centre distance, c: enclosing diagonal
///     CIoU = DIoU + α v,  v = 4/π² (atan(w_gt / h_gt) - atan(w / h))²,  α = v / (1 - IoU + v + eps)
///
/// with α a constant in the gradient (computed under no_grad there). The gradient with respect
/// to the predicted box's corners is exact (forward-mode dual numbers through the same formula).
public enum BoxDistanceLoss: String, Sendable, CaseIterable {
    /// DIoU, or CIoU (DIoU plus the aspect-ratio term).
    case diou, ciou

    static let eps = 1e-7

    /// The loss of one predicted box against its ground truth (corners x1, y1, x2, y2) and its
    /// derivatives with respect to the predicted corners.
    public func valueAndGradient(predicted p: (Double, Double, Double, Double), truth g: (Double, Double, Double, Double))
        -> (value: Double, gradient: SIMD4<Double>) {
        let x1 = Dual(p.0, 0), y1 = Dual(p.1, 1), x2 = Dual(p.2, 2), y2 = Dual(p.3, 3)
        let (gx1, gy1, gx2, gy2) = (Dual(g.0), Dual(g.1), Dual(g.2), Dual(g.3))
        let overlapW = (min(x2, gx2) - max(x1, gx1)).clampedAtZero, overlapH = (min(y2, gy2) - max(y1, gy1)).clampedAtZero
        let intersection = overlapW * overlapH
        let union = (x2 - x1) * (y2 - y1) + (gx2 - gx1) * (gy2 - gy1) - intersection
        let iou = intersection / (union + Dual(Self.eps))
        let cw = max(x2, gx2) - min(x1, gx1), ch = max(y2, gy2) - min(y1, gy1)
        let diagonal = cw * cw + ch * ch + Dual(Self.eps)
        let dx = (x1 + x2 - gx1 - gx2) * Dual(0.5), dy = (y1 + y2 - gy1 - gy2) * Dual(0.5)
        var loss = Dual(1) - iou + (dx * dx + dy * dy) / diagonal
        if self == .ciou {
            let angle = Dual(atan((g.2 - g.0) / (g.3 - g.1))) - ((x2 - x1) / (y2 - y1)).atan
            let v = Dual(4 / (Double.pi * Double.pi)) * angle * angle
            let alpha = v.value / (1 - iou.value + v.value + Self.eps)
            loss = loss + Dual(alpha) * v
        }
        return (loss.value, loss.derivative)
    }
}

/// A number and its derivatives with respect to the four predicted corners.
private struct Dual {
    var value: Double
    var derivative: SIMD4<Double>

    init(_ value: Double, _ derivative: SIMD4<Double> = .zero) {
        self.value = value
        self.derivative = derivative
    }

    /// The corner `index` itself.
    init(_ value: Double, _ index: Int) {
        var d = SIMD4<Double>.zero
        d[index] = 1
        self.init(value, d)
    }

    static func + (a: Dual, b: Dual) -> Dual { Dual(a.value + b.value, a.derivative + b.derivative) }
    static func - (a: Dual, b: Dual) -> Dual { Dual(a.value - b.value, a.derivative - b.derivative) }
    static func * (a: Dual, b: Dual) -> Dual { Dual(a.value * b.value, a.derivative * b.value + b.derivative * a.value) }
    static func / (a: Dual, b: Dual) -> Dual {
        Dual(a.value / b.value, (a.derivative * b.value - b.derivative * a.value) / (b.value * b.value))
    }

    /// max(0, self), with torch's clamp gradient: none at or below 0.
    var clampedAtZero: Dual { value > 0 ? self : Dual(0) }
    var atan: Dual { Dual(Foundation.atan(value), derivative / (1 + value * value)) }
}

/// The larger / smaller of two, the gradient going to the one chosen (the first on a tie: ties
/// of float corners are measure zero in training).
private func max(_ a: Dual, _ b: Dual) -> Dual { a.value >= b.value ? a : b }
private func min(_ a: Dual, _ b: Dual) -> Dual { a.value <= b.value ? a : b }
