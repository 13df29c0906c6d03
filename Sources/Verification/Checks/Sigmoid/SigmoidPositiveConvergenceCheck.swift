import LossLanguage

/// Sigmoid CPV, convergence of perfect positives: for a positive element (y = 1) with IoU
/// w = 1 (the last of `sigmoidIoUs`), the loss keeps falling as the logit x grows: it does not
/// rise at no less than `monotoneFraction` (99 %) of the steps of the sweep over
/// [-sweepLimit, sweepLimit], and it ends lower than it starts by at least `minimumDrop`.
public struct SigmoidPositiveConvergenceCheck: PropertyCheck {
    public let name = "sigmoid-positive-convergence"
    public var branches: Set<Branch> { [.sigmoid] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let probe = loss.probes.sigmoid else { return notEvaluable(loss) }
        let (w, first) = probe.perfect
        let p = probe.points, n = p.count
        // Negatives, then this sweep, lead the probe: evaluate them alone.
        guard let result = loss.evaluation(.convergence, rows: first + n) else { return notEvaluable(loss) }
        let v = Array(result.values[first..<first + n])
        let at = "for positives (y = 1) with w = \(Format.number(w))"
        if let k = v.firstIndex(where: { !$0.isFinite }) {
            return fail("\(at) the loss is \(Format.number(v[k])) at x = \(Format.number(p[k]))")
        }
        var count = StepCount(expected: n - 1, required: options.monotoneFraction)
        for k in 0..<(n - 1) {
            count.record(ok: v[k + 1] <= v[k] + options.slack(v[k], v[k + 1]), sweep: 0, index: k)
        }
        if count.failed, let (_, k) = count.first {
            return fail("\(at) the loss rises as x rises between x = \(Format.number(p[k])) and \(Format.number(p[k + 1])) (from \(Format.number(v[k])) to \(Format.number(v[k + 1]))), \(count.share(of: "steps"))")
        }
        if !(v[0] - v[n - 1] >= options.minimumDrop) {
            return fail("\(at) the loss at x = \(Format.number(p[n - 1])) (\(Format.number(v[n - 1]))) is not clearly lower than at x = \(Format.number(p[0])) (\(Format.number(v[0]))); a drop of at least \(Format.number(options.minimumDrop)) is needed")
        }
        return pass("\(at) the loss keeps falling as x grows, from \(Format.number(v[0])) to \(Format.number(v[n - 1]))")
    }
}
