import Detection
import LossLanguage

/// The run store's stage of each training (`TrainingStage` is Detection's: mos or proxy).
extension TrainingStage {
    public var stage: Stage {
        switch self {
        case .mos: return .mos
        case .proxy: return .proxy
        }
    }
}

/// Trains a detector with a pair of losses and scores it. Implementations: the built-in proxy
/// detector (in process), an external command.
public protocol CandidateEvaluator: Sendable {
    /// `searched` says which slot holds the candidate (`.reg`, or the classification mode).
    func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64) -> EvaluationResult
    /// The same, telling `progress` how the training goes, step by step, where the evaluator
    /// can (the built-in detector); the others train silently.
    func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64,
                  progress: @escaping @Sendable (TrainingProgress) -> Void) -> EvaluationResult
}

extension CandidateEvaluator {
    public func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64,
                         progress: @escaping @Sendable (TrainingProgress) -> Void) -> EvaluationResult {
        evaluate(pair, searched: searched, stage: stage, seed: seed)
    }
}
