import Detection
import Foundation
import LossLanguage
import TensorEngine

extension BaselineTuning {
    /// Where a tuning keeps its trainings and its summary.
    public struct Folder: Sendable {
        /// The folder.
        public let url: URL
        /// The tuning folder at `path`.
        public init(_ path: String) { url = URL(fileURLWithPath: path) }
        /// The trainings, kept as they end.
        public var trainings: URL { url.appendingPathComponent("trainings") }
        /// tuning.json: what `search --tuned-baseline` reads.
        public var summary: URL { url.appendingPathComponent("tuning.json") }
        func training(_ setting: Setting, seed: UInt64) -> URL { trainings.appendingPathComponent("\(setting.stem)-s\(seed).json") }
    }

    /// One training's record, as written to `trainings/`.
    struct Training: Codable {
        var setting: Setting
        var seed: UInt64
        var status: String
        var ap: Double
        var stats: [Double]
        var seconds: Double
        var reason: String
        /// The convolutions' number format it trained in (nil: a training from before the
        /// setting, float32).
        var precision: Precision?
    }

    /// Runs both sweeps on `data`'s proxy preset (scaled by `scheduleScale`) in `precision`,
    /// trains what `folder` does not hold yet, and writes the summary. `log` gets a line per
    /// training; `shouldStop` ends the tuning before its next step (`TrainingError.stopped`). A
    /// folder whose trainings were made in another precision is refused (they would mix).
    public func run(data: DetectorData, scheduleScale: Double?, precision: Precision = .fp32, folder: Folder, log: (String) -> Void,
                    shouldStop: @escaping () -> Bool) throws -> TunedBaseline {
        try FileManager.default.createDirectory(at: folder.trainings, withIntermediateDirectories: true)
        var schedule = data.schedule(for: .proxy)
        if let scheduleScale { schedule = schedule.scaled(scheduleScale) }
        schedule.precision = precision.resolved
        let regressionKind = try RegressionSlot.Kind.resolve(regression)
        let images = try data.prepare(.proxy, schedule: schedule)
        var outcomes: [Outcome] = []
        // Trains each setting not swept yet with every seed and adds its outcome.
        func sweep(_ settings: [Setting]) throws {
            for setting in settings where !outcomes.contains(where: { $0.setting == setting }) {
                var outcome = Outcome(setting: setting, aps: [:])
                for seed in seeds {
                    let training = try train(setting, seed: seed, schedule: schedule, regression: regressionKind, images: images,
                                             folder: folder, log: log, shouldStop: shouldStop)
                    outcome.aps["\(seed)"] = training.ap
                }
                log(String(format: "%@: AP %.2f ± %.2f over %d seeds", setting.label, outcome.mean, outcome.sd, seeds.count))
                outcomes.append(outcome)
            }
        }
        // λ at one alpha and gamma: the grid, grown past an edge while the best of this line lies on it.
        func sweepWeights(alpha: Float?, gamma: Int?) throws {
            func line() -> [Outcome] { outcomes.filter { $0.setting.alpha == alpha && $0.setting.gamma == gamma } }
            try sweep(weightSweep(alpha: alpha, gamma: gamma))
            for _ in 0..<edgeExtensions {
                let best = Self.best(line())!.setting
                guard let next = Self.beyondEdge(best: best.weight, weights: line().map(\.setting.weight)) else { break }
                log("\(best.label) is the best at the grid's edge: trying λ \(Setting.number(next))")
                var setting = best
                setting.weight = next
                try sweep([setting])
            }
        }
        try sweepWeights(alpha: firstSweep.alpha, gamma: firstSweep.gamma)
        try sweep(focalSweep(weight: Self.best(outcomes)!.setting.weight))
        let afterFocal = Self.best(outcomes)!.setting
        if sweepsWeightsAgain(after: afterFocal), let alpha = afterFocal.alpha, let gamma = afterFocal.gamma {
            log("\(afterFocal.label) is the best of alpha x gamma: λ again at alpha \(Setting.number(alpha)), gamma \(gamma)")
            try sweepWeights(alpha: alpha, gamma: gamma)
        }
        let tuned = TunedBaseline(mode: mode, classification: classification, regression: regression, data: data.name,
                                  scheduleScale: scheduleScale, seeds: seeds, outcomes: outcomes, best: Self.best(outcomes)!,
                                  precision: precision.resolved)
        try tuned.write(to: folder.summary)
        return tuned
    }

    /// One seed of one setting: read from the folder where it was trained before, else trained
    /// and written there.
    private func train(_ setting: Setting, seed: UInt64, schedule: TrainingSchedule, regression: RegressionSlot.Kind,
                       images: (train: TrainingImages, eval: TrainingImages), folder: Folder, log: (String) -> Void,
                       shouldStop: @escaping () -> Bool) throws -> Training {
        let file = folder.training(setting, seed: seed)
        if let data = try? Data(contentsOf: file), let done = try? JSONDecoder().decode(Training.self, from: data) {
            let made = done.precision ?? .fp32
            guard made == schedule.precision else {
                throw TrainingError.badSetting(.precision, value: schedule.precision.rawValue,
                                               reason: "\(folder.url.path) holds trainings made in \(made.rawValue): tune in \(made.rawValue) there, or into another folder")
            }
            return done
        }
        var s = schedule
        setting.apply(to: &s)
        let trainer = try ProxyTrainer(mode: mode, classification: try classificationLoss(setting), regression: regression, schedule: s)
        let result = try trainer.train(images.train, evaluateOn: images.eval, seed: seed, shouldStop: shouldStop)
        let training = Training(setting: setting, seed: seed, status: result.status.rawValue, ap: (result.metrics?.ap ?? 0) * 100,
                                stats: result.stats, seconds: result.seconds, reason: result.reason, precision: s.precision)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try RunFile.replace(file, with: encoder.encode(training))
        log(String(format: "%@, seed %llu: %@ in %.0f s", setting.label, seed,
                   result.status == .ok ? String(format: "AP %.2f", training.ap) : "diverged (\(result.reason))", result.seconds))
        return training
    }
}

