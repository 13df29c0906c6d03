import LossLanguage

/// Validity: the formula is well typed for its branch. Its inputs are the branch's, `softmax`
/// and `dot` see class vectors, and the loss gives one number per sample (DESIGN.md, "The loss
/// language"). No threshold: the type rules of `Expr.typeCheck(branch:)` decide.
public struct WellTypedCheck: PropertyCheck {
    public let name = "well-typed"
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    public func precheck(_ expr: Expr, branch: Branch) -> Finding? {
        do {
            try expr.typeCheck(branch: branch)
            return nil
        } catch {
            return fail("\(error)")
        }
    }

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        if let failure = precheck(loss.expr, branch: loss.branch) { return failure }
        let inputs = loss.branch.inputs.map(\.name).joined(separator: ", ")
        return pass("one number per sample over the \(loss.branch.rawValue) branch's inputs (\(inputs))")
    }
}
