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
    /// The same within a search: `context` hears how the training goes, step by step, where
    /// the evaluator can (the built-in detector), and asks it to end early on a stop request
    /// (the built-in detector and external commands do; the others are quick).
    func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64, context: EvaluationContext) -> EvaluationResult
}

extension CandidateEvaluator {
    public func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64, context: EvaluationContext) -> EvaluationResult {
        evaluate(pair, searched: searched, stage: stage, seed: seed)
    }
}

/// What a search hands each training: where its steps go, whether to stop, and whose training
/// it is (nil generation: the baseline).
public struct EvaluationContext: Sendable {
    public var progress: @Sendable (TrainingProgress) -> Void
    public var stop: StopRequest
    public var generation: Int?
    public var slot: Int?
    /// A proxy training's hurdles, AP in percent at each rung (`SearchOptions.rungs`); nil: the
    /// training runs to its end, scored at the rungs all the same (the baseline).
    public var hurdles: [Double]?

    public init(progress: @escaping @Sendable (TrainingProgress) -> Void = { _ in }, stop: StopRequest = StopRequest(),
                generation: Int? = nil, slot: Int? = nil, hurdles: [Double]? = nil) {
        self.progress = progress
        self.stop = stop
        self.generation = generation
        self.slot = slot
        self.hurdles = hurdles
    }
}
