import Detection

/// A training starting or ending, as it happens: the search's live progress (DESIGN.md,
/// "Search": a line as each training starts and ends).
public struct TrainingEvent: Sendable {
    /// Where the training is.
    public enum Phase: Sendable {
        /// It started.
        case started
        /// A step of a training under way (evaluators that report steps: the built-in detector).
        case progress(TrainingProgress)
        /// It ended, with its result.
        case finished(EvaluationResult)
        /// Not trained again: `source` says whose result it took ("the store": the run, or
        /// another arm of an ablation, trained it; "the baseline's training": it is the baseline).
        case reused(EvaluationResult, source: String)
    }

    /// MOS or proxy.
    public var stage: TrainingStage
    /// The searched slot's loss, infix.
    public var formula: String
    /// Nil for the baseline.
    public var generation: Int?
    /// Its slot in the generation; nil for the baseline.
    public var slot: Int?
    /// What happened.
    public var phase: Phase
}
