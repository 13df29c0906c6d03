import LossLanguage

/// Regression CPV, paths: along `pathsPerScale` paths per scale that move a predicted box from
/// five GT sizes away onto its GT (`pathPoints` points, the box's size converging to the GT's
/// from 0.5 to 2 times it), the loss does not rise at no less than `pathMonotoneFraction` (95 %)
/// of the steps of all paths together. A step rises when the loss grows by more than
/// `tolerance` (relative); flat steps (no overlap yet, for IoU-only losses) do not count against.
public struct RegressionPathCheck: PropertyCheck {
    public let name = "reg-path-monotone"
    public var branches: Set<Branch> { [.reg] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let result = loss.evaluation(.convergence), let probe = loss.probes.regression else { return notEvaluable(loss) }
        let v = result.values
        var count = StepCount(expected: probe.paths.reduce(0) { $0 + $1.rows.count - 1 }, required: options.pathMonotoneFraction)
        for (s, path) in probe.paths.enumerated() {
            if let k = path.rows.first(where: { !v[$0].isFinite }) {
                return fail("the loss is \(Format.number(v[k])) for \(probe.pairs[k].describe(scale: path.scale)) on a path onto the GT")
            }
            for k in path.rows.dropLast() {
                count.record(ok: v[k + 1] <= v[k] + options.slack(v[k], v[k + 1]), sweep: s, index: k)
            }
        }
        if count.failed, let (s, k) = count.first {
            let path = probe.paths[s]
            let (a, b) = (probe.pairs[k], probe.pairs[k + 1])
            return fail("the loss rises as a box moves onto its GT at \(Format.number(path.scale)) px: from \(Format.number(v[k])) to \(Format.number(v[k + 1])) as the IoU goes from \(Format.number(a.iou)) to \(Format.number(b.iou)), \(count.share(of: "path steps"))")
        }
        return pass("the loss does not rise at \(Format.percent(count.rightFraction)) of \(count.expected) steps of \(probe.paths.count) paths onto the GT")
    }
}
