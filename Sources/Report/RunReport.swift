import Detection
import Foundation
import LossLanguage
import Search
import Verification

/// Everything read back from a run's store (DESIGN.md, "Report"): its options, where each
/// candidate's way ended, the baselines, the hall of fame (ranked by `HallOfFame.top`, the
/// ranking the search itself uses), the trainings at both stages, and the failed evaluations with
/// their reasons. Built from the store alone, so it can be made at any time, also while the
/// search runs.
public struct RunReport: Sendable {
    public let path: String
    public let options: SearchOptions
    public let candidates: [CandidateRecord]
    public let baselineMOS: EvaluationResult?
    public let baselineProxy: EvaluationResult?
    public let hallOfFame: HallOfFame
    /// The run's time axis (wall-clock, or cumulative training seconds for an older store).
    public let clock: RunClock
    /// Whole proxy trainings the run spent at both stages (`TrainingCosts`).
    public let trainingsSpent: Double
    /// The run's confirmation (`autoloss confirm`), where it has one.
    public let confirmation: ConfirmationSummary?

    public init(store: RunStore) throws {
        path = store.path
        options = try store.options()
        candidates = try store.candidates()
        baselineMOS = try store.baseline(name: options.baseline, stage: .mos)
        baselineProxy = try store.baseline(name: options.baseline, stage: .proxy)
        let clock = RunClock(candidates: candidates, times: try store.stageTimes(), started: try store.startedAt(),
                             baselineSeconds: (baselineMOS?.seconds ?? 0) + (baselineProxy?.seconds ?? 0))
        self.clock = clock
        let branch = options.branch
        // Whole proxy trainings spent (`TrainingCosts`, exact) when each training ended, in the order they
        // ended (a MOS training before a proxy training that ended at the same time); the proxy
        // trainings are the hall of fame's.
        struct Trained { var candidate: CandidateRecord, stage: TrainingStage, result: EvaluationResult, elapsed: Double }
        var trained: [Trained] = []
        for c in candidates {
            for stage in [TrainingStage.mos, .proxy] {
                guard let result = c.stage(stage.stage)?.result else { continue }
                trained.append(Trained(candidate: c, stage: stage, result: result,
                                       elapsed: clock.elapsed(generation: c.generation, slot: c.slot, stage: stage.stage) ?? 0))
            }
        }
        trained.sort { ($0.elapsed, $0.stage == .proxy ? 1 : 0) < ($1.elapsed, $1.stage == .proxy ? 1 : 0) }
        var spent = Trainings.zero
        let costs = TrainingCosts(options)
        hallOfFame = HallOfFame(entries: trained.compactMap { t in
            spent += costs.cost(of: t.result, stage: t.stage)
            guard t.stage == .proxy, t.result.ap != nil, let expr = try? Expr.parse(t.candidate.formula, branch: branch) else { return nil }
            return HallOfFame.Entry(expr: expr, result: t.result, generation: t.candidate.generation, elapsed: t.elapsed,
                                    spent: spent.value)
        })
        trainingsSpent = spent.value
        confirmation = try store.confirmation().map { ConfirmationSummary(plan: $0, trainings: try store.confirmationTrainings()) }
    }

    /// How many candidates ended their way where: "proxy-evaluated", "passed mos" (not chosen
    /// for the proxy), "rejected at cpv", "failed at mos" (the evaluator failed), ...; by name.
    public var endings: [(ending: String, count: Int)] {
        var counts: [String: Int] = [:]
        for c in candidates {
            guard let ending = Self.ending(c) else { continue }
            counts[ending, default: 0] += 1
        }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Where one candidate's way ended ("rejected at cpv", "proxy-evaluated", ...); nil when no
    /// stage is recorded.
    public static func ending(_ c: CandidateRecord) -> String? {
        guard let last = c.last else { return nil }
        if last.result?.status == .failed { return "failed at \(last.stage.rawValue)" }
        if last.result?.status == .pruned, let rung = last.result?.rungs?.last {
            return String(format: "ended at a hurdle (%g of the proxy)", rung.fraction)
        }
        if last.passed { return last.stage == .proxy ? "proxy-evaluated" : "passed \(last.stage.rawValue)" }
        return "rejected at \(last.stage.rawValue)"
    }

    /// A failed evaluation: whose, at which stage, and why.
    public struct Failure: Sendable {
        public var generation: Int
        public var slot: Int
        public var formula: String
        public var stage: Stage
        public var reason: String
    }

    /// The evaluations that failed (not rejections: the evaluator itself did not give a result),
    /// the baseline's first.
    public var failures: [Failure] {
        var list: [Failure] = []
        for (stage, result) in [(Stage.mos, baselineMOS), (.proxy, baselineProxy)] {
            if let result, result.status == .failed {
                list.append(Failure(generation: -1, slot: -1, formula: "baseline \(options.baseline)", stage: stage, reason: result.reason))
            }
        }
        for c in candidates {
            for s in c.stages where s.result?.status == .failed {
                list.append(Failure(generation: c.generation, slot: c.slot, formula: c.formula, stage: s.stage,
                                    reason: s.result?.reason ?? s.reason))
            }
        }
        return list
    }

    /// A candidate trained at both stages, with both APs (percent).
    public struct Trained: Sendable {
        public var generation: Int
        public var slot: Int
        public var formula: String
        public var mosAP: Double
        public var proxyAP: Double
    }

    /// The candidates trained at both stages: how well MOS ranks for the proxy.
    public var trainedAtBothStages: [Trained] {
        candidates.compactMap { c in
            guard let m = c.stage(.mos)?.result?.ap, let p = c.stage(.proxy)?.result?.ap else { return nil }
            return Trained(generation: c.generation, slot: c.slot, formula: c.formula, mosAP: m, proxyAP: p)
        }
    }

    /// Spearman's rank correlation between MOS AP and proxy AP over the candidates trained at
    /// both stages and the baseline; nil with fewer than three or no spread.
    public var mosProxyCorrelation: Double? {
        var pairs = trainedAtBothStages.map { ($0.mosAP, $0.proxyAP) }
        if let m = baselineMOS?.ap, let p = baselineProxy?.ap { pairs.append((m, p)) }
        guard pairs.count >= 3 else { return nil }
        let rho = spearman(pairs.map(\.0), pairs.map(\.1))
        return rho.isNaN ? nil : rho
    }

    /// A hall-of-fame entry's gain over the baseline's proxy AP.
    public func gain(_ entry: HallOfFame.Entry) -> Double { (entry.result.ap ?? 0) - (baselineProxy?.ap ?? 0) }
}
