import Detection
import Foundation
import LossLanguage
import Verification

/// The CSE search (DESIGN.md, "The pipeline", "Search"): generations of candidates, each
/// screened (validity -> dedup -> CPV -> equivalence), trained briefly (MOS) and the best of
/// those on the proxy task; the best by proxy AP breed the next generation.
///
/// The parts are handed in (SymbolicRegression.jl's and AutoML-Zero's split): the breeder makes
/// raw candidates, the cascade screens them, the evaluator trains them through the evaluation
/// cache over the run store; the loop only orders them and keeps the funnel.
///
/// Deterministic: generation g draws from a generator seeded by (seed, g), and its parents are
/// fixed by the results before it. Resume replays the run and takes every finished training from
/// the store, so an interrupted run loses no finished evaluation and ends as an uninterrupted one.
public final class Evolution {
    /// The run's options.
    public let options: SearchOptions
    /// The run's store.
    public let store: RunStore
    let breeder: Breeder
    var cascade: ScreeningCascade
    let trainings: EvaluationCache
    let stop: StopRequest
    let report: (SearchProgress) -> Void
    /// Hears what the run changes as it goes, in a line: a generation shortened to keep the
    /// time limit, trainings slower than planned.
    let notice: (String) -> Void
    /// Whether the run said its trainings take longer than planned (once).
    var saidSlowerThanPlanned = false

    /// The candidates trained so far and who breeds next.
    var population: Population
    /// Everything trained on the proxy so far with an AP, the hall of fame's source.
    public var evaluated: [HallOfFame.Entry] { population.evaluated }
    /// The baseline's MOS result, once trained.
    public internal(set) var baselineMOS: EvaluationResult?
    /// The baseline's proxy result, once trained.
    public internal(set) var baselineProxy: EvaluationResult?
    var funnel = Funnel()
    let started = Date()
    /// The run's clock: the wall clock, or a virtual one (`SearchOptions.virtualClock`).
    let runClock: any RunClock
    /// With a virtual clock, the evaluator that times its trainings (its real seconds).
    let virtualDurations: VirtualDurations?
    /// `--max-evals`, counted exactly, and the time limit.
    var budget: TrainingBudget
    /// Of what the budget spent, the proxy stage's share (the funnel's proxy equivalents).
    var proxySpent = Trainings.zero
    /// The trainings' own seconds, stored ones included (the pace of a resumed run).
    var trainingSeconds = 0.0
    let clock: TimeLimit
    let scheduler: StageScheduler

    /// `evaluator`: an `Executor`, or an evaluator that trains in this process (run with the
    /// options' jobs side by side). `breeder` and `cascade` default to the standard parts for `options`; `report` hears of
    /// each generation's end, `observe` of each training's start and end, `notice` of what the run
    /// changes as it goes (a generation shortened to keep the time limit).
    /// `stop`: a request to stop (a signal) ends the run as soon as the trainings under way end,
    /// early where they can; `run()` then returns what was found so far.
    public init(options: SearchOptions, store: RunStore, evaluator: any CandidateEvaluator, breeder: Breeder? = nil,
                cascade: ScreeningCascade? = nil, stop: StopRequest = StopRequest(), report: @escaping (SearchProgress) -> Void = { _ in },
                observe: @escaping @Sendable (TrainingEvent) -> Void = { _ in }, notice: @escaping (String) -> Void = { _ in }) throws {
        if let problem = options.problem { throw SearchError.invalid(problem) }
        self.options = options
        self.store = store
        self.report = report
        self.notice = notice
        self.stop = stop
        self.breeder = try breeder ?? Breeder(options: options)
        self.cascade = cascade ?? ScreeningCascade(verifier: .standard, branch: options.branch)
        self.cascade.usesCPV = options.usesCPV
        let executor = evaluator as? any Executor ?? InProcessExecutor(evaluator, jobs: options.executor.jobs)
        trainings = EvaluationCache(store: store, evaluator: executor, losses: try options.losses(), seed: options.seed, stop: stop,
                                    observe: observe)
        population = Population(topP: options.topP)
        budget = TrainingBudget(options)
        virtualDurations = options.virtualClock == true ? (executor as? InProcessExecutor)?.evaluator as? VirtualDurations : nil
        if options.virtualClock == true && virtualDurations == nil {
            throw SearchError.options("a virtual clock needs the simulation's trainings timed by it (VirtualDurations), in this process")
        }
        runClock = virtualDurations == nil ? WallClock(started: started) : VirtualClock()
        clock = TimeLimit(options, clock: runClock)
        scheduler = StageScheduler(jobs: executor.jobs, clock: runClock)
    }