/// The best setting of a tuning as a search keeps it (in its options, so in its store): what its
/// trainings use, and what its lines and report say the gain is over.
public struct TunedSetting: Codable, Equatable, Sendable {
    /// The regression weight λ.
    public var weight: Float
    /// Focal's alpha (sigmoid focal only).
    public var alpha: Float?
    /// Focal's gamma (sigmoid focal only).
    public var gamma: Int?
    /// The tuning's mean AP and sample standard deviation over its seeds.
    public var ap: Double
    /// The sample deviation of the APs.
    public var sd: Double
    /// How many seeds.
    public var seeds: Int

    /// A tuned setting.
    public init(weight: Float, alpha: Float?, gamma: Int?, ap: Double, sd: Double, seeds: Int) {
        self.weight = weight
        self.alpha = alpha
        self.gamma = gamma
        self.ap = ap
        self.sd = sd
        self.seeds = seeds
    }

    /// The point of the tuning's grid it was.
    public var setting: BaselineTuning.Setting { BaselineTuning.Setting(weight: weight, alpha: alpha, gamma: gamma) }

    /// "λ 3, alpha 0.5: AP 61.87 ± 0.21 over 3 seeds".
    public var label: String { setting.label + String(format: ": AP %.2f ± %.2f over %d seeds", ap, sd, seeds) }
}

/// A tuned baseline: the pair, every setting's outcome, and the best, as `tune-baseline` writes
/// it (`tuning.json`) and `search --tuned-baseline` reads it.
public struct TunedBaseline: Sendable, Codable {
    /// The classification head's mode.
    public var mode: Branch
    /// The classification loss.
    public var classification: String
    /// The regression loss.
    public var regression: String
    /// The data tuned on.
    public var data: String
    /// The proxy schedule's scale (nil: 1).
    public var scheduleScale: Double?
    /// The training seeds.
    public var seeds: [UInt64]
    /// Every setting tried, with its APs.
    public var outcomes: [BaselineTuning.Outcome]
    /// The best setting.
    public var best: BaselineTuning.Outcome
    /// The convolutions' number format it trained in (nil: a tuning from before the setting,
    /// float32).
    public var precision: Precision?

    /// Writes it as JSON.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try RunFile.replace(url, with: encoder.encode(self))
    }

    /// Reads `tuning.json`, or a folder holding one; a missing or unreadable file throws with the path.
    public static func read(_ path: String) throws -> TunedBaseline {
        var url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url = url.appendingPathComponent("tuning.json")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SearchError.invalid(SearchProblem(.tunedBaseline, value: path, "cannot read \(url.path): tune the baseline into that folder first",
                                                     remedy: .tuneBaseline(into: path)))
        }
        do { return try JSONDecoder().decode(TunedBaseline.self, from: data) } catch {
            throw SearchError.invalid(SearchProblem(.tunedBaseline, value: url.path, "not a tuning written by tune-baseline (\(error))"))
        }
    }

    /// The best setting as a search carries it.
    public var setting: TunedSetting {
        TunedSetting(weight: best.setting.weight, alpha: best.setting.alpha, gamma: best.setting.gamma, ap: best.mean, sd: best.sd,
                     seeds: seeds.count)
    }

    /// Says why a search of `o` cannot be measured against this tuning (another pair, data or
    /// schedule), or nil.
    public func mismatch(with o: SearchOptions) -> String? {
        let (cls, reg) = o.branch == .reg ? (o.partner, o.baseline) : (o.baseline, o.partner)
        let dataName: String
        if case .detector(let d) = o.evaluator { dataName = d } else { dataName = "-" }
        if mode != o.mode || classification != cls || regression != reg {
            return "it tuned \(classification) + \(regression) in \(mode.rawValue) mode; this search's baseline pair is \(cls) + \(reg) in \(o.mode.rawValue) mode"
        }
        if URL(fileURLWithPath: data).lastPathComponent != URL(fileURLWithPath: dataName).lastPathComponent {
            return "it trained on \(data); this search on \(dataName)"
        }
        if scheduleScale != o.scheduleScale {
            return "it trained at schedule scale \(scheduleScale ?? 1); this search at \(o.scheduleScale ?? 1)"
        }
        let tuned = precision ?? .fp32, searched = (o.precision ?? .fp32).resolved
        if tuned != searched {
            return "it trained in \(tuned.rawValue); this search would train in \(searched.rawValue): search in \(tuned.rawValue), or tune in \(searched.rawValue)"
        }
        return nil
    }

    /// The table of outcomes, in markdown, the best marked.
    public var table: String {
        var lines = ["| setting | AP per seed (\(seeds.map(String.init).joined(separator: ", "))) | mean ± sd |", "|---|---|---:|"]
        for o in outcomes {
            let per = seeds.map { o.aps["\($0)"].map { String(format: "%.2f", $0) } ?? "-" }.joined(separator: ", ")
            let mark = o.setting == best.setting ? "**" : ""
            lines.append(String(format: "| %@%@%@ | %@ | %@%.2f ± %.2f%@ |", mark, o.setting.label, mark, per, mark, o.mean, o.sd, mark))
        }
        return lines.joined(separator: "\n")
    }
}
