import Foundation
import LossLanguage

/// Sigmoid CPV, quality ranking: for a positive element (y = 1) with IoU w, the minimiser
/// x*(w) of the loss over the sweep [-sweepLimit, sweepLimit] does not decrease as w grows
/// through `sigmoidIoUs` (0.1, 0.3, ..., 1), allowing one grid step. x*(w) is the leftmost sweep
/// point whose loss is within `tolerance` (relative) of the minimum; a minimiser at the right end stands
/// for x* = +inf. A finite optimum is allowed (the published B loss has sigmoid(x*) about
/// 0.39, 0.61, 0.77, 0.90 at w = 0.1, 0.3, 0.5, 0.7); a better box must not want a lower score.
public struct SigmoidQualityRankingCheck: PropertyCheck {
    public let name = "sigmoid-quality-ranking"
    public var branches: Set<Branch> { [.sigmoid] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let result = loss.evaluation(.convergence), let probe = loss.probes.sigmoid else { return notEvaluable(loss) }
        let p = probe.points, n = p.count
        let step = p[1] - p[0]
        var minimisers: [Double] = []
        for (w, first) in probe.positives {
            let v = Array(result.values[first..<first + n])
            if let k = v.firstIndex(where: { !$0.isFinite }) {
                return fail("for positives (y = 1) with w = \(Format.number(w)) the loss is \(Format.number(v[k])) at x = \(Format.number(p[k]))")
            }
            // Relative slack, floored at a millionth of the sweep's range: tiny tails (focal
            // losses reach 1e-13) still order, rounding noise on a plateau does not.
            let low = v.min()!, range = v.max()! - low
            let k = v.firstIndex { $0 - low <= options.tolerance * max(Swift.abs($0), Swift.abs(low), 1e-6 * range) }!
            minimisers.append(p[k])
        }
        for k in 1..<minimisers.count where minimisers[k] < minimisers[k - 1] - step * 1.000001 {
            let (w0, w1) = (probe.positives[k - 1].w, probe.positives[k].w)
            return fail("the optimum of positives (y = 1) falls as the IoU grows: x*(w) = \(Self.describe(minimisers[k - 1], p)) at w = \(Format.number(w0)) but \(Self.describe(minimisers[k], p)) at w = \(Format.number(w1)); a better box must not want a lower score")
        }
        let listed = zip(probe.positives, minimisers).map { "\(Format.number($0.w)): \(Self.describe($1, p))" }.joined(separator: ", ")
        return pass("the optimum of positives does not fall as the IoU grows (x*(w) at w = \(listed))")
    }

    /// "0.45 (sigmoid 0.61)", or "+inf" / "-inf" at the sweep's ends.
    static func describe(_ x: Double, _ points: [Double]) -> String {
        if x == points.last! { return "+inf (still falling at \(Format.number(x)))" }
        if x == points.first! { return "-inf (still falling at \(Format.number(x)))" }
        return "\(Format.number(x)) (sigmoid \(Format.number(1 / (1 + exp(-x)))))"
    }
}
