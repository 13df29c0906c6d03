import Detection

/// The funnel: how many candidates each stage removed. Each count is kept once: the screening
/// stages' in `screening`, the trainings' here.
public struct Funnel: Sendable, Equatable {
    /// What the screening stages removed.
    public var screening = ScreeningCounts()
    /// Trained by MOS (a result, ok or diverged), and of those below MOS's bar or diverged.
    public var mosTrained = 0
    /// Of those, how many fell below MOS's bar or diverged.
    public var mosRejected = 0
    /// Trainings on the proxy task (failed ones included: they spent the budget).
    public var proxyEvaluated = 0
    /// Of those, the ones a hurdle ended early (multi-fidelity training), and what all of them
    /// cost in whole proxy trainings (a training ended at half its schedule costs 0.5; one going
    /// on from its MOS rung of 0.25 costs 0.25 less, which MOS trained and counts).
    public var proxyPruned = 0
    /// What the proxy trainings cost, in whole proxy trainings.
    public var proxyEquivalents = 0.0
    /// Whole proxy trainings spent at both stages (`TrainingCosts`): what
    /// `--max-evals` counts, and the ablation's machine-independent clock. `proxyEquivalents`
    /// counts the proxy stage's alone.
    public var trainingsSpent = 0.0
    /// Evaluations that failed (the evaluator gave no result), at either stage: not rejections.
    public var failed = 0

    /// An empty funnel.
    public init() {}

    /// Candidates screened.
    public var generated: Int { screening.screened }
    /// Removed by validity.
    public var invalid: Int { screening.rejected[.validity, default: 0] }
    /// Removed as duplicates of a canonical form seen before.
    public var duplicate: Int { screening.rejected[.dedup, default: 0] }
    /// Removed by convergence property verification.
    public var cpvRejected: Int { screening.rejected[.cpv, default: 0] }
    /// Removed as equivalent (by fingerprint) to a loss seen before.
    public var equivalent: Int { screening.rejected[.equivalence, default: 0] }

    /// The share of generated candidates removed before the proxy task.
    public var removedBeforeProxy: Double { generated == 0 ? 0 : 1 - Double(proxyEvaluated) / Double(generated) }
}

extension Funnel {
    /// What one training cost in whole proxy trainings (`TrainingCosts`, exact there).
    public static func cost(of result: EvaluationResult, stage: TrainingStage, options: SearchOptions) -> Double {
        TrainingCosts(options).cost(of: result, stage: stage).value
    }
}
