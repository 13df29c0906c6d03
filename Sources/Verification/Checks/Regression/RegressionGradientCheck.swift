import LossLanguage

/// Regression CPV, gradient at no overlap: for the non-overlapping pairs of the regression
/// probe, the loss's gradient with respect to the predicted box's corners (dL/di, dL/du,
/// dL/de through the derivatives of i, u, e) should not vanish, or a box that misses its GT
/// gets no training signal. A gradient counts as zero when every corner's entry, times the GT
/// size, is within `tolerance` of zero (relative to the loss). Zero at no less than
/// `zeroGradientWarningFraction` (half) of the pairs is a warning, not a failure: the plain IoU
/// loss behaves so and is a standard loss.
public struct RegressionGradientCheck: PropertyCheck {
    public let name = "reg-nonoverlap-gradient"
    public var branches: Set<Branch> { [.reg] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let result = loss.evaluation(.convergence), let probe = loss.probes.regression,
              let gi = result.gradients[.i], let gu = result.gradients[.u], let ge = result.gradients[.e]
        else { return notEvaluable(loss) }
        let rows = probe.nonOverlapRows
        guard !rows.isEmpty else { return pass("no non-overlapping pairs in the probe") }
        var zero = 0
        for r in rows {
            let pair = probe.pairs[r]
            let d = pair.inputDerivatives
            let size = max(pair.truth.width, pair.truth.height)
            var largest = 0.0
            for k in 0..<4 {
                let g = gi[r] * d.i[k] + gu[r] * d.u[k] + ge[r] * d.e[k]
                if !g.isFinite { return fail("the box gradient is \(Format.number(g)) for \(pair.describe(scale: size))") }
                largest = max(largest, Swift.abs(g) * size)
            }
            if largest <= options.tolerance * max(1, Swift.abs(result.values[r])) { zero += 1 }
        }
        let share = Double(zero) / Double(rows.count)
        if share >= options.zeroGradientWarningFraction {
            return warn("zero gradient for non-overlapping boxes (\(zero) of \(rows.count) pairs): a box that misses its GT gets no training signal, as with the plain IoU loss")
        }
        return pass("the box gradient is non-zero for \(rows.count - zero) of \(rows.count) non-overlapping pairs")
    }
}
