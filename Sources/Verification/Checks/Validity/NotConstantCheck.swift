import LossLanguage

/// Validity: the loss is not a constant. Fails when the formula reads no input at all, or when
/// its value is the same on every finite row of the validity probe (equal within
/// `CPVOptions.tolerance`, relative): `x - x`, `u / u`, `sin(x)^2 + cos(x)^2` style formulas.
public struct NotConstantCheck: PropertyCheck {
    public let name = "not-constant"
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    public func precheck(_ expr: Expr, branch: Branch) -> Finding? {
        guard expr.isConstant else { return nil }
        let value = (try? expr.reference([:]))?.scalarValue
        return fail("the formula reads no input: it is the constant \(value.map(Format.number) ?? expr.infix)")
    }

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        if let failure = precheck(loss.expr, branch: loss.branch) { return failure }
        guard let result = loss.evaluation(.validity) else { return notEvaluable(loss) }
        let finite = result.values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            return fail("the loss has no finite value on the validity probe")
        }
        if high - low <= options.slack(low, high) {
            return fail("the loss is constant: it takes the value \(Format.number(low)) on all \(finite.count) rows of the validity probe")
        }
        return pass("the loss ranges from \(Format.number(low)) to \(Format.number(high)) on the validity probe")
    }
}
