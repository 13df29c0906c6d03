import LossLanguage

/// The two losses a detector trains with: classification (softmax or sigmoid branch) and
/// regression, the latter a formula of (i, u, e) or a loss the detector has built in (L1,
/// smooth-L1, DIoU, CIoU: `RegressionSlot.Kind`). A search fills one slot with the candidate and
/// the other with the fixed partner; `ProxyTrainer` trains the built-in detector with a pair.
///
/// ```swift
/// let pair = LossPair(classification: try Expr.resolve("focal", branch: .sigmoid), mode: .sigmoid,
///                     regression: try Expr.resolve("giou", branch: .reg))
/// let trainer = try ProxyTrainer(pair, schedule: .preset(.proxy, isShapes: true))
/// ```
public struct LossPair: Hashable, Sendable {
    /// The classification loss (a formula of `mode`'s branch).
    public var classification: Expr
    /// `.softmax` or `.sigmoid`: the classification head's mode.
    public var mode: Branch
    /// The regression loss: a formula of the `reg` branch, or a built-in baseline.
    public var regression: RegressionSlot.Kind

    /// A pair with any regression loss.
    public init(classification: Expr, mode: Branch, regression: RegressionSlot.Kind) {
        self.classification = classification
        self.mode = mode
        self.regression = regression
    }

    /// A formula in both slots.
    public init(classification: Expr, mode: Branch, regression: Expr) {
        self.init(classification: classification, mode: mode, regression: .formula(regression))
    }

    /// The regression slot's formula; nil where it holds a built-in loss.
    public var regressionFormula: Expr? {
        if case .formula(let e) = regression { return e }
        return nil
    }
}
