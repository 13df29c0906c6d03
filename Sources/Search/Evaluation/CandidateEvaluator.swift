import Detection
import LossLanguage

/// The run store's stage of each training (`TrainingStage` is Detection's: mos or proxy).
extension TrainingStage {
    /// The run store's stage for this training stage.
    public var stage: Stage {
        switch self {
        case .mos: return .mos
        case .proxy: return .proxy
        }
    }
}

/// Trains a detector as a request says and scores it. Implementations: the built-in proxy
/// detector and the simulation, which train in this process; the executors (`Executor`), which
/// run an evaluation elsewhere (a command on a candidate folder: the user's, or the worker's
/// `autoloss evaluate`).
public protocol CandidateEvaluator: Sendable {
    /// `context` hears how the training goes, step by step, where the evaluator can (the
    /// built-in detector), and asks it to end early on a stop request (the built-in detector and
    /// external commands do; the others are quick).
    func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult
}

extension CandidateEvaluator {

    /// One training of `pair` outside a search: the baseline's place (no generation, no hurdles).
    public func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64) -> EvaluationResult {
        evaluate(EvaluationRequest(pair: pair, searched: searched, stage: stage, seed: seed), context: EvaluationContext())
    }
}

/// What a search hands each training besides its request: where its steps go, and whether to stop.
public struct EvaluationContext: Sendable {
    /// Hears each step of a training, where the evaluator reports steps.
    public var progress: @Sendable (TrainingProgress) -> Void
    /// Asks the training to end early.
    public var stop: StopRequest

    /// A context; by default nobody listens and nothing stops.
    public init(progress: @escaping @Sendable (TrainingProgress) -> Void = { _ in }, stop: StopRequest = StopRequest()) {
        self.progress = progress
        self.stop = stop
    }
}
