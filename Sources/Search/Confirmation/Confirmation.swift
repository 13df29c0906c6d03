import Detection
import Foundation
import LossLanguage
import Verification

/// `autoloss confirm`: does a found loss beat the tuned baseline? (DESIGN.md, "Search",
/// "Confirmation"). Each contender (the baseline first, then the losses to confirm) fills the
/// confirmed slot beside the same partner; each gets its own setting tuned (the regression
/// weight, and for sigmoid focal alpha and gamma: `BaselineTuning`'s sweeps, so that no loss
/// wins by a weight the baseline was denied), then is trained at its best setting with every
/// seed at the whole schedule and at each further horizon (twice the steps, say: a loss good
/// early and poor late shows there). Per loss and horizon the mean AP, its deviation, and the
/// difference to the baseline with Welch's 95 % interval give a verdict: better, level or worse.
///
/// The tuning is successive halving by hurdles where the evaluator scores rungs (the built-in
/// detector): the first seed of each setting trains with the rungs `rungs`, and a setting whose
/// AP at a rung falls below the best so far there (less `margin`) ends at that rung; whole
/// trainings only for the settings that keep up. Other evaluators train every setting whole.
/// The `finalists` best of those whole trainings then train with every seed, and the best mean
/// over the seeds is the tuned setting: one seed's luck, as large as the gaps between weights on
/// a noisy task, does not choose it.
public struct Confirmation: Codable, Sendable, Equatable {
    /// One loss in the confirmed slot, as given: a known loss's name or a formula.
    public struct Contender: Codable, Sendable, Equatable, Hashable {
        /// The loss: a known loss's name or a formula.
        public var loss: String
        /// Whether it is the run's baseline, against which the others are measured.
        public var isBaseline: Bool

        /// A contender.
        public init(loss: String, isBaseline: Bool = false) {
            self.loss = loss
            self.isBaseline = isBaseline
        }
    }

    /// The confirmed slot (`reg`, or the classification mode).
    public var branch: Branch
    /// The classification head's mode.
    public var mode: Branch
    /// The loss of the other slot, the same for every contender.
    public var partner: String
    /// The baseline first.
    public var contenders: [Contender]
    /// The training seeds of each tuned setting (the first also tunes).
    public var seeds: [UInt64]
    /// Multiples of the schedule's steps each tuned setting is trained at; the first is the
    /// tuning's (1: the run's schedule).
    public var horizons: [Double]
    /// The regression weights the tuning tries.
    public var weights: [Float] = [0.5, 1, 2, 3, 5]
    /// Focal's alphas the tuning tries (sigmoid focal only).
    public var alphas: [Float] = [0.25, 0.5, 0.75]
    /// Focal's gammas the tuning tries (sigmoid focal only).
    public var gammas: [Int] = [0, 1, 2]
    /// Past how many grid edges the weights may grow (`BaselineTuning.edgeExtensions`).
    public var edgeExtensions = 2
    /// The tuning's rungs (fractions of the schedule) and the AP points a setting may fall
    /// behind the best there and go on.
    public var rungs: [Double] = [0.25, 0.5]
    /// AP points a setting may fall behind the best at a rung and go on.
    public var margin: Double = 1
    /// How many of the tuning's best settings on the first seed train with every seed at the
    /// first horizon, the best mean among them being the tuned setting (1: the first seed alone
    /// chooses, as stores written before this choice did).
    public var finalists = 2

    /// A confirmation of `losses` against `baseline` in the `branch` slot, with `partner` in the other.
    public init(branch: Branch, mode: Branch, partner: String, baseline: String, losses: [String], seeds: [UInt64] = [1, 2, 3],
                horizons: [Double] = [1, 2]) {
        self.branch = branch
        self.mode = mode
        self.partner = partner
        contenders = [Contender(loss: baseline, isBaseline: true)] + losses.map { Contender(loss: $0) }
        self.seeds = seeds
        self.horizons = horizons
    }

    private enum CodingKeys: String, CodingKey {
        case branch, mode, partner, contenders, seeds, horizons, weights, alphas, gammas, edgeExtensions, rungs, margin, finalists
    }

