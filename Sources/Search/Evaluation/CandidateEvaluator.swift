import LossLanguage

/// The two training stages of the cascade: model optimisation simulation on the tiny verification
/// set, and the proxy task (train split, AP on the val split).
public enum TrainingStage: String, Codable, Sendable, CaseIterable {
    case mos, proxy

    public var stage: Stage { self == .mos ? .mos : .proxy }
}

/// The two losses a detector trains with: classification (softmax or sigmoid branch) and
/// regression. A search fills one slot with the candidate and the other with the fixed partner.
public struct LossPair: Hashable, Sendable {
    public var classification: Expr
    /// `.softmax` or `.sigmoid`: the classification head's mode.
    public var mode: Branch
    public var regression: Expr

    public init(classification: Expr, mode: Branch, regression: Expr) {
        self.classification = classification
        self.mode = mode
        self.regression = regression
    }
}

/// Trains a detector with a pair of losses and scores it. Implementations: the built-in proxy
/// detector (in process), an external command.
public protocol CandidateEvaluator: Sendable {
    /// `searched` says which slot holds the candidate (`.reg`, or the classification mode).
    func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64) -> EvaluationResult
}
