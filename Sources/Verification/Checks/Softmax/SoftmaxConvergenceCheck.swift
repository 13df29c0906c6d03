import LossLanguage

/// Softmax CPV, convergence: in every sweep of the GT logit (see `SoftmaxMonotoneCheck`), the
/// loss at the right end (x_t = +sweepLimit, a confident correct prediction) lies clearly below
/// the loss at the wrong end (x_t = -sweepLimit): lower by at least `minimumDrop` (1e-3).
public struct SoftmaxConvergenceCheck: PropertyCheck {
    public let name = "softmax-convergence"
    public var branches: Set<Branch> { [.softmax] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let probe = loss.probes.softmax else { return notEvaluable(loss) }
        let n = probe.points.count
        let low = Format.number(probe.points[0]), high = Format.number(probe.points[n - 1])
        var smallest = Double.infinity
        for stage in probe.stages {
            guard let result = loss.evaluation(.convergence, rows: stage.rows) else { return notEvaluable(loss) }
            for sweep in probe.sweeps[..<stage.sweeps] {
                let wrong = result.values[sweep.firstRow], right = result.values[sweep.firstRow + n - 1]
                let drop = wrong - right
                if !(drop >= options.minimumDrop) {
                    return fail("the loss at x_t = \(high) (\(Format.number(right))) is not clearly lower than at x_t = \(low) (\(Format.number(wrong))) for \(sweep.label); a drop of at least \(Format.number(options.minimumDrop)) is needed")
                }
                smallest = min(smallest, drop)
            }
        }
        return pass("the loss at x_t = \(high) lies below the loss at x_t = \(low) by at least \(Format.number(smallest)) in every sweep")
    }
}
