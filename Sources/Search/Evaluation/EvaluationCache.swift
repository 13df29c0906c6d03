import Detection
import Foundation
import LossLanguage

/// A search's trainings, through its run store: a training the run already finished (resume,
/// an ablation arm given another arm's baseline) is read back, any other one is run by the
/// evaluator and recorded, with the verdict the search gives it, before it is returned. A stored
/// failure (a crash, a refused Slurm submission, a time-out) is not a finished training: it is
/// tried again, so a resume with mended options (a partition, a longer limit) mends the run.
final class EvaluationCache: @unchecked Sendable {
    let store: RunStore
    let evaluator: any Executor
    let losses: SearchLosses
    let seed: UInt64
    /// Told as each training starts and ends (from the trainings' threads).
    let observe: @Sendable (TrainingEvent) -> Void
    let stop: StopRequest

    init(store: RunStore, evaluator: any Executor, losses: SearchLosses, seed: UInt64, stop: StopRequest,
         observe: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) {
        self.store = store
        self.evaluator = evaluator
        self.losses = losses
        self.seed = seed
        self.stop = stop
        self.observe = observe
    }

    /// The baseline loss's training at `stage`.
    func baseline(_ stage: TrainingStage) throws -> EvaluationResult {
        let event = TrainingEvent(stage: stage, formula: losses.baselineFormula, phase: .started)
        if let stored = try storedBaseline(stage) { return reused(stored, event, source: "the store") }
        let result = try train(losses.baselinePair, stage: stage, event)
        try store.recordBaseline(name: losses.baselineName, stage: stage, result: result)
        return result
    }

    /// The baseline's result at `stage` where the store has one that did not fail.
    func storedBaseline(_ stage: TrainingStage) throws -> EvaluationResult? {
        try store.result(.baseline(name: losses.baselineName), stage: stage).flatMap { $0.status == .failed ? nil : $0 }
    }

    /// The candidates whose trainings at `stage` the scheduler starts at once: those not
    /// `finished` already go to the evaluator together (`Executor.begin`: on Slurm,
    /// one job array).
    func begin(_ batch: [Screened], stage: TrainingStage, generation: Int, hurdles: [Double]? = nil) throws {
        var requests: [EvaluationRequest] = []
        for s in batch where try finished(s, stage: stage) == nil {
            requests.append(request(losses.pair(candidate: s.expr), stage: stage, generation: generation, slot: s.slot, hurdles: hurdles))
        }
        if stop.isRequested { return }
        evaluator.begin(requests)
    }

    /// The stage's trainings are over (`Executor.end`).
    func end() { evaluator.end() }

    private func request(_ pair: LossPair, stage: TrainingStage, generation: Int?, slot: Int?, hurdles: [Double]?) -> EvaluationRequest {
        EvaluationRequest(pair: pair, searched: losses.branch, stage: stage, seed: seed, generation: generation, slot: slot, hurdles: hurdles)
    }

    /// A screened candidate's training at `stage`, recorded with the verdict `judge` gives it.
    func candidate(_ s: Screened, stage: TrainingStage, generation: Int, hurdles: [Double]? = nil,
                   judge: (EvaluationResult) -> (passed: Bool, reason: String)) throws -> EvaluationResult {
        let event = TrainingEvent(stage: stage, formula: s.expr.infix, generation: generation, slot: s.slot, phase: .started)
        let result: EvaluationResult
        switch try finished(s, stage: stage) {
        case .stored(let stored)?: return reused(stored, event, source: "the store")
        case .baseline(let baseline)?: result = reused(baseline, event, source: "the baseline's training")
        case nil: result = try train(losses.pair(candidate: s.expr), stage: stage, event, hurdles: hurdles)
        }
        let verdict = judge(result)
        try store.record(StageRecord(stage: stage.stage, passed: verdict.passed, reason: verdict.reason, result: result,
                                     seconds: result.seconds), generation: generation, slot: s.slot)
        return result
    }

    /// A training a candidate need not run: its own, stored (a resumed run, another arm's), or
    /// the baseline's, where the candidate is the baseline itself (generation 0 is seeded with
    /// the known losses: the same pair, schedule and seed). A stored failure is not finished.
    private enum Finished {
        case stored(EvaluationResult)
        case baseline(EvaluationResult)
    }

    private func finished(_ s: Screened, stage: TrainingStage) throws -> Finished? {
        if let stored = try store.result(.candidate(canonical: s.canonical), stage: stage), stored.status != .failed { return .stored(stored) }
        if s.canonical == losses.baselineCanonical, let baseline = try store.result(.baseline(name: losses.baselineName), stage: stage),
           baseline.status != .failed {
            return .baseline(baseline)
        }
        return nil
    }

    /// Trains, unless a stop was requested; a training that a stop request cut short (it did not
    /// end ok) is not returned, so it is never recorded.
    private func train(_ pair: LossPair, stage: TrainingStage, _ event: TrainingEvent, hurdles: [Double]? = nil) throws -> EvaluationResult {
        if let signal = stop.signalNumber { throw SearchStopped(signal: signal) }
        observe(event)
        let observe = self.observe
        let context = EvaluationContext(progress: { step in
            var e = event
            e.phase = .progress(step)
            observe(e)
        }, stop: stop)
        let result = evaluator.evaluate(request(pair, stage: stage, generation: event.generation, slot: event.slot, hurdles: hurdles),
                                        context: context)
        if let signal = stop.signalNumber, result.status != .ok { throw SearchStopped(signal: signal) }
        var done = event
        done.phase = .finished(result)
        observe(done)
        return result
    }

    private func reused(_ result: EvaluationResult, _ event: TrainingEvent, source: String) -> EvaluationResult {
        var done = event
        done.phase = .reused(result, source: source)
        observe(done)
        return result
    }
}