    /// Runs until a budget ends it, or a stop request; returns the hall of fame so far.
    public func run() throws -> SearchSummary {
        try store.markStarted(at: started)
        var stopReason = "all \(options.generations) generations done"
        var stoppedBy: Int32?
        do {
            switch options.scheduleInUse {
            case .generational:
                try measureBaselines()
                for g in 0..<options.generations {
                    if let reason = try generation(g) {
                        stopReason = reason
                        break
                    }
                }
            case .async:
                // The baseline's proxy training runs beside the first candidates' (`runAsync`).
                if options.usesMOS { try measureBaseline(.mos) }
                stopReason = try runAsync()
            }
        } catch let stop as SearchStopped {
            stoppedBy = stop.signal
            stopReason = "interrupted by \(Self.signalName(stop.signal))"
        }
        // A run whose every evaluation failed found nothing: an error, not an empty success.
        if funnel.failed > 0 && funnel.mosTrained == 0 && funnel.proxyEvaluated == funnel.failed {
            throw SearchError.evaluationsFailed(count: funnel.failed, store: store.path)
        }
        let seconds = Date().timeIntervalSince(started)
        let virtualSeconds = virtualDurations.map { _ in runClock.elapsed }
        return SearchSummary(hallOfFame: population.hallOfFame, baselineMOS: baselineMOS, baselineProxy: baselineProxy,
                             funnel: funnel, seconds: seconds, stopReason: stopReason, stoppedBy: stoppedBy,
                             utilisation: scheduler.utilisation, utilisationWhileStarting: scheduler.utilisationWhileStarting,
                             virtualSeconds: virtualSeconds,
                             schedulerShare: virtualDurations.flatMap { v in
                                 virtualSeconds.flatMap { $0 > 0 ? max(0, seconds - v.realSeconds) / $0 : nil }
                             })
    }

    /// One generation: screening, MOS, then the best K on the proxy task, up to `jobs` trainings
    /// at a time. Returns why the run ends after it, if it does.
    func generation(_ g: Int) throws -> String? {
        // The proxy trainings this generation may have: its top-K within the budget, fewer where
        // the time limit leaves room for fewer after a MOS training, none (the run ends) where it
        // leaves none.
        let wanted = min(options.topK, budget.proxyTrainingsLeft)
        var proxyTrainings = wanted
        if options.usesMOS {
            proxyTrainings = clock.proxyTrainingsThatFit(wanted, jobs: scheduler.jobs)
            if proxyTrainings == 0, let reason = clock.exhausted { return reason }
        }
        var rng = SplitMix64(seed: options.seed &* 0x9E37_79B9 &+ UInt64(g) &* 0x85EB_CA6B &+ 1)
        let survivors = try screen(generation: g, parents: population.parents(), using: &rng)
        var ranked: [(candidate: Screened, mosAP: Double)] = []
        if options.usesMOS {
            let results = try trainAll(survivors, stage: .mos, generation: g, proxyAfter: proxyTrainings)
            for (s, done) in zip(survivors, results) {
                guard let r = done?.result, let ap = absorbMOS(r, of: s) else { continue }
                ranked.append((s, ap))
            }
            // MOS stops short of the budget and of the time limit to leave the proxy stage its
            // share (`TrainingBudget.mosMayStart`, `TimeLimit.mosLeavesProxyTime`): only a time
            // limit that left no MOS training room ends the generation here.
            if results.contains(where: { $0 == nil }), let reason = clock.exhausted { return reason }
            sayIfShortened(generation: g, trained: results.count { $0 != nil }, of: results.count, proxyTrainings: proxyTrainings, of: wanted)
        } else {
            ranked = survivors.map { ($0, 0) }
        }
        // The budget again: MOS as the proxy's first rung spent some of it since the plan.
        let chosen = ranked.sorted { $0.mosAP > $1.mosAP || ($0.mosAP == $1.mosAP && $0.candidate.slot < $1.candidate.slot) }
            .prefix(min(proxyTrainings, budget.proxyTrainingsLeft)).map(\.candidate)
        let results = try trainAll(chosen, stage: .proxy, generation: g, hurdles: hurdleBars())
        for (s, done) in zip(chosen, results) {
            guard let (r, elapsed) = done else { continue }
            absorbProxy(r, of: s, generation: g, elapsed: elapsed)
        }
        if results.contains(where: { $0 == nil }), let reason = budgetExhausted() { return reason }
        report(progress(generation: g))
        return budgetExhausted()
    }

