import Foundation
import Verification

/// A confirmation's verdicts, computed from its stored trainings alone (so `report` shows the
/// same as `confirm` printed): each contender's tuned setting (the best of its tuning's whole
/// trainings, the earlier on a tie), and per horizon its APs over the seeds and, beside the
/// baseline's at the same horizon, the difference with Welch's 95 % interval and a verdict.
public struct ConfirmationSummary: Sendable {
    /// One contender's figures at one horizon.
    public struct Horizon: Sendable {
        /// The multiple of the schedule's steps.
        public var horizon: Double
        /// AP per seed that gave one (a diverged training counts 0; a failed one is missing).
        public var aps: [Double]
        /// Against the baseline at this horizon; nil for the baseline, or below two seeds a side.
        public var interval: WelchInterval?

        /// The mean AP over the seeds.
        public var mean: Double { sampleMean(aps) }
        /// The sample deviation of the APs.
        public var sd: Double { sampleDeviation(aps) }
    }

    /// One contender's tuned setting and figures per horizon.
    public struct Contender: Sendable {
        /// The loss, as given.
        public var contender: Confirmation.Contender
        /// nil: no setting of its tuning trained to its end.
        public var setting: BaselineTuning.Setting?
        /// Its figures per horizon of the plan.
        public var horizons: [Horizon]
        /// Its tuning's trainings, and how many of them a hurdle ended.
        public var tuningTrainings: Int
        /// How many of its tuning's trainings a hurdle ended.
        public var pruned: Int
    }

    /// The confirmation's plan.
    public let plan: Confirmation
    /// The baseline first, then the losses, as planned.
    public let contenders: [Contender]
    /// Whole trainings spent (a training a hurdle ended counts its fraction; a longer horizon its multiple).
    public let trainingsSpent: Double

    /// The verdicts of `trainings` under `plan`.
    public init(plan: Confirmation, trainings: [ConfirmationTraining]) {
        self.plan = plan
        var byKey: [String: ConfirmationTraining] = [:]
        for t in trainings { byKey[t.key] = t }
        trainingsSpent = byKey.values.reduce(0) { $0 + $1.result.cost * $1.horizon }
        var rows: [Contender] = []
        for c in plan.contenders {
            let tuning = trainings.filter { $0.loss == c.loss && $0.phase == .tune }
            var best: (setting: BaselineTuning.Setting, ap: Double)?
            for t in tuning where t.seed == plan.seeds[0] && t.horizon == plan.horizons[0] {
                let ap: Double
                switch t.result.status {
                case .ok: ap = t.result.ap ?? 0
                case .diverged: ap = 0
                case .failed, .pruned: continue
                }
                if best == nil || ap > best!.ap { best = (t.setting, ap) }
            }
            let horizons = plan.horizons.map { h in
                Horizon(horizon: h, aps: best.map { b in
                    plan.seeds.compactMap { seed -> Double? in
                        guard let r = byKey[ConfirmationTraining.key(loss: c.loss, setting: b.setting, seed: seed, horizon: h)]?.result else { return nil }
                        return r.status == .ok ? r.ap : (r.status == .diverged ? 0 : nil)
                    }
                } ?? [], interval: nil)
            }
            rows.append(Contender(contender: c, setting: best?.setting, horizons: horizons, tuningTrainings: tuning.count,
                                  pruned: tuning.filter { $0.result.status == .pruned }.count))
        }
        if let baseline = rows.first {
            for k in rows.indices.dropFirst() {
                for h in rows[k].horizons.indices {
                    rows[k].horizons[h].interval = WelchInterval(rows[k].horizons[h].aps, baseline.horizons[h].aps)
                }
            }
        }
        contenders = rows
    }
}
