/// What a finished (or budget-stopped) run found.
public struct SearchSummary: Sendable {
    public var hallOfFame: HallOfFame
    public var baselineMOS: EvaluationResult?
    public var baselineProxy: EvaluationResult?
    public var funnel: Funnel
    public var seconds: Double
    public var stopReason: String
    /// The signal that stopped the run early, if one did: the run can go on from its store.
    public var stoppedBy: Int32? = nil
    /// The workers' busy time over the time they had (`SearchProgress.utilisation`).
    public var utilisation: Double? = nil

    public var proxyEvaluations: Int { funnel.proxyEvaluated }
}
