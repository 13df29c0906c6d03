import Detection
import Foundation
import LossLanguage

/// Runs a `Confirmation` through a run's executors and store: each contender tuned, then trained
/// at its tuned setting with every seed and horizon. Every training is recorded as it ends and a
/// rerun trains only what the store lacks (a failed one again), so an interrupted confirmation
/// loses at most the trainings under way and ends as an uninterrupted one would (its order, and
/// so its hurdles, are the same).
public final class ConfirmationRun {
    /// What is confirmed, and how.
    public let plan: Confirmation
    let store: RunStore
    /// The tuning's trainings: scored at the plan's rungs where the evaluator can.
    let tuning: any Executor
    /// The tuned settings' trainings.
    let training: any Executor
    let stop: StopRequest
    let log: (String) -> Void
    /// Hears each training start, step (the built-in detector) and end; its `formula` is the
    /// contender's loss, its slot the training's place in its batch.
    let observe: @Sendable (TrainingEvent) -> Void
    private var done: [String: ConfirmationTraining] = [:]

    /// `tuning` and `training` run the same evaluator, the first scoring the plan's rungs (where
    /// it can), the second not; `log` hears a line per training.
    public init(plan: Confirmation, store: RunStore, tuning: any Executor, training: any Executor, stop: StopRequest = StopRequest(),
                log: @escaping (String) -> Void = { _ in }, observe: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws {
        if let problem = plan.problem { throw SearchError.options(problem) }
        for c in plan.contenders { _ = try plan.pair(c, setting: BaselineTuning.Setting(weight: 1)) }
        self.plan = plan
        self.store = store
        self.tuning = tuning
        self.training = training
        self.stop = stop
        self.log = log
        self.observe = observe
    }

    /// Tunes and trains every contender; the verdicts, from the store.
    public func run() throws -> ConfirmationSummary {
        try store.recordConfirmation(plan)
        for t in try store.confirmationTrainings() where t.result.status != .failed { done[t.key] = t }
        for contender in plan.contenders {
            guard let best = try tune(contender) else {
                if contender.isBaseline { throw SearchError.options("the baseline \(contender.loss) gave no complete training at any setting of its tuning: nothing to measure against (see the run's failures)") }
                log("\(contender.loss): no setting of its tuning trained to its end; it is left out")
                continue
            }
            log("\(contender.loss): tuned at \(best.label)")
            var items: [(seed: UInt64, horizon: Double)] = []
            for h in plan.horizons { for s in plan.seeds { items.append((s, h)) } }
            _ = try train(contender, items.map { (best, $0.seed, $0.horizon, nil) }, phase: .confirm, executor: training)
        }
        let summary = ConfirmationSummary(plan: plan, trainings: try store.confirmationTrainings())
        if summary.contenders.allSatisfy({ $0.horizons.allSatisfy { $0.aps.isEmpty } }) {
            throw SearchError.evaluationsFailed(count: try store.confirmationTrainings().count, store: store.path)
        }
        return summary
    }

    /// The contender's sweeps (`BaselineTuning`'s: the weights, grown past an edge while the best
    /// lies on it; for sigmoid focal, alpha x gamma, and the weights again where that moved them)
    /// on the first seed, then its finalists with every seed; its tuned setting
    /// (`Confirmation.tunedSetting`), nil where none trained to its end.
    private func tune(_ contender: Confirmation.Contender) throws -> BaselineTuning.Setting? {
        let t = plan.tuning(contender)
        var tried: [BaselineTuning.Setting] = []
        func best() -> (setting: BaselineTuning.Setting, ap: Double)? {
            tried.compactMap { s in tuned(contender, s).map { (s, $0) } }.reduce(nil) { b, o in b.map { o.ap > $0.ap ? o : $0 } ?? o }
        }
        func sweep(_ settings: [BaselineTuning.Setting]) throws {
            let fresh = settings.filter { !tried.contains($0) }
            tried += fresh
            // Batches of `jobs`, each with the hurdles of the trainings before it.
            for start in stride(from: 0, to: fresh.count, by: tuning.jobs) {
                let batch = fresh[start..<min(fresh.count, start + tuning.jobs)]
                let hurdles = self.hurdles(contender, tried.filter { !batch.contains($0) })
                _ = try train(contender, batch.map { ($0, plan.seeds[0], plan.horizons[0], hurdles) }, phase: .tune, executor: tuning)
            }
        }
        func sweepWeights(alpha: Float?, gamma: Int?) throws {
            try sweep(t.weightSweep(alpha: alpha, gamma: gamma))
            for _ in 0..<t.edgeExtensions {
                let line = tried.filter { $0.alpha == alpha && $0.gamma == gamma }
                guard let top = best(), top.setting.alpha == alpha, top.setting.gamma == gamma,
                      let next = BaselineTuning.beyondEdge(best: top.setting.weight, weights: line.map(\.weight)) else { break }
                var setting = top.setting
                setting.weight = next
                try sweep([setting])
            }
        }
        let first = t.weightSweep.first!
        try sweepWeights(alpha: first.alpha, gamma: first.gamma)
        guard let afterWeights = best() else { return nil }
        try sweep(t.focalSweep(weight: afterWeights.setting.weight))
        if let after = best()?.setting, t.sweepsWeightsAgain(after: after) {
            try sweepWeights(alpha: after.alpha, gamma: after.gamma)
        }
        let whole = tried.compactMap { s in tuned(contender, s).map { (setting: s, ap: $0) } }
        let finals = plan.finalists(of: whole)
        if finals.count > 1 {
            _ = try train(contender, finals.flatMap { s in plan.seeds.dropFirst().map { (s, $0, plan.horizons[0], nil) } }, phase: .tune, executor: training)
        }
        return plan.tunedSetting(whole) { tuned(contender, $0, seed: $1) }
    }

    /// A training's AP at the first horizon where it trained to its end (`done[…]?.result.wholeAP`).
    private func tuned(_ contender: Confirmation.Contender, _ setting: BaselineTuning.Setting, seed: UInt64? = nil) -> Double? {
        done[ConfirmationTraining.key(loss: contender.loss, setting: setting, seed: seed ?? plan.seeds[0], horizon: plan.horizons[0])]?.result.wholeAP
    }

    /// The bars at the plan's rungs for the next trainings of `contender`: the best AP at each
    /// rung among `settings`' trainings that went on past it, less the margin; nil where none was
    /// scored at the rungs (an evaluator without rungs).
    private func hurdles(_ contender: Confirmation.Contender, _ settings: [BaselineTuning.Setting]) -> [Double]? {
        var bars: [Double] = []
        for k in plan.rungs.indices {
            let at = settings.compactMap { s -> Double? in
                let key = ConfirmationTraining.key(loss: contender.loss, setting: s, seed: plan.seeds[0], horizon: plan.horizons[0])
                guard let rungs = done[key]?.result.rungs, k < rungs.count else { return nil }
                return rungs[k].ap
            }
            guard let top = at.max() else { break }
            bars.append(top - plan.margin)
        }
        return bars.isEmpty ? nil : bars
    }

    /// Trains what the store lacks of `items` (setting, seed, horizon, hurdles), `jobs` at a
    /// time through `executor`, recording each as it ends.
    private func train(_ contender: Confirmation.Contender, _ items: [(BaselineTuning.Setting, UInt64, Double, [Double]?)],
                       phase: ConfirmationTraining.Phase, executor: any Executor) throws -> [EvaluationResult] {
        let missing = items.filter { done[ConfirmationTraining.key(loss: contender.loss, setting: $0.0, seed: $0.1, horizon: $0.2)] == nil }
        if stop.isRequested { throw SearchStopped(signal: stop.signalNumber ?? SIGINT) }
        let requests = try missing.map { setting, seed, horizon, hurdles in
            EvaluationRequest(pair: try plan.pair(contender, setting: setting), searched: plan.branch, stage: .proxy, seed: seed,
                              hurdles: hurdles, setting: setting, horizon: horizon == 1 ? nil : horizon)
        }
        let store = self.store, stop = self.stop, loss = contender.loss, observe = self.observe
        let recorded = try StageScheduler(jobs: executor.jobs).run(
            Array(zip(missing, requests).enumerated()), mayStart: { _ in !stop.isRequested },
            starting: { batch in executor.begin(batch.map(\.element.1)) }, ended: { executor.end() },
            train: { item in
                let ((setting, seed, horizon, _), request) = item.element
                @Sendable func event(_ phase: TrainingEvent.Phase) -> TrainingEvent {
                    TrainingEvent(stage: .proxy, formula: loss, generation: nil, slot: item.offset, phase: phase)
                }
                observe(event(.started))
                let result = executor.evaluate(request, context: EvaluationContext(progress: { observe(event(.progress($0))) }, stop: stop))
                observe(event(.finished(result)))
                if stop.isRequested && result.status == .failed { return result }  // ended by the stop: not a finding
                try store.record(ConfirmationTraining(loss: loss, setting: setting, seed: seed, horizon: horizon, phase: phase, result: result))
                return result
            })
        for (k, r) in recorded.enumerated() {
            // A training the stop ended is no finding: neither recorded nor told.
            guard let r = r?.result, !(stop.isRequested && r.status == .failed) else { continue }
            let (setting, seed, horizon, _) = missing[k]
            let t = ConfirmationTraining(loss: loss, setting: setting, seed: seed, horizon: horizon, phase: phase, result: r)
            log(Self.line(t))
            if r.status != .failed { done[t.key] = t }
        }
        if stop.isRequested { throw SearchStopped(signal: stop.signalNumber ?? SIGINT) }
        return recorded.compactMap { $0?.result }
    }

    /// "ce at λ 3, seed 2, x2: AP 61.20 in 140 s".
    static func line(_ t: ConfirmationTraining) -> String {
        let horizon = t.horizon == 1 ? "" : ", x\(BaselineTuning.Setting.number(Float(t.horizon)))"
        let what: String
        switch t.result.status {
        case .ok: what = String(format: "AP %.2f", t.result.ap ?? 0)
        case .pruned: what = "ended at a rung: " + t.result.reason
        case .diverged, .failed: what = "\(t.result.status.rawValue): \(t.result.reason)"
        }
        return "\(t.loss) at \(t.setting.label), seed \(t.seed)\(horizon) (\(t.phase.rawValue)): \(what) in \(String(format: "%.0f", t.result.seconds)) s"
    }
}
