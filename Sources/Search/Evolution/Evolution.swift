import Foundation
import LossLanguage
import Verification

/// The CSE search (DESIGN.md, "The pipeline", "Search"): generations of candidates, each
/// screened (validity -> dedup -> CPV -> equivalence), trained briefly (MOS) and the best of
/// those on the proxy task; the best by proxy AP breed the next generation.
///
/// Deterministic: generation g draws from a generator seeded by (seed, g), and its parents are
/// fixed by the results before it. Resume replays the run and takes every finished training from
/// the store, so an interrupted run loses no finished evaluation and ends as an uninterrupted one.
public final class Evolution {
    public let options: SearchOptions
    public let store: RunStore
    let evaluator: CandidateEvaluator
    let generator: FormulaGenerator
    let mutator: Mutator
    var cascade: ScreeningCascade
    let report: (SearchProgress) -> Void

    /// Everything trained on the proxy so far, the hall of fame's source.
    public private(set) var evaluated: [HallOfFame.Entry] = []
    public private(set) var baselineMOS: EvaluationResult?
    public private(set) var baselineProxy: EvaluationResult?
    var proxyEvaluations = 0
    var funnel = Funnel()
    let started = Date()

    public init(options: SearchOptions, store: RunStore, evaluator: CandidateEvaluator,
                report: @escaping (SearchProgress) -> Void = { _ in }) throws {
        if let problem = options.problem { throw SearchError.options(problem) }
        self.options = options
        self.store = store
        self.evaluator = evaluator
        self.report = report
        generator = try FormulaGenerator(branch: options.branch)
        mutator = Mutator(generator: generator)
        cascade = ScreeningCascade(verifier: .standard, branch: options.branch)
        cascade.usesCPV = options.usesCPV
    }

    /// Runs until a budget ends it; returns the hall of fame.
    public func run() throws -> SearchSummary {
        let baseline = try Expr.resolve(options.baseline, branch: options.branch)
        baselineMOS = options.usesMOS ? try train(baseline, stage: .mos, key: "baseline:" + options.baseline) : nil
        baselineProxy = try train(baseline, stage: .proxy, key: "baseline:" + options.baseline)
        var stopReason = "all \(options.generations) generations done"
        generations: for g in 0..<options.generations {
            var rng = SplitMix64(seed: options.seed &* 0x9E37_79B9 &+ UInt64(g) &* 0x85EB_CA6B &+ 1)
            let parents = HallOfFame(entries: evaluated).top(options.topP).map(\.expr)
            let survivors = try screen(generation: g, parents: parents, using: &rng)
            // MOS, then the best K on the proxy task.
            var ranked: [(candidate: Screened, mosAP: Double)] = []
            for s in survivors {
                if let reason = budgetExhausted() { stopReason = reason; break generations }
                guard options.usesMOS else { ranked.append((s, 0)); continue }
                let r = try train(s.expr, stage: .mos, key: s.canonical, generation: g, slot: s.slot)
                funnel.mosTrained += 1
                if let ap = r.ap, ap >= options.mosRejectFraction * (baselineMOS?.ap ?? 0) {
                    ranked.append((s, ap))
                } else {
                    funnel.mosRejected += 1
                }
            }
            let chosen = ranked.sorted { $0.mosAP > $1.mosAP || ($0.mosAP == $1.mosAP && $0.candidate.slot < $1.candidate.slot) }
                .prefix(options.topK)
            for (s, _) in chosen {
                if let reason = budgetExhausted() { stopReason = reason; break generations }
                let r = try train(s.expr, stage: .proxy, key: s.canonical, generation: g, slot: s.slot)
                proxyEvaluations += 1
                funnel.proxyEvaluated += 1
                if r.ap != nil {
                    evaluated.append(HallOfFame.Entry(expr: s.expr, result: r, generation: g, elapsed: Date().timeIntervalSince(started)))
                }
            }
            report(progress(generation: g))
            if let reason = budgetExhausted() { stopReason = reason; break }
        }
        return SearchSummary(hallOfFame: HallOfFame(entries: evaluated), baselineMOS: baselineMOS, baselineProxy: baselineProxy,
                             funnel: funnel, proxyEvaluations: proxyEvaluations, seconds: Date().timeIntervalSince(started),
                             stopReason: stopReason)
    }

    func budgetExhausted() -> String? {
        if let m = options.maxEvaluations, proxyEvaluations >= m { return "proxy-evaluation budget of \(m) spent" }
        if let t = options.timeLimitMinutes, Date().timeIntervalSince(started) >= t * 60 { return "time limit of \(t) minutes reached" }
        return nil
    }

    func progress(generation g: Int) -> SearchProgress {
        let elapsed = Date().timeIntervalSince(started)
        let best = HallOfFame(entries: evaluated).top(1).first
        return SearchProgress(generation: g, generations: options.generations, funnel: funnel, bestAP: best?.result.ap,
                              bestFormula: best?.expr.infix, baselineAP: baselineProxy?.ap, elapsed: elapsed,
                              candidatesPerSecond: Double(funnel.generated) / max(elapsed, 1e-9))
    }
}