    /// A stored plan; one written before `finalists` existed chose on the first seed alone.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        branch = try c.decode(Branch.self, forKey: .branch)
        mode = try c.decode(Branch.self, forKey: .mode)
        partner = try c.decode(String.self, forKey: .partner)
        contenders = try c.decode([Contender].self, forKey: .contenders)
        seeds = try c.decode([UInt64].self, forKey: .seeds)
        horizons = try c.decode([Double].self, forKey: .horizons)
        weights = try c.decode([Float].self, forKey: .weights)
        alphas = try c.decode([Float].self, forKey: .alphas)
        gammas = try c.decode([Int].self, forKey: .gammas)
        edgeExtensions = try c.decode(Int.self, forKey: .edgeExtensions)
        rungs = try c.decode([Double].self, forKey: .rungs)
        margin = try c.decode(Double.self, forKey: .margin)
        finalists = try c.decodeIfPresent(Int.self, forKey: .finalists) ?? 1
    }

    /// Why this plan cannot run, in words, or nil.
    public var problem: String? {
        if finalists < 1 { return "at least one finalist of the tuning" }
        if seeds.isEmpty { return "no seeds to train with" }
        if Set(seeds).count != seeds.count { return "a seed is given twice" }
        if horizons.isEmpty || horizons.contains(where: { !($0 > 0 && $0 <= 8) }) { return "each horizon is a multiple of the schedule in (0, 8]" }
        if Set(horizons).count != horizons.count { return "a horizon is given twice" }
        if contenders.count < 2 { return "no loss to confirm beside the baseline" }
        if Set(contenders.map(\.loss)).count != contenders.count { return "a loss is given twice (the baseline counts)" }
        return nil
    }

    /// The tuning of one contender's pair: its grid, focal's sweep where its classification
    /// loss is sigmoid focal.
    public func tuning(_ contender: Contender) -> BaselineTuning {
        let (cls, reg) = branch == .reg ? (partner, contender.loss) : (contender.loss, partner)
        var t = BaselineTuning(mode: mode, classification: cls, regression: reg)
        t.weights = weights
        t.alphas = alphas
        t.gammas = gammas
        t.seeds = [seeds[0]]
        t.edgeExtensions = edgeExtensions
        return t
    }

    /// The pair a contender trains with at `setting` (focal's gamma in its formula).
    public func pair(_ contender: Contender, setting: BaselineTuning.Setting) throws -> LossPair {
        let t = tuning(contender)
        let classification = try t.classificationLoss(setting)
        let regression = try RegressionSlot.Kind.resolve(t.regression)
        return LossPair(classification: classification, mode: mode, regression: regression)
    }

    /// The most trainings it may take: each contender's grid (its edges grown as far as they may
    /// be), its finalists' further seeds, then every seed at every horizon but the tuning's first
    /// seed at the first horizon.
    public var maxTrainings: Double {
        contenders.reduce(0.0) { total, c in
            let t = tuning(c)
            let grid = t.weights.count + edgeExtensions + (t.tunesFocal ? t.alphas.count * t.gammas.count + t.weights.count + edgeExtensions : 0)
            let finals = Double(min(finalists, grid) - 1) * Double(seeds.count - 1) * horizons[0]
            return total + Double(grid) + finals + horizons.reduce(0) { $0 + $1 * Double(seeds.count) } - horizons[0]
        }
    }

    /// `whole`, the settings whose training on the first seed at the first horizon went to its
    /// end with its AP (a diverged one 0) in the order they were tried, best first (the earlier
    /// on a tie).
    public static func ranked(_ whole: [(setting: BaselineTuning.Setting, ap: Double)]) -> [(setting: BaselineTuning.Setting, ap: Double)] {
        whole.enumerated().sorted { $0.element.ap != $1.element.ap ? $0.element.ap > $1.element.ap : $0.offset < $1.offset }.map(\.element)
    }

    /// The finalists among `whole` (as `ranked` takes it): its `finalists` best, less any beside
    /// the best that learned nothing on the first seed (AP 0, or diverged): more seeds of it would
    /// be trainings spent on a setting that cannot win.
    public func finalists(of whole: [(setting: BaselineTuning.Setting, ap: Double)]) -> [BaselineTuning.Setting] {
        Self.ranked(whole).prefix(finalists).enumerated().filter { $0.offset == 0 || $0.element.ap > 0 }.map(\.element.setting)
    }

    /// The tuned setting: of the finalists of `whole`, the best mean AP over the seeds at the
    /// first horizon (`ap` of a setting and seed: nil where it has none yet, left out of the
    /// mean), the better on the first seed on a tie; nil where `whole` is empty.
    public func tunedSetting(_ whole: [(setting: BaselineTuning.Setting, ap: Double)],
                             ap: (BaselineTuning.Setting, UInt64) -> Double?) -> BaselineTuning.Setting? {
        let finals = finalists(of: whole)
        guard finals.count > 1 else { return finals.first }
        var best: (setting: BaselineTuning.Setting, mean: Double)?
        for s in finals {
            let aps = seeds.compactMap { ap(s, $0) }
            guard !aps.isEmpty else { continue }
            let mean = sampleMean(aps)
            if best == nil || mean > best!.mean { best = (s, mean) }
        }
        return best?.setting ?? finals.first
    }
}
