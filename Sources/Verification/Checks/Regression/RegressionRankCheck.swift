import LossLanguage

/// Regression CPV, distance-loss consistency: over box pairs at each scale of `boxScales`
/// (16, 128, 800 px), with IoUs spread over [0, 1] (`pairsPerIoUBin` pairs per bin of exactly 0
/// and each tenth, for `groundTruthsPerScale` GT boxes, perfect matches included), Spearman's
/// rank correlation rho(loss, IoU) is at most `spearmanMaximum` (-0.9) at every scale: the
/// loss falls as the IoU rises.
public struct RegressionRankCheck: PropertyCheck {
    public let name = "reg-rank-consistency"
    public var branches: Set<Branch> { [.reg] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let probe = loss.probes.regression else { return notEvaluable(loss) }
        var worst = -Double.infinity
        for (s, rows) in zip(probe.scales, probe.rankRows) {
            // The probe holds the scales' pairs first, in order: evaluate up to this scale only.
            guard let result = loss.evaluation(.convergence, rows: rows.max()! + 1) else { return notEvaluable(loss) }
            let values = rows.map { result.values[$0] }
            if let k = values.firstIndex(where: { !$0.isFinite }) {
                return fail("the loss is \(Format.number(values[k])) for \(probe.pairs[rows[k]].describe(scale: s))")
            }
            let rho = spearman(values, rows.map { probe.pairs[$0].iou })
            if rho.isNaN {
                return fail("the loss is the same for every IoU at \(Format.number(s)) px (\(rows.count) box pairs)")
            }
            if rho > options.spearmanMaximum {
                let trend = rho > 0 ? "the loss rises as the IoU rises" : "the loss does not fall consistently as the IoU rises"
                return fail("\(trend): Spearman rho(loss, IoU) = \(Format.number(rho)) at \(Format.number(s)) px over \(rows.count) box pairs; at most \(Format.number(options.spearmanMaximum)) is needed")
            }
            worst = max(worst, rho)
        }
        return pass("Spearman rho(loss, IoU) <= \(Format.number(worst)) at every scale (\(probe.scales.map(Format.number).joined(separator: ", ")) px)")
    }
}
