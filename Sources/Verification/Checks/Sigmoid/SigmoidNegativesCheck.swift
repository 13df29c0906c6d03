import LossLanguage

/// Sigmoid CPV, negatives: for a negative element (y = 0, w = 0), as the logit x sweeps over
/// [-sweepLimit, sweepLimit] (`sigmoidSweepPoints` points) the loss does not fall, at no less
/// than `monotoneFraction` (99 %) of the steps; it is minimal at the left end (x -> -inf, within
/// `tolerance`); and it ends clearly higher than it starts, by at least `minimumDrop`.
public struct SigmoidNegativesCheck: PropertyCheck {
    public let name = "sigmoid-negatives"
    public var branches: Set<Branch> { [.sigmoid] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let probe = loss.probes.sigmoid else { return notEvaluable(loss) }
        let p = probe.points, n = p.count
        // The negatives' sweep comes first in the probe: evaluate it alone.
        guard let result = loss.evaluation(.convergence, rows: probe.negativeRow + n) else { return notEvaluable(loss) }
        let v = Array(result.values[probe.negativeRow..<probe.negativeRow + n])
        if let k = v.firstIndex(where: { !$0.isFinite }) {
            return fail("for negatives (y = 0) the loss is \(Format.number(v[k])) at x = \(Format.number(p[k]))")
        }
        var count = StepCount(expected: n - 1, required: options.monotoneFraction)
        for k in 0..<(n - 1) {
            count.record(ok: v[k + 1] >= v[k] - options.slack(v[k], v[k + 1]), sweep: 0, index: k)
        }
        if count.failed, let (_, k) = count.first {
            return fail("for negatives (y = 0) the loss falls as x rises between x = \(Format.number(p[k])) and \(Format.number(p[k + 1])) (from \(Format.number(v[k])) to \(Format.number(v[k + 1]))), \(count.share(of: "steps"))")
        }
        let lowest = v.indices.min { v[$0] < v[$1] }!
        if v[0] > v[lowest] + options.slack(v[0], v[lowest]) {
            return fail("for negatives (y = 0) the loss is lowest at x = \(Format.number(p[lowest])) (\(Format.number(v[lowest]))), not as x -> -inf (\(Format.number(v[0])) at x = \(Format.number(p[0])))")
        }
        if !(v[n - 1] - v[0] >= options.minimumDrop) {
            return fail("for negatives (y = 0) the loss at x = \(Format.number(p[n - 1])) (\(Format.number(v[n - 1]))) is not clearly above the loss at x = \(Format.number(p[0])) (\(Format.number(v[0]))); a rise of at least \(Format.number(options.minimumDrop)) is needed")
        }
        return pass("for negatives the loss rises with x from \(Format.number(v[0])) to \(Format.number(v[n - 1])) and is lowest as x -> -inf")
    }
}
