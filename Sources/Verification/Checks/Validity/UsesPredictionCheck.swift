import LossLanguage

/// Validity: the loss depends on the prediction (x; in the regression branch the predicted box
/// through i, u, e), numerically and not only in its text. Fails when the formula does not read
/// a prediction input, or when within every group of validity probe rows that share the labels
/// and differ only in the prediction, the loss takes one value (equal within
/// `CPVOptions.tolerance`, relative): `y * w + x - x`, `w * (sigmoid(x) + sigmoid(-x))`.
public struct UsesPredictionCheck: PropertyCheck {
    public let name = "uses-prediction"
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    public func precheck(_ expr: Expr, branch: Branch) -> Finding? {
        let read = expr.inputs
        guard read.isDisjoint(with: branch.predictionInputs) else { return nil }
        let names = read.sorted().map(\.name).joined(separator: ", ")
        return fail("the formula ignores \(Self.prediction(branch)): it reads only \(names.isEmpty ? "constants" : names)")
    }

    static func prediction(_ branch: Branch) -> String {
        branch == .reg ? "the predicted box (i, u, e)" : "the prediction x"
    }

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        if let failure = precheck(loss.expr, branch: loss.branch) { return failure }
        let what = Self.prediction(loss.branch)
        guard let result = loss.evaluation(.validity) else { return notEvaluable(loss) }
        let groups = loss.probes.validity.groups
        for group in groups {
            let values = result.values[group].filter(\.isFinite)
            guard let low = values.min(), let high = values.max() else { continue }
            if high - low > options.slack(low, high) {
                return pass("the loss changes with \(what)")
            }
        }
        return fail("the loss ignores \(what): it does not change when only the prediction changes (\(groups.count) groups of validity probe rows)")
    }
}
