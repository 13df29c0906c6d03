import Detection
import Foundation
import LossLanguage

/// One evaluation described by a folder (DESIGN.md, "Evaluations, workers and executors"):
/// `formula.txt`, `prefix.txt`, `loss.py` for the searched slot; `partner.txt`,
/// `partner_prefix.txt`, `partner.py` for the other; `candidate.json` with branch, mode, stage,
/// seed, generation, slot, threads, the MOS verification images where the search has them and,
/// for the built-in evaluators, the evaluator and its schedule scale. An external command reads it; `autoloss evaluate DIR` runs it with any
/// evaluator and writes result.json.
public struct CandidateFolder: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    /// The folder's name for a candidate at a stage and seed: one folder per evaluation.
    public static func name(_ pair: LossPair, searched branch: Branch, stage: TrainingStage, seed: UInt64) -> String {
        let candidate = branch == .reg ? pair.regression : pair.classification
        // A built-in baseline (DIoU, CIoU) is no formula: its own key, not its stand-in's.
        let key = branch == .reg ? pair.builtinRegression.map { "builtin:\($0.rawValue)" } : nil
        return "\(stage.rawValue)-\(String(FNV1a.hash(key ?? candidate.canonicalString(in: branch)), radix: 16))-s\(seed)"
    }

    public var resultFile: URL { url.appendingPathComponent("result.json") }

    /// Writes the evaluation's files (and removes an old result and output).
    public func write(_ pair: LossPair, searched branch: Branch, stage: TrainingStage, seed: UInt64, context: EvaluationContext,
                      jobs: Int, options: SearchOptions? = nil, checkpoints: URL? = nil, verificationImages: [VerificationImage] = []) throws {
        let candidate = branch == .reg ? pair.regression : pair.classification
        let partner = branch == .reg ? pair.classification : pair.regression
        let partnerBranch: Branch = branch == .reg ? pair.mode : .reg
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let files = [("formula.txt", candidate.infix), ("prefix.txt", candidate.prefix(branch: branch)), ("loss.py", candidate.pytorch(branch: branch)),
                     ("partner.txt", partner.infix), ("partner_prefix.txt", partner.prefix(branch: partnerBranch)),
                     ("partner.py", partner.pytorch(branch: partnerBranch))]
        for (name, text) in files { try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        var meta: [String: Any] = ["branch": branch.rawValue, "formula": candidate.infix, "prefix": candidate.prefix(branch: branch),
                                   "partner": partner.infix, "partner_branch": partnerBranch.rawValue, "stage": stage.rawValue, "seed": seed,
                                   "mode": pair.mode.rawValue, "threads": Executor.threadShare(jobs: jobs)]
        meta["generation"] = context.generation
        meta["slot"] = context.slot
        meta["hurdles"] = context.hurdles
        meta["checkpoints"] = checkpoints?.path
        if let builtin = pair.builtinRegression { meta["builtin_regression"] = builtin.rawValue }
        if !verificationImages.isEmpty {
            meta["verification_images"] = verificationImages.map { ["id": $0.id, "file": $0.file] as [String: Any] }
        }
        if let options {
            meta["evaluator"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(options.evaluator))
            let settings = try JSONSerialization.jsonObject(with: JSONEncoder().encode(DetectorSettings(options))) as? [String: Any] ?? [:]
            meta.merge(settings) { $1 }
        }
        try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys]).write(to: url.appendingPathComponent("candidate.json"))
        for file in ["result.json", "stdout.txt", "stderr.txt"] { try? FileManager.default.removeItem(at: url.appendingPathComponent(file)) }
    }

    /// What the folder asks for, read back: the pair (from the authors' prefix forms, which
    /// print every constant exactly), the stage, the seed, and the evaluator where it names one.
    public struct Request: Sendable {
        public var pair: LossPair
        public var searched: Branch
        public var stage: TrainingStage
        public var seed: UInt64
        public var evaluator: EvaluatorChoice?
        /// How the built-in detector trains (empty for the other evaluators).
        public var settings: DetectorSettings
        /// The hurdles at the proxy training's rungs (AP in percent), and whose training it is.
        public var hurdles: [Double]?
        /// Where the built-in detector keeps its trainings' checkpoints: the run's folder for
        /// them, shared by the MOS and proxy trainings of a candidate (nil: this folder's).
        public var checkpoints: URL?
        public var generation: Int?
        public var slot: Int?
    }

    public func request() throws -> Request {
        func bad(_ reason: String) -> SearchError { .options("\(url.path) is not a candidate folder: \(reason)") }
        guard let data = FileManager.default.contents(atPath: url.appendingPathComponent("candidate.json").path),
              let meta = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw bad("no readable candidate.json") }
        guard let branch = (meta["branch"] as? String).flatMap(Branch.init(rawValue:)),
              let mode = (meta["mode"] as? String).flatMap(Branch.init(rawValue:)),
              let stage = (meta["stage"] as? String).flatMap(TrainingStage.init(rawValue:)),
              let seed = (meta["seed"] as? NSNumber)?.uint64Value else { throw bad("candidate.json needs branch, mode, stage and seed") }
        let partnerBranch: Branch = branch == .reg ? mode : .reg
        func formula(_ file: String, _ b: Branch) throws -> Expr {
            guard let text = try? String(contentsOf: url.appendingPathComponent(file), encoding: .utf8) else { throw bad("no \(file)") }
            return try Expr.parse(text.trimmingCharacters(in: .whitespacesAndNewlines), branch: b)
        }
        let candidate = try formula("prefix.txt", branch), partner = try formula("partner_prefix.txt", partnerBranch)
        let builtin = (meta["builtin_regression"] as? String).flatMap(BoxDistanceLoss.init(rawValue:))
        let pair = branch == .reg ? LossPair(classification: partner, mode: mode, regression: candidate, builtinRegression: builtin)
            : LossPair(classification: candidate, mode: mode, regression: partner, builtinRegression: builtin)
        let evaluator = try (meta["evaluator"]).map { try JSONDecoder().decode(EvaluatorChoice.self, from: JSONSerialization.data(withJSONObject: $0)) }
        let settings: DetectorSettings
        do { settings = try JSONDecoder().decode(DetectorSettings.self, from: data) } catch { throw bad("candidate.json's detector settings: \(error)") }
        return Request(pair: pair, searched: branch, stage: stage, seed: seed, evaluator: evaluator, settings: settings,
                       hurdles: (meta["hurdles"] as? [NSNumber])?.map(\.doubleValue),
                       checkpoints: (meta["checkpoints"] as? String).map { URL(fileURLWithPath: $0) },
                       generation: (meta["generation"] as? NSNumber)?.intValue, slot: (meta["slot"] as? NSNumber)?.intValue)
    }

    /// result.json read back as the search reads it (`ResultFile`); a missing file is a failure.
    public func readResult(seconds: Double = 0) -> EvaluationResult {
        guard let data = FileManager.default.contents(atPath: resultFile.path) else {
            return EvaluationResult(status: .failed, seconds: seconds, reason: "no result.json in \(url.path)")
        }
        return ResultFile.parse(data, seconds: seconds)
    }

    /// Writes result.json in one step (a reader never sees half of it), in the form `ResultFile`
    /// reads, every number exact (JSONEncoder writes the shortest form that reads back the same).
    public func writeResult(_ r: EvaluationResult) throws {
        struct Written: Encodable {
            var status: String
            var stats: [Double]?
            var reason: String?
            var seconds: Double
            var rungs: [EvaluationResult.Rung]?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let written = Written(status: r.status.rawValue, stats: r.status == .ok || r.status == .pruned ? r.stats : nil,
                              reason: r.reason.isEmpty ? nil : r.reason, seconds: r.seconds, rungs: r.rungs)
        try encoder.encode(written).write(to: resultFile, options: .atomic)
    }
}

/// One image of the MOS verification set, as candidate.json names it: its id in the dataset
/// (COCO's image id) and its file name in the training split's image folder.
public struct VerificationImage: Sendable, Equatable {
    public var id: Int
    public var file: String

    public init(id: Int, file: String) {
        self.id = id
        self.file = file
    }
}