    /// Takes a MOS result into the funnel, the budget and the population; returns its AP where
    /// it clears MOS's bar (the candidate may go to the proxy task).
    func absorbMOS(_ r: EvaluationResult, of s: Screened) -> Double? {
        spend(budget.costs.cost(of: r, stage: .mos), seconds: r.seconds)
        if r.status == .failed {
            funnel.failed += 1
            return nil
        }
        funnel.mosTrained += 1
        if let ap = r.ap, ap > 0 { population.addMOS(s.expr, ap: ap) }
        if let ap = r.ap, ap >= mosBar { return ap }
        funnel.mosRejected += 1
        return nil
    }

    /// Takes a proxy result, which ended `elapsed` seconds into the run, into the funnel, the
    /// budget and the population (the hall of fame where it has an AP).
    func absorbProxy(_ r: EvaluationResult, of s: Screened, generation g: Int, elapsed: TimeInterval) {
        funnel.proxyEvaluated += 1
        let cost = budget.costs.cost(of: r, stage: .proxy)
        proxySpent += cost
        funnel.proxyEquivalents = proxySpent.value
        spend(cost, seconds: r.seconds)
        if r.status == .failed { funnel.failed += 1 }
        if r.status == .pruned, let last = r.rungs?.last {
            funnel.proxyPruned += 1
            population.addPruned(s.expr, fraction: last.fraction, ap: last.ap)
        }
        if r.ap != nil {
            population.add(HallOfFame.Entry(expr: s.expr, result: r, generation: g, elapsed: elapsed, spent: funnel.trainingsSpent))
        }
    }

    /// Spends what a training took: `cost` units of the budget, which the funnel shows in whole
    /// trainings, and its `seconds` (the progress line's pace).
    private func spend(_ cost: Trainings, seconds: Double) {
        budget.spend(cost)
        funnel.trainingsSpent = budget.spent.value
        trainingSeconds += seconds
    }

    /// "15", "14.94", "0.1": minutes to two decimals at most.
    static func minutes(_ m: Double) -> String {
        var text = String(format: "%.2f", m)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case 1: return "SIGHUP"
        case 2: return "SIGINT"
        case 15: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }

    /// Trains the baseline loss (MOS when the run uses it, and the proxy task), or reads its
    /// results from the store: a resumed run, or an ablation arm given another arm's baseline.
    public func measureBaselines() throws {
        if options.usesMOS { try measureBaseline(.mos) }
        try measureBaseline(.proxy)
    }

    /// The baseline's training at `stage`, before the scheduler's first stage: one training
    /// after the other, so on a virtual clock its time passes here.
    func measureBaseline(_ stage: TrainingStage) throws {
        let r = try trainings.baseline(stage)
        try takeBaseline(r, stage: stage)
        if let virtual = runClock as? VirtualClock { virtual.advance(to: virtual.elapsed + r.seconds) }
    }

    /// Takes the baseline's result at `stage` into the run: its AP the bars are set from, its
    /// seconds the stage's pace. A failed one ends the search. The proxy result comes last (after
    /// MOS's), so with it the run compares its pace with the plan.
    func takeBaseline(_ r: EvaluationResult, stage: TrainingStage) throws {
        try Self.check(r, stage: stage, name: options.baseline)
        clock.pace.add(r.seconds, stage: stage)
        switch stage {
        case .mos: baselineMOS = r
        case .proxy:
            baselineProxy = r
            saySlowerThanPlanned()
        }
    }

