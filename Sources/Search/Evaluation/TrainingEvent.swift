import Detection

/// A training starting or ending, as it happens: the search's live progress (DESIGN.md,
/// "Search": a line as each training starts and ends).
public struct TrainingEvent: Sendable {
    public enum Phase: Sendable {
        case started
        /// A step of a training under way (evaluators that report steps: the built-in detector).
        case progress(TrainingProgress)
        case finished(EvaluationResult)
        /// Not trained again: `source` says whose result it took ("the store": the run, or
        /// another arm of an ablation, trained it; "the baseline's training": it is the baseline).
        case reused(EvaluationResult, source: String)
    }

    public var stage: TrainingStage
    /// The searched slot's loss, infix.
    public var formula: String
    /// Nil for the baseline.
    public var generation: Int?
    public var slot: Int?
    public var phase: Phase
}
