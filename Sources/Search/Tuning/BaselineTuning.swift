import Detection
import Foundation
import LossLanguage
import Verification

/// `autoloss tune-baseline`: a baseline pair's settings swept on the proxy task with several
/// seeds before any candidate is measured against it (issue 18: a hand-made baseline at an
/// untuned weight made part of a found loss's "gain" a change of weight).
///
/// Two sweeps, each setting trained once per seed from the preset's fixed initial weights:
/// 1. the regression weight λ (the second slot's weight against the classification loss);
/// 2. where the classification loss is sigmoid focal loss, its alpha and gamma on a grid, at the
///    best λ of the first sweep (coordinate-wise: the full product would take the grid's size
///    times longer, and λ and focal's alpha act on different slots);
/// 3. where that moved alpha or gamma, λ again at the new ones (the size of the classification
///    loss, so λ's best, depends on them: focal at gamma 0 is 2.7 AP above gamma 2 at λ 3).
/// The best setting has the highest mean AP over the seeds. Every training is written to
/// `trainings/` in the output folder as it ends, and a rerun with the same folder trains only
/// what is missing, so an interrupted tuning loses at most the training under way.
public struct BaselineTuning: Sendable {
    /// One point of the grid.
    public struct Setting: Hashable, Sendable, Codable {
        /// The regression weight λ.
        public var weight: Float
        /// Focal's alpha and gamma; nil where the loss is not focal.
        public var alpha: Float?
        /// Focal's gamma (sigmoid focal only).
        public var gamma: Int?

        /// A setting.
        public init(weight: Float, alpha: Float? = nil, gamma: Int? = nil) {
            self.weight = weight
            self.alpha = alpha
            self.gamma = gamma
        }

        /// The file stem of its trainings, e.g. `w3-a0.25-g2`.
        public var stem: String {
            "w\(Self.number(weight))" + (alpha.map { "-a\(Self.number($0))" } ?? "") + (gamma.map { "-g\($0)" } ?? "")
        }

        /// `schedule` with this setting's weight and, where set, focal's alpha (its gamma is in
        /// the formula): one place for the tuning's trainings and a tuned search's.
        public func apply(to schedule: inout TrainingSchedule) {
            schedule.regressionWeight = weight
            if let alpha { schedule.focalAlpha = alpha }
        }

        /// As a reader says it: `λ 3, alpha 0.25, gamma 2`.
        public var label: String {
            "λ \(Self.number(weight))" + (alpha.map { ", alpha \(Self.number($0))" } ?? "") + (gamma.map { ", gamma \($0)" } ?? "")
        }

        /// A number as a setting's name writes it: `2`, `0.5`.
        public static func number(_ v: Float) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%g", Double(v)) }
    }

    /// A setting's trainings: AP (points) per seed (by the seed's decimal text, JSON's keys), 0
    /// where a seed diverged.
    public struct Outcome: Sendable, Codable {
        /// The setting.
        public var setting: Setting
        /// AP (percent) per seed.
        public var aps: [String: Double]
        /// An outcome.
        public init(setting: Setting, aps: [String: Double] = [:]) {
            self.setting = setting
            self.aps = aps
        }
        /// The mean AP over the seeds.
        public var mean: Double { sampleMean(Array(aps.values)) }
        /// The sample standard deviation over the seeds (0 with one seed).
        public var sd: Double { sampleDeviation(Array(aps.values)) }
    }

    /// The classification head's mode.
    public var mode: Branch
    /// The classification loss as given (a name or formula); `focal` gets the gamma sweep.
    public var classification: String
    /// The regression loss.
    public var regression: String
    /// Regression weights tried first.
    public var weights: [Float] = [0.5, 1, 2, 3, 5]
    /// Focal's alphas tried.
    public var alphas: [Float] = [0.25, 0.5, 0.75]
    /// Focal's gammas tried.
    public var gammas: [Int] = [0, 1, 2]
    /// Training seeds of every setting.
    public var seeds: [UInt64] = [1, 2, 3]
    /// How many weights the sweep may add past the grid's edge while the best weight lies on it
    /// (0: the grid as given). A best at the edge is not a tuned weight: GIoU with CE kept
    /// gaining up to λ 5, the default grid's top.
    public var edgeExtensions = 4

    /// A tuning of the pair.
    public init(mode: Branch, classification: String, regression: String) {
        self.mode = mode
        self.classification = classification
        self.regression = regression
    }

    /// Whether the classification loss gets focal's alpha and gamma sweep.
    public var tunesFocal: Bool { mode == .sigmoid && classification == "focal" }

    /// The classification formula at `setting` (focal's gamma substituted).
    public func classificationLoss(_ setting: Setting) throws -> Expr {
        if let gamma = setting.gamma, tunesFocal {
            return try Expr.parse(KnownLoss.focalSigmoid(gamma: gamma), branch: .sigmoid)
        }
        return try ProxyTrainer.classificationLoss(classification, mode: mode)
    }

    /// The first sweep's settings (focal at its published alpha 0.25 and gamma 2).
    public var weightSweep: [Setting] {
        weightSweep(alpha: firstSweep.alpha, gamma: firstSweep.gamma)
    }

    /// The alpha and gamma the first sweep runs at: focal's published ones, nil for other losses.
    var firstSweep: (alpha: Float?, gamma: Int?) {
        tunesFocal ? (Self.publishedAlpha, Self.publishedGamma) : (nil, nil)
    }

    /// Focal's settings in its paper (and every torchvision detector's default).
    static let publishedAlpha: Float = 0.25
    static let publishedGamma = 2

    /// The grid's weights at one alpha and gamma.
    func weightSweep(alpha: Float?, gamma: Int?) -> [Setting] {
        weights.map { Setting(weight: $0, alpha: alpha, gamma: gamma) }
    }

    /// Whether the third sweep runs at `best`: where focal's sweep moved alpha or gamma off the
    /// published ones the weights were swept at. A gamma of 0 keeps the easy examples' loss that
    /// gamma 2 discounts, so the classification loss is larger and λ's best moves (coordinate-wise
    /// tuning's second pass, on the one coordinate that depends on the other).
    public func sweepsWeightsAgain(after best: Setting) -> Bool {
        guard tunesFocal, let alpha = best.alpha, let gamma = best.gamma else { return false }
        return alpha != Self.publishedAlpha || gamma != Self.publishedGamma
    }

    /// The second sweep's settings at `weight` (empty unless the loss is focal).
    public func focalSweep(weight: Float) -> [Setting] {
        guard tunesFocal else { return [] }
        return alphas.flatMap { a in gammas.map { Setting(weight: weight, alpha: a, gamma: $0) } }
    }

    /// The next weight past the edge of `weights` where `best` lies: twice the largest, or half
    /// the smallest (down to 1/16); nil where `best` lies inside, or the grid may not grow there.
    public static func beyondEdge(best: Float, weights: [Float]) -> Float? {
        guard let low = weights.min(), let high = weights.max() else { return nil }
        if best == high, high * 2 <= 1000 { return high == 0 ? 1 : high * 2 }
        if best == low, low > 1.0 / 16 { return low / 2 }
        return nil
    }

    /// The best of `outcomes`: the highest mean AP (the earlier on a tie).
    public static func best(_ outcomes: [Outcome]) -> Outcome? {
        outcomes.reduce(nil) { best, o in best.map { o.mean > $0.mean ? o : $0 } ?? o }
    }
}
