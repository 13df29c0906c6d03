import LossLanguage

/// Softmax CPV, monotonicity: as the GT logit x_t sweeps over [-sweepLimit, sweepLimit]
/// (default [-10, 10], `softmaxSweepPoints` points) with the other logits held at random
/// values, the loss does not rise, at no less than `monotoneFraction` (99 %) of the adjacent
/// steps of all sweeps together. Sweeps run for every IoU of `softmaxIoUs` (0.1, 0.5, 0.9, 1) and
/// for background rows. A step rises when the loss grows by more than `tolerance` (relative).
public struct SoftmaxMonotoneCheck: PropertyCheck {
    public let name = "softmax-monotone"
    public var branches: Set<Branch> { [.softmax] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let probe = loss.probes.softmax else { return notEvaluable(loss) }
        let p = probe.points, n = p.count
        var count = StepCount(expected: probe.sweeps.count * (n - 1), required: options.monotoneFraction)
        for stage in probe.stages {
            guard let result = loss.evaluation(.convergence, rows: stage.rows) else { return notEvaluable(loss) }
            count = StepCount(expected: count.expected, required: count.required)
            let v = result.values
            for (s, sweep) in probe.sweeps[..<stage.sweeps].enumerated() {
                let first = sweep.firstRow
                if let k = (first..<first + n).first(where: { !v[$0].isFinite }) {
                    return fail("the loss is \(Format.number(v[k])) at x_t = \(Format.number(p[k - first])) for \(sweep.label)")
                }
                for k in 0..<(n - 1) {
                    count.record(ok: v[first + k + 1] <= v[first + k] + options.slack(v[first + k], v[first + k + 1]), sweep: s, index: k)
                }
            }
            if count.failed, let (s, k) = count.first {
                let sweep = probe.sweeps[s]
                let a = sweep.firstRow + k
                return fail("the loss rises as the GT logit rises between x_t = \(Format.number(p[k])) and \(Format.number(p[k + 1])) for \(sweep.label) (from \(Format.number(v[a])) to \(Format.number(v[a + 1]))), \(count.share(of: "sweep steps"))")
            }
        }
        return pass("the loss does not rise as the GT logit rises over [\(Format.number(p[0])), \(Format.number(p[n - 1]))] at \(Format.percent(count.rightFraction)) of \(count.expected) sweep steps")
    }
}
