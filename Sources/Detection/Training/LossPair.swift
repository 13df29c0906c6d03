import LossLanguage

/// The two losses a detector trains with: classification (softmax or sigmoid branch) and
/// regression. A search fills one slot with the candidate and the other with the fixed partner;
/// `ProxyTrainer` trains the built-in detector with a pair.
///
/// ```swift
/// let pair = LossPair(classification: try Expr.resolve("focal", branch: .sigmoid), mode: .sigmoid,
///                     regression: try Expr.resolve("giou", branch: .reg))
/// let trainer = try ProxyTrainer(pair, schedule: .preset(.proxy, isShapes: true))
/// ```
public struct LossPair: Hashable, Sendable {
    public var classification: Expr
    /// `.softmax` or `.sigmoid`: the classification head's mode.
    public var mode: Branch
    public var regression: Expr
    /// A built-in regression loss that (i, u, e) cannot express, trained in place of
    /// `regression` (DIoU or CIoU: a baseline or a partner, never a candidate).
    public var builtinRegression: BoxDistanceLoss?

    public init(classification: Expr, mode: Branch, regression: Expr, builtinRegression: BoxDistanceLoss? = nil) {
        self.classification = classification
        self.mode = mode
        self.regression = regression
        self.builtinRegression = builtinRegression
    }

    /// The regression slot's loss as the detector trains it.
    public var regressionKind: RegressionSlot.Kind { builtinRegression.map { .boxDistance($0) } ?? .formula(regression) }
}
