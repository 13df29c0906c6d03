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
    public let options: SearchOptions
    public let store: RunStore
    let breeder: Breeder
    var cascade: ScreeningCascade
    let trainings: EvaluationCache
    let stop: StopRequest
    let report: (SearchProgress) -> Void

    /// Everything trained on the proxy so far, the hall of fame's source.
    public private(set) var evaluated: [HallOfFame.Entry] = []
    public private(set) var baselineMOS: EvaluationResult?
    public private(set) var baselineProxy: EvaluationResult?
    /// MOS results with some AP, in training order (`parents()` ranks them): the parents while
    /// the proxy has no result yet.
    var mosBest: [(expr: Expr, ap: Double)] = []
    /// Proxy trainings a hurdle ended, with their last rung's fraction and AP: parents after the
    /// completed ones, while there are fewer than top-P of those.
    var pruned: [(expr: Expr, fraction: Double, ap: Double)] = []
    var funnel = Funnel()
    let started = Date()
    /// How long each stage's trainings take here: no training starts that would end after the
    /// time limit (unless `allowOverrun`).
    let pace = StagePace()
    /// Set when a training was not started because it would have ended after the time limit.
    var stoppedBeforeLimit: String?

    /// `breeder` and `cascade` default to the standard parts for `options`; `report` hears of
    /// each generation's end, `observe` of each training's start and end.
    /// `stop`: a request to stop (a signal) ends the run as soon as the trainings under way end,
    /// early where they can; `run()` then returns what was found so far.
    public init(options: SearchOptions, store: RunStore, evaluator: CandidateEvaluator, breeder: Breeder? = nil,
                cascade: ScreeningCascade? = nil, stop: StopRequest = StopRequest(), report: @escaping (SearchProgress) -> Void = { _ in },
                observe: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws {
        if let problem = options.problem { throw SearchError.options(problem) }
        self.options = options
        self.store = store
        self.report = report
        self.stop = stop
        self.breeder = try breeder ?? Breeder(options: options)
        self.cascade = cascade ?? ScreeningCascade(verifier: .standard, branch: options.branch)
        self.cascade.usesCPV = options.usesCPV
        trainings = EvaluationCache(store: store, evaluator: evaluator, losses: try options.losses(), seed: options.seed, stop: stop,
                                    observe: observe)
    }

    /// Runs until a budget ends it, or a stop request; returns the hall of fame so far.
    public func run() throws -> SearchSummary {
        try store.markStarted(at: started)
        var stopReason = "all \(options.generations) generations done"
        var stoppedBy: Int32?
        do {
            try measureBaselines()
            for g in 0..<options.generations {
                if let reason = try generation(g) {
                    stopReason = reason
                    break
                }
            }
        } catch let stop as SearchStopped {
            stoppedBy = stop.signal
            stopReason = "interrupted by \(Self.signalName(stop.signal)); continue with --resume"
        }
        // A run whose every evaluation failed found nothing: an error, not an empty success.
        if funnel.failed > 0 && funnel.mosTrained == 0 && funnel.proxyEvaluated == funnel.failed {
            throw SearchError.evaluationsFailed(count: funnel.failed, store: store.path)
        }
        return SearchSummary(hallOfFame: HallOfFame(entries: evaluated), baselineMOS: baselineMOS, baselineProxy: baselineProxy,
                             funnel: funnel, seconds: Date().timeIntervalSince(started), stopReason: stopReason, stoppedBy: stoppedBy)
    }

    /// One generation: screening, MOS, then the best K on the proxy task, up to `jobs` trainings
    /// at a time. Returns why the run ends after it, if it does.
    func generation(_ g: Int) throws -> String? {
        var rng = SplitMix64(seed: options.seed &* 0x9E37_79B9 &+ UInt64(g) &* 0x85EB_CA6B &+ 1)
        let survivors = try screen(generation: g, parents: parents(), using: &rng)
        var ranked: [(candidate: Screened, mosAP: Double)] = []
        if options.usesMOS {
            let results = try trainAll(survivors, stage: .mos, generation: g)
            for (s, done) in zip(survivors, results) {
                guard let r = done?.result else { continue }
                funnel.trainingsSpent += Funnel.cost(of: r, stage: .mos, options: options)
                if r.status == .failed {
                    funnel.failed += 1
                    continue
                }
                funnel.mosTrained += 1
                if let ap = r.ap, ap > 0 { mosBest.append((s.expr, ap)) }
                if let ap = r.ap, ap >= mosBar {
                    ranked.append((s, ap))
                } else {
                    funnel.mosRejected += 1
                }
            }
            // MOS stops short of the budget to leave the proxy stage its share (`mosMayStart`):
            // only the time limit ends the generation here.
            if results.contains(where: { $0 == nil }), let reason = timeExhausted() { return reason }
        } else {
            ranked = survivors.map { ($0, 0) }
        }
        // The budget counts whole proxy trainings at both stages (`Funnel.cost`): as many proxy
        // trainings as what is left rounds up to, each costing what MOS did not train of it.
        let proxyShare = 1 - (options.mosRungInUse ?? 0)
        let budgetLeft = options.maxEvaluations.map { Int(((Double($0) - funnel.trainingsSpent) / max(proxyShare, 1e-9) - 1e-9).rounded(.up)) } ?? Int.max
        let chosen = ranked.sorted { $0.mosAP > $1.mosAP || ($0.mosAP == $1.mosAP && $0.candidate.slot < $1.candidate.slot) }
            .prefix(min(options.topK, max(0, budgetLeft))).map(\.candidate)
        let results = try trainAll(chosen, stage: .proxy, generation: g, hurdles: hurdleBars())
        for (s, done) in zip(chosen, results) {
            guard let (r, elapsed) = done else { continue }
            funnel.proxyEvaluated += 1
            let cost = Funnel.cost(of: r, stage: .proxy, options: options)
            funnel.proxyEquivalents += cost
            funnel.trainingsSpent += cost
            if r.status == .failed { funnel.failed += 1 }
            if r.status == .pruned, let last = r.rungs?.last {
                funnel.proxyPruned += 1
                pruned.append((s.expr, last.fraction, last.ap))
            }
            if r.ap != nil {
                evaluated.append(HallOfFame.Entry(expr: s.expr, result: r, generation: g, elapsed: elapsed, spent: funnel.trainingsSpent))
            }
        }
        if results.contains(where: { $0 == nil }), let reason = budgetExhausted() { return reason }
        report(progress(generation: g))
        return budgetExhausted()
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

    /// The best by proxy AP; until the proxy has a result (a search from scratch whose
    /// candidates all fall below MOS's bar), the best by MOS AP, so that the search climbs from
    /// what fits best instead of drawing every generation at random.
    func parents() -> [Expr] {
        let completed = HallOfFame(entries: evaluated).top(options.topP).map(\.expr)
        // Fewer completed than top-P: the pruned ones that went furthest, best at their last rung.
        let more = pruned.enumerated().sorted { a, b in
            (a.element.fraction, a.element.ap, -a.offset) > (b.element.fraction, b.element.ap, -b.offset)
        }.prefix(max(0, options.topP - completed.count)).map(\.element.expr)
        if !completed.isEmpty || !more.isEmpty { return completed + more }
        // A stable sort: equal APs keep the order they were trained in, so a run is reproducible.
        return Array(mosBest.enumerated().sorted { $0.element.ap > $1.element.ap || ($0.element.ap == $1.element.ap && $0.offset < $1.offset) }
            .prefix(options.topP).map(\.element.expr))
    }

    /// Trains the baseline loss (MOS when the run uses it, and the proxy task), or reads its
    /// results from the store: a resumed run, or an ablation arm given another arm's baseline.
    public func measureBaselines() throws {
        baselineMOS = options.usesMOS ? try trainings.baseline(.mos) : nil
        try Self.check(baselineMOS, stage: .mos, name: options.baseline)
        baselineProxy = try trainings.baseline(.proxy)
        try Self.check(baselineProxy, stage: .proxy, name: options.baseline)
        if let r = baselineMOS { pace.add(r.seconds, stage: .mos) }
        if let r = baselineProxy { pace.add(r.seconds, stage: .proxy) }
    }

    /// A baseline that could not be evaluated leaves nothing to compare with: the search stops.
    static func check(_ result: EvaluationResult?, stage: TrainingStage, name: String) throws {
        guard let result, result.status == .failed else { return }
        throw SearchError.baselineFailed(name: name, stage: stage.rawValue, reason: result.reason)
    }

    /// Trains candidates at one stage, `options.executor.jobs` at a time (an external evaluator
    /// on Slurm wants many; the built-in detector uses both cores by itself). A candidate whose
    /// training would start after the time limit gets nil. Results come back in the candidates'
    /// order, so the search's course does not depend on which finished first. Each comes with
    /// the run's elapsed seconds when it finished: the hall of fame's time to an AP (the
    /// ablation's speed-up) is that of the training itself, not of the end of its generation.
    func trainAll(_ items: [Screened], stage: TrainingStage, generation g: Int, hurdles: [Double]? = nil) throws -> [(result: EvaluationResult, elapsed: TimeInterval)?] {
        final class Slots: @unchecked Sendable {
            var results: [(result: EvaluationResult, elapsed: TimeInterval)?]
            var error: Error?
            let lock = NSLock()
            init(_ n: Int) { results = Array(repeating: nil, count: n) }
        }
        let slots = Slots(items.count)
        let limit = DispatchSemaphore(value: max(1, options.executor.jobs))
        let group = DispatchGroup()
        let bar = mosBar
        for (k, s) in items.enumerated() {
            limit.wait()
            if timeIsUp() { limit.signal(); break }
            if let reason = wouldOverrun(stage) { stoppedBeforeLimit = reason; limit.signal(); break }
            if stage == .mos && !mosMayStart(after: k) { limit.signal(); break }
            group.enter()
            // A queue of its own, which Dispatch runs on its overcommitting pool (a thread at once,
            // kept for reuse): the default global queue on Linux adds a thread about once a second
            // while its threads block, so --jobs 16 took 16 s to start a stage's jobs. (Not a new
            // Thread per training: one that ends tears down oneDNN's OpenMP team with it, and that
            // corrupted the heap.)
            DispatchQueue(label: "autoloss.training").async {
                defer { limit.signal(); group.leave() }
                do {
                    let r = try self.trainings.candidate(s, stage: stage, generation: g, hurdles: hurdles) { self.verdict($0, stage: stage, bar: bar) }
                    let elapsed = Date().timeIntervalSince(self.started)
                    // A training a hurdle ended counts as the whole one it might have been: no
                    // training starts that could end after the time limit.
                    self.pace.add(r.seconds / r.cost, stage: stage)
                    slots.lock.lock(); slots.results[k] = (r, elapsed); slots.lock.unlock()
                } catch {
                    slots.lock.lock(); slots.error = error; slots.lock.unlock()
                }
            }
        }
        group.wait()
        if let error = slots.error { throw error }
        return slots.results
    }

    /// This generation's hurdles (AP per rung), or nil without rungs.
    func hurdleBars() -> [Double]? {
        guard let rungs = options.rungs else { return nil }
        return Hurdles(rungs: rungs.count, margin: options.hurdleMargin ?? Hurdles.defaultMargin, topP: options.topP)
            .bars(baseline: baselineProxy, evaluated: evaluated)
    }

    /// The MOS AP a candidate needs to go on: the set fraction of the baseline's MOS AP. One
    /// place for the bar that ranks the survivors (`run()`) and the verdict stored (`verdict`).
    var mosBar: Double { options.mosRejectFraction * (baselineMOS?.ap ?? 0) }

    /// A training's verdict as stored: passed, or why not.
    func verdict(_ result: EvaluationResult, stage: TrainingStage, bar: Double) -> (passed: Bool, reason: String) {
        let passed = result.status == .ok && (stage == .proxy || (result.ap ?? 0) >= bar)
        guard result.status == .ok && !passed else { return (passed, result.reason) }
        return (false, String(format: "MOS AP %.2f below %.0f%% of the baseline's %.2f", result.ap ?? 0,
                              options.mosRejectFraction * 100, baselineMOS?.ap ?? 0))
    }

    func timeIsUp() -> Bool {
        options.timeLimitMinutes.map { Date().timeIntervalSince(started) >= $0 * 60 } ?? false
    }

    /// Why a training at `stage` must not start now: at the pace of the stage's trainings so
    /// far it would end after the time limit.
    func wouldOverrun(_ stage: TrainingStage) -> String? {
        guard options.allowOverrun != true, let minutes = options.timeLimitMinutes, let seconds = pace.mean(stage) else { return nil }
        let elapsed = Date().timeIntervalSince(started)
        guard elapsed + seconds > minutes * 60 else { return nil }
        return String(format: "time limit of %@ minutes: a %@ training (~%.0f s here) would end after it", Self.minutes(minutes), stage.rawValue, seconds)
    }

    func budgetExhausted() -> String? {
        if let m = options.maxEvaluations, !mosMayStart(after: 0) {
            let spent = funnel.trainingsSpent
            if spent >= Double(m) - 1e-9 { return "proxy-evaluation budget of \(m) spent" }
            return String(format: "proxy-evaluation budget of %d spent: %.2f trainings left, too few for a MOS training and a proxy training after it", m, Double(m) - spent)
        }
        return timeExhausted()
    }

    func timeExhausted() -> String? {
        if let reason = stoppedBeforeLimit { return reason }
        if let t = options.timeLimitMinutes, Date().timeIntervalSince(started) >= t * 60 { return "time limit of \(Self.minutes(t)) minutes reached" }
        return nil
    }

    /// Whether this generation's MOS training number `k` (from 0) may start under `--max-evals`:
    /// only while, after it, some budget is left for the proxy stage (which takes what is left
    /// rounded up to whole trainings). A MOS training no proxy training can follow is waste: the
    /// reg ablation's hurdles arm, 0.25 trainings short of its budget of 30, began a generation
    /// of MOS trainings (16 candidates, 4 trainings) whose proxy stage would have had none.
    func mosMayStart(after k: Int) -> Bool {
        guard let m = options.maxEvaluations else { return true }
        return funnel.trainingsSpent + Double(k + 1) * Funnel.mosCost(options) < Double(m) - 1e-9
    }

    func progress(generation g: Int) -> SearchProgress {
        let elapsed = Date().timeIntervalSince(started)
        let best = HallOfFame(entries: evaluated).top(1).first
        return SearchProgress(generation: g, generations: options.generations, funnel: funnel, bestAP: best?.result.ap,
                              bestFormula: best?.expr.infix, baselineAP: baselineProxy?.ap, elapsed: elapsed,
                              candidatesPerSecond: Double(funnel.generated) / max(elapsed, 1e-9),
                              timeLimitMinutes: options.timeLimitMinutes, maxEvaluations: options.maxEvaluations)
    }
}

/// The mean seconds of a stage's trainings so far (from any thread).
final class StagePace: @unchecked Sendable {
    private var sums: [TrainingStage: (seconds: Double, count: Int)] = [:]
    private let lock = NSLock()

    func add(_ seconds: Double, stage: TrainingStage) {
        guard seconds > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let s = sums[stage] ?? (0, 0)
        sums[stage] = (s.seconds + seconds, s.count + 1)
    }

    func mean(_ stage: TrainingStage) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        return sums[stage].map { $0.seconds / Double($0.count) }
    }
}
