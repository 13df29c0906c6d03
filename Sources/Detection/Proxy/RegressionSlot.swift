import Foundation
import LossLanguage

/// The detector's regression loss over the positive locations: a formula of the `reg` branch on
/// (i, u, e) of decoded boxes in input pixels, or a built-in baseline that (i, u, e) cannot
/// express: L1 / smooth-L1 on the distances divided by the level's stride, DIoU / CIoU on the
/// decoded boxes (`BoxDistanceLoss`).
/// The sum is divided by `normalizer` (the number of positives, at least 1).
public final class RegressionSlot: @unchecked Sendable {
    /// Which loss the slot computes.
    public enum Kind: Hashable, Sendable {
        /// A formula of the `reg` branch on (i, u, e).
        case formula(Expr)
        /// L1 on the distances divided by the level's stride.
        case l1
        /// Smooth L1 with its `beta`, on the same.
        case smoothL1(beta: Float)
        /// DIoU or CIoU on the decoded boxes.
        case boxDistance(BoxDistanceLoss)
    }

    /// The loss the slot computes.
    public let kind: Kind
    let loss: CompiledLoss<Float>?

    /// The slot for `kind`; a formula is compiled here.
    public init(_ kind: Kind) throws {
        self.kind = kind
        if case .formula(let e) = kind {
            loss = try CompiledLoss<Float>(e, branch: .reg, gradientsFor: [.i, .u, .e])
        } else {
            loss = nil
        }
    }

    /// One positive: where it is, its stride, its predicted distances and its ground truth.
    public struct Positive: Sendable {
        /// The location's centre in input pixels.
        public var location: (x: Float, y: Float)
        /// Its level's stride.
        public var stride: Float
        /// The predicted distances to the box's sides, in pixels.
        public var distances: (l: Float, t: Float, r: Float, b: Float)
        /// The ground-truth box, x0, y0, x1, y1 in input pixels.
        public var target: (Float, Float, Float, Float)

        /// A positive.
        public init(location: (x: Float, y: Float), stride: Float, distances: (l: Float, t: Float, r: Float, b: Float),
                    target: (Float, Float, Float, Float)) {
            self.location = location
            self.stride = stride
            self.distances = distances
            self.target = target
        }

        var pair: BoxPair<Float> { BoxPair(location: location, distances: distances, target: target) }
    }

    /// The loss and dLoss/d(l, t, r, b) per positive (4 numbers each, in `gradient`), or nil when
    /// not finite.
    public func evaluate(_ positives: [Positive], normalizer: Float, gradient: inout [Float]) -> Float? {
        let n = positives.count
        gradient = [Float](repeating: 0, count: 4 * n)
        if n == 0 { return 0 }
        let scale = 1 / normalizer
        switch kind {
        case .formula:
            var i = [Float](), u = [Float](), e = [Float]()
            i.reserveCapacity(n); u.reserveCapacity(n); e.reserveCapacity(n)
            for p in positives {
                let v = p.pair.inputs
                i.append(v.i); u.append(v.u); e.append(v.e)
            }
            guard let r = try? loss!.evaluate(LossBatch(rows: n, inputs: [.i: i, .u: u, .e: e])), r.isFinite else { return nil }
            for (k, p) in positives.enumerated() {
                let g = p.pair.distanceGradient(di: r.gradients[.i]![k], du: r.gradients[.u]![k], de: r.gradients[.e]![k])
                gradient[4 * k] = g.l * scale
                gradient[4 * k + 1] = g.t * scale
                gradient[4 * k + 2] = g.r * scale
                gradient[4 * k + 3] = g.b * scale
            }
            let total = r.values.reduce(0, +) * scale
            return total.isFinite ? total : nil
        case .boxDistance(let loss):
            var total = 0.0
            for (k, p) in positives.enumerated() {
                let box = p.pair.predicted, t = p.target
                let r = loss.valueAndGradient(predicted: (Double(box.x1), Double(box.y1), Double(box.x2), Double(box.y2)),
                                              truth: (Double(t.0), Double(t.1), Double(t.2), Double(t.3)))
                total += r.value
                // Corners (x - l, y - t, x + r, y + b): d/dl = -d/dx1, d/dt = -d/dy1.
                let g = SIMD4<Double>(-r.gradient[0], -r.gradient[1], r.gradient[2], r.gradient[3]) * Double(scale)
                for side in 0..<4 { gradient[4 * k + side] = Float(g[side]) }
            }
            let value = Float(total) * scale
            return value.isFinite ? value : nil
        case .l1, .smoothL1:
            var total: Float = 0
            for (k, p) in positives.enumerated() {
                let (x0, y0, x1, y1) = p.target
                let targets = [p.location.x - x0, p.location.y - y0, x1 - p.location.x, y1 - p.location.y]
                let predicted = [p.distances.l, p.distances.t, p.distances.r, p.distances.b]
                for side in 0..<4 {
                    let diff = (predicted[side] - targets[side]) / p.stride
                    let (value, slope) = elementLoss(diff)
                    total += value
                    gradient[4 * k + side] = slope / p.stride * scale
                }
            }
            total *= scale
            return total.isFinite ? total : nil
        }
    }

    /// L1 or smooth L1 of one offset difference, and its derivative.
    func elementLoss(_ d: Float) -> (Float, Float) {
        switch kind {
        case .smoothL1(let beta) where Swift.abs(d) < beta: return (0.5 * d * d / beta, d / beta)
        case .boxDistance: preconditionFailure("DIoU / CIoU are losses of boxes, not of offsets")
        case .smoothL1(let beta): return (Swift.abs(d) - 0.5 * beta, d > 0 ? 1 : -1)
        default: return (Swift.abs(d), d > 0 ? 1 : (d < 0 ? -1 : 0))
        }
    }
}

extension RegressionSlot.Kind {
    /// The smooth-L1 threshold of the built-in baseline, in stride units: detectron's RetinaNet
    /// value (about a pixel at stride 8).
    public static let smoothL1Beta: Float = 1.0 / 9.0

    /// `l1`, `smooth-l1`, `diou`, `ciou`, or a formula / known loss of the `reg` branch; anything
    /// else throws `TrainingError.badLoss` with the parser's message.
    public static func resolve(_ text: String) throws -> RegressionSlot.Kind {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "l1": return .l1
        case "smooth-l1", "smoothl1", "smooth_l1": return .smoothL1(beta: smoothL1Beta)
        case "diou": return .boxDistance(.diou)
        case "ciou": return .boxDistance(.ciou)
        default:
            do { return .formula(try Expr.resolve(text, branch: .reg)) } catch {
                throw TrainingError.badLoss(slot: "regression", formula: text, reason: "\(error) (or l1, smooth-l1, diou, ciou)")
            }
        }
    }

    /// A loss the detector has built in (no formula of i, u, e).
    public var isBuiltin: Bool {
        if case .formula = self { return false }
        return true
    }

    /// The name the command line takes: `l1`, `smooth-l1`, or the formula.
    public var name: String {
        switch self {
        case .l1: return "l1"
        case .smoothL1: return "smooth-l1"
        case .boxDistance(let loss): return loss.rawValue
        case .formula(let e): return e.description
        }
    }
}
