/// One stage's outcome for one candidate: the verdict and its reason; for the two trainings, the
/// evaluation's result as well.
public struct StageRecord: Equatable, Sendable {
    /// The stage.
    public var stage: Stage
    /// Whether the candidate passed it.
    public var passed: Bool
    /// Why the candidate stopped here (empty when it passed).
    public var reason: String
    /// The training's result (MOS and proxy stages only).
    public var result: EvaluationResult?
    /// How long the stage took.
    public var seconds: Double

    /// A stage's record.
    public init(stage: Stage, passed: Bool, reason: String, result: EvaluationResult? = nil, seconds: Double) {
        self.stage = stage
        self.passed = passed
        self.reason = reason
        self.result = result
        self.seconds = seconds
    }

    /// AP, AP50 and AP75 in percent, when the stage trained and the training gave them.
    public var figures: [String: Double] { result?.figures ?? [:] }
}
