/// What a finished (or budget-stopped) run found.
public struct SearchSummary: Sendable {
    /// The run's losses, ranked.
    public var hallOfFame: HallOfFame
    /// The baseline's MOS result.
    public var baselineMOS: EvaluationResult?
    /// The baseline's proxy result.
    public var baselineProxy: EvaluationResult?
    /// The funnel over the whole run.
    public var funnel: Funnel
    /// Seconds the run took.
    public var seconds: Double
    /// Why the run ended (a budget, the generations, a stop request).
    public var stopReason: String
    /// The signal that stopped the run early, if one did: the run can go on from its store.
    public var stoppedBy: Int32? = nil
    /// The workers' busy time over the time they had (`SearchProgress.utilisation`).
    public var utilisation: Double? = nil
    /// The same between the first training's start and the last one's (the run's end, where
    /// the last trainings finish with nothing left to start, aside).
    public var utilisationWhileStarting: Double? = nil
    /// With a virtual clock: the seconds the run would have taken (`seconds` is what it took),
    /// and the scheduler's own share of them: its real seconds (breeding, screening, the store)
    /// over the virtual ones, where 1 would mean it kept one core busy.
    public var virtualSeconds: Double? = nil
    /// With a virtual clock: the scheduler's real seconds over the virtual ones (see above).
    public var schedulerShare: Double? = nil

    /// Trainings on the proxy task.
    public var proxyEvaluations: Int { funnel.proxyEvaluated }
}
