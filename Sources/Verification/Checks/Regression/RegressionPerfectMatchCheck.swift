import LossLanguage

/// Regression CPV, perfect match: for every box pair of the regression probe (ranking pairs
/// and path points), the loss is no lower than the loss of the predicted box that matches the
/// same GT exactly (within `tolerance`, relative): the perfect match is the minimum.
public struct RegressionPerfectMatchCheck: PropertyCheck {
    public let name = "reg-perfect-match"
    public var branches: Set<Branch> { [.reg] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let result = loss.evaluation(.convergence), let probe = loss.probes.regression else { return notEvaluable(loss) }
        let v = result.values
        for (row, best) in probe.perfectRow.enumerated() {
            guard v[row].isFinite, v[best].isFinite else {
                return fail("the loss is not finite for a box at IoU \(Format.number(probe.pairs[row].iou)) or its exact match")
            }
            if v[row] < v[best] - options.slack(v[row], v[best]) {
                let pair = probe.pairs[row]
                return fail("the perfect match is not the minimum: a box at IoU \(Format.number(pair.iou)) with a \(Format.number(pair.truth.width)) x \(Format.number(pair.truth.height)) px GT has a lower loss (\(Format.number(v[row]))) than the exact match (\(Format.number(v[best])))")
            }
        }
        return pass("the exact match has the lowest loss among \(v.count) box pairs with the same GT")
    }
}
