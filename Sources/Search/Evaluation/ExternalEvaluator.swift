import Detection
import Foundation
import LossLanguage

/// Evaluates candidates with the user's own training code: the way to train a real detector in
/// PyTorch / mmdetection, locally or on a Slurm cluster.
///
/// For each evaluation the search writes a folder holding, for the searched slot, `formula.txt`
/// (infix), `prefix.txt` (the authors' form) and `loss.py` (a PyTorch function, as `autoloss
/// export` writes it); the same for the other slot as `partner.txt`, `partner_prefix.txt` and
/// `partner.py`; and `candidate.json` ({"branch", "formula", "prefix", "partner", "partner_branch",
/// "stage", "seed"}). Then it runs `command` with `{dir}` replaced by that folder and the
/// environment variables AUTOLOSS_CANDIDATE_DIR and AUTOLOSS_STAGE set. The command writes
/// `result.json` in the folder: {"status": "ok" | "diverged", "stats": [12 COCO numbers]} (or
/// {"status": "ok", "ap": 0.37} with AP in [0, 1]). A non-zero exit or a missing or malformed
/// result is a failed evaluation whose reason quotes the end of the command's stderr.
public struct ExternalEvaluator: CandidateEvaluator {
    public var command: String
    public var workDirectory: URL
    public var executor: Executor

    public init(command: String, workDirectory: URL, executor: Executor = .local(jobs: 1)) {
        self.command = command
        self.workDirectory = workDirectory
        self.executor = executor
    }

    public func evaluate(_ pair: LossPair, searched branch: Branch, stage: TrainingStage, seed: UInt64) -> EvaluationResult {
        evaluate(pair, searched: branch, stage: stage, seed: seed, context: EvaluationContext())
    }

    public func evaluate(_ pair: LossPair, searched branch: Branch, stage: TrainingStage, seed: UInt64, context: EvaluationContext) -> EvaluationResult {
        let start = Date()
        let candidate = branch == .reg ? pair.regression : pair.classification
        let partner = branch == .reg ? pair.classification : pair.regression
        let partnerBranch: Branch = branch == .reg ? pair.mode : .reg
        func failed(_ reason: String) -> EvaluationResult {
            EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start), reason: reason)
        }
        let name = "\(stage.rawValue)-\(String(FNV1a.hash(candidate.canonicalString(in: branch)), radix: 16))-s\(seed)"
        let dir = workDirectory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try candidate.infix.write(to: dir.appendingPathComponent("formula.txt"), atomically: true, encoding: .utf8)
            try candidate.prefix(branch: branch).write(to: dir.appendingPathComponent("prefix.txt"), atomically: true, encoding: .utf8)
            try candidate.pytorch(branch: branch).write(to: dir.appendingPathComponent("loss.py"), atomically: true, encoding: .utf8)
            try partner.infix.write(to: dir.appendingPathComponent("partner.txt"), atomically: true, encoding: .utf8)
            try partner.prefix(branch: partnerBranch).write(to: dir.appendingPathComponent("partner_prefix.txt"), atomically: true, encoding: .utf8)
            try partner.pytorch(branch: partnerBranch).write(to: dir.appendingPathComponent("partner.py"), atomically: true, encoding: .utf8)
            let meta: [String: Any] = ["branch": branch.rawValue, "formula": candidate.infix, "prefix": candidate.prefix(branch: branch),
                                       "partner": partner.infix, "partner_branch": partnerBranch.rawValue, "stage": stage.rawValue, "seed": seed]
            try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys]).write(to: dir.appendingPathComponent("candidate.json"))
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("result.json"))
        } catch {
            return failed("cannot write the candidate's files in \(dir.path): \(error.localizedDescription)")
        }
        let shellCommand = command.replacingOccurrences(of: "{dir}", with: Self.shellQuoted(dir.path))
        let outcome = executor.run(shellCommand, in: dir, environment: ["AUTOLOSS_CANDIDATE_DIR": dir.path, "AUTOLOSS_STAGE": stage.rawValue],
                                   stop: context.stop)
        guard outcome.status == 0 else {
            return failed("the evaluator command exited with status \(outcome.status): \(Self.tail(outcome.stderr))")
        }
        guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent("result.json").path) else {
            return failed("the evaluator command wrote no result.json in \(dir.path)")
        }
        return Self.parseResult(data, seconds: Date().timeIntervalSince(start))
    }

    /// Reads result.json; anything unexpected is a failed evaluation saying what was wrong.
    static func parseResult(_ data: Data, seconds: Double) -> EvaluationResult {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return EvaluationResult(status: .failed, seconds: seconds, reason: "result.json is not a JSON object")
        }
        switch object["status"] as? String {
        case "diverged": return EvaluationResult(status: .diverged, seconds: seconds, reason: object["reason"] as? String ?? "loss went non-finite")
        case "ok":
            if let stats = object["stats"] as? [Double], stats.count == 12 { return EvaluationResult(status: .ok, stats: stats, seconds: seconds) }
            if let ap = object["ap"] as? Double {
                return EvaluationResult(status: .ok, stats: [ap] + [Double](repeating: -1, count: 11), seconds: seconds)
            }
            return EvaluationResult(status: .failed, seconds: seconds, reason: "result.json has status ok but neither 12 'stats' nor 'ap'")
        default:
            return EvaluationResult(status: .failed, seconds: seconds, reason: "result.json needs \"status\": \"ok\" or \"diverged\"")
        }
    }

    static func tail(_ text: String) -> String {
        let lines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? "(no output on stderr)" : String(lines.suffix(400))
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
