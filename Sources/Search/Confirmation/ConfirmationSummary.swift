import Foundation
import Verification

/// A confirmation's verdicts, computed from its stored trainings alone (so `report` shows the
/// same as `confirm` printed): each contender's tuned setting (`Confirmation.tunedSetting`) and
/// how it was chosen, and per horizon its APs over the seeds and, beside the baseline's at the
/// same horizon, the difference with Welch's 95 % interval and a verdict.
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
        /// The settings whose first-seed training went to its end, with its AP, as tried.
        public var whole: [(setting: BaselineTuning.Setting, ap: Double)] = []
        /// Those of `whole` that diverged (their AP counted 0).
        public var diverged: [BaselineTuning.Setting] = []
        /// The finalists, with their APs over the seeds at the first horizon (seed order); empty
        /// where one setting alone was a finalist.
        public var finalists: [(setting: BaselineTuning.Setting, aps: [Double])] = []
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
            func ap(_ setting: BaselineTuning.Setting, _ seed: UInt64, _ horizon: Double) -> Double? {
                byKey[ConfirmationTraining.key(loss: c.loss, setting: setting, seed: seed, horizon: horizon)]?.result.wholeAP
            }
            let firstSeed = tuning.filter { $0.seed == plan.seeds[0] && $0.horizon == plan.horizons[0] }
            let whole = firstSeed.compactMap { t in t.result.wholeAP.map { (setting: t.setting, ap: $0) } }
            let best = plan.tunedSetting(whole) { ap($0, $1, plan.horizons[0]) }
            let horizons = plan.horizons.map { h in
                Horizon(horizon: h, aps: best.map { b in plan.seeds.compactMap { ap(b, $0, h) } } ?? [], interval: nil)
            }
            let finals = plan.finalists(of: whole)
            rows.append(Contender(contender: c, setting: best, horizons: horizons, tuningTrainings: tuning.count,
                                  pruned: tuning.filter { $0.result.status == .pruned }.count, whole: whole,
                                  diverged: firstSeed.filter { $0.result.status == .diverged }.map(\.setting),
                                  finalists: finals.count < 2 ? [] : finals.map { f in (f, plan.seeds.compactMap { ap(f, $0, plan.horizons[0]) }) }))
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
