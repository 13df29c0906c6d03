import Detection
import Foundation

/// What the generational schedule says when the time limit reshapes a run as it goes: a machine
/// slower or busier than the plan (`SearchOptions.planned`) gives each generation's MOS stage
/// less room, so that its proxy trainings still end within the limit (`TimeLimit`).
extension Evolution {
    /// How much longer than planned this machine's trainings take now: the larger of the
    /// stages' ratios of their pace to the plan's seconds (nil without a plan or a pace).
    var slownessAgainstPlan: (ratio: Double, stage: TrainingStage, seconds: Double, planned: Double)? {
        guard let planned = options.planned else { return nil }
        let ratios: [(Double, TrainingStage, Double, Double)] = [(TrainingStage.proxy, planned.proxy), (.mos, planned.mos)].compactMap { stage, plan in
            guard plan > 0, let pace = clock.pace.mean(stage) else { return nil }
            return (pace / plan, stage, pace, plan)
        }
        return ratios.max { $0.0 < $1.0 }.map { (ratio: $0.0, stage: $0.1, seconds: $0.2, planned: $0.3) }
    }

    /// Says once, where the trainings take a quarter longer than planned or more, by how much and
    /// what the run does about it.
    func saySlowerThanPlanned() {
        guard !saidSlowerThanPlanned, clock.minutes != nil, let slow = slownessAgainstPlan, slow.ratio >= 1.25 else { return }
        saidSlowerThanPlanned = true
        notice(String(format: "re-plan: trainings take %.1fx the plan's time here (a %@ training ~%.0f s, planned ~%.0f s: a slower or busier machine); each generation trains only the MOS candidates whose proxy trainings still end within the time limit",
                      slow.ratio, slow.stage.rawValue, slow.seconds, slow.planned))
    }

    /// After a generation's MOS stage: says so where the time limit kept some of its candidates
    /// from training, or left room for fewer than the `wanted` proxy trainings it planned.
    func sayIfShortened(generation g: Int, trained: Int, of candidates: Int, proxyTrainings: Int, of wanted: Int) {
        saySlowerThanPlanned()
        guard trained < candidates || proxyTrainings < wanted, clock.minutes != nil,
              let mos = clock.seconds(.mos), let proxy = clock.seconds(.proxy) else { return }
        let mosPart = trained < candidates && budget.mosMayStart(after: trained) ? "trains \(trained) of its \(candidates) MOS candidates" : "trains its MOS candidates"
        let proxyPart = proxyTrainings < wanted ? "the best \(proxyTrainings) of them on the proxy instead of \(wanted)" : "then \(TimeLimit.proxyTrainings(proxyTrainings))"
        notice(String(format: "re-plan: generation %d %@ and %@, which end before the time limit at this machine's pace (a proxy training ~%.0f s here, a MOS training ~%.0f s)",
                      g + 1, mosPart, proxyPart, proxy, mos))
    }
}