    /// A baseline that could not be evaluated leaves nothing to compare with: the search stops.
    static func check(_ result: EvaluationResult, stage: TrainingStage, name: String) throws {
        guard result.status == .failed else { return }
        throw SearchError.baselineFailed(name: name, stage: stage.rawValue, reason: result.reason)
    }

    /// Trains candidates at one stage through the scheduler: a candidate whose training would
    /// start after the time limit, or (MOS) leave the proxy stage no budget, or too little time
    /// for its `proxyAfter` trainings, gets nil. Each
    /// result comes with the run's elapsed seconds when it finished (the run's clock): the hall of fame's time to
    /// an AP (the ablation's speed-up) is that of the training itself, not of the end of its
    /// generation.
    func trainAll(_ items: [Screened], stage: TrainingStage, generation g: Int, hurdles: [Double]? = nil,
                  proxyAfter: Int = 0) throws -> [(result: EvaluationResult, elapsed: TimeInterval)?] {
        let bar = mosBar, budget = budget, clock = clock, trainings = trainings
        let judge = { [options, baselineMOS] (r: EvaluationResult) in Self.verdict(r, stage: stage, bar: bar, options: options, baselineMOS: baselineMOS) }
        let jobs = scheduler.jobs
        return try scheduler.run(items, mayStart: { k in
            clock.mayStart(stage)
                && (stage == .proxy || (budget.mosMayStart(after: k) && clock.mosLeavesProxyTime(proxyTrainings: proxyAfter, jobs: jobs)))
        }, starting: { wave in
            try trainings.begin(wave, stage: stage, generation: g, hurdles: hurdles)
        }, ended: trainings.end) { s in
            let r = try trainings.candidate(s, stage: stage, generation: g, hurdles: hurdles, judge: judge)
            // A training a hurdle ended counts as the whole one it might have been: no training
            // starts that could end after the time limit.
            clock.pace.add(r.seconds / r.cost, stage: stage)
            return r
        }
    }

    /// This generation's hurdles (AP per rung), or nil without rungs.
    func hurdleBars() -> [Double]? {
        guard let rungs = options.rungs else { return nil }
        return Hurdles(rungs: rungs.count, margin: options.hurdleMargin ?? Hurdles.defaultMargin, topP: options.topP)
            .bars(baseline: baselineProxy, evaluated: population.evaluated)
    }

    /// The MOS AP a candidate needs to go on: the set fraction of the baseline's MOS AP. One
    /// place for the bar that ranks the survivors (`run()`) and the verdict stored (`verdict`).
    var mosBar: Double { options.mosRejectFraction * (baselineMOS?.ap ?? 0) }

    /// A training's verdict as stored: passed, or why not.
    static func verdict(_ result: EvaluationResult, stage: TrainingStage, bar: Double, options: SearchOptions,
                        baselineMOS: EvaluationResult?) -> (passed: Bool, reason: String) {
        let passed = result.status == .ok && (stage == .proxy || (result.ap ?? 0) >= bar)
        guard result.status == .ok && !passed else { return (passed, result.reason) }
        return (false, String(format: "MOS AP %.2f below %.0f%% of the baseline's %.2f", result.ap ?? 0,
                              options.mosRejectFraction * 100, baselineMOS?.ap ?? 0))
    }

    /// Why the run ends after a generation: its budget spent, or its time limit.
    func budgetExhausted() -> String? { budget.exhausted ?? clock.exhausted }

    func progress(generation g: Int) -> SearchProgress {
        let elapsed = runClock.elapsed
        let best = population.hallOfFame.top(1).first
        return SearchProgress(generation: g, generations: options.generations, funnel: funnel, bestAP: best?.result.ap,
                              bestFormula: best?.expr.infix, baselineAP: baselineProxy?.ap, elapsed: elapsed,
                              candidatesPerSecond: Double(funnel.generated) / max(elapsed, 1e-9),
                              timeLimitMinutes: options.timeLimitMinutes, maxEvaluations: options.maxEvaluations,
                              utilisation: scheduler.utilisation, trainingSeconds: trainingSeconds, jobs: scheduler.jobs)
    }
}
