/// Where a run stands after a generation, for the terminal or a JSON log.
public struct SearchProgress: Sendable {
    /// The generation that ended.
    public var generation: Int
    /// The generations planned.
    public var generations: Int
    /// The funnel so far.
    public var funnel: Funnel
    /// The best proxy AP so far, in percent.
    public var bestAP: Double?
    /// Its formula.
    public var bestFormula: String?
    /// The baseline's proxy AP.
    public var baselineAP: Double?
    /// Seconds since the start.
    public var elapsed: Double
    /// Candidates screened per second.
    public var candidatesPerSecond: Double
    /// The budgets that may end the run before its generations do.
    public var timeLimitMinutes: Double?
    /// The proxy trainings the run may spend, if limited.
    public var maxEvaluations: Int?
    /// The workers' busy time over the time they had, 0-1, from the first training on (nil
    /// before it): how much of `--jobs` the schedule kept busy.
    public var utilisation: Double?

    /// The trainings' own seconds, those a resumed run took from its store included (0 where
    /// not known).
    public var trainingSeconds = 0.0
    /// The workers the trainings share.
    public var jobs = 1

    /// The run's time so far, as its pace counts it: this process's, or the trainings' own
    /// time over the workers where that is longer. A resumed run replays its store in a second,
    /// and its pace from that second alone would promise the rest in a moment.
    var spentSeconds: Double { max(elapsed, trainingSeconds / Double(max(jobs, 1))) }

    /// Seconds to the nearest of the budgets: the generations left at the pace so far, the time
    /// limit, and the proxy evaluations left at the pace so far.
    public var secondsLeft: Double {
        let spent = spentSeconds
        var left = spent / Double(generation + 1) * Double(generations - generation - 1)
        if let minutes = timeLimitMinutes { left = min(left, max(0, minutes * 60 - elapsed)) }
        if let evaluations = maxEvaluations, funnel.trainingsSpent > 0 {
            left = min(left, spent / funnel.trainingsSpent * max(0, Double(evaluations) - funnel.trainingsSpent))
        }
        return left
    }
}
