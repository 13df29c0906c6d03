import Detection
import Foundation
import LossLanguage

/// One evaluation described by a folder (DESIGN.md, "Evaluations, workers and executors"):
/// `candidate.json`, the `EvaluationRequest` written whole; beside it, for the user's own code,
/// `formula.txt`, `prefix.txt`, `loss.py` for the searched slot and `partner.txt`,
/// `partner_prefix.txt`, `partner.py` for the other (a built-in loss: its name in the .txt only). An external command reads them; `autoloss
/// evaluate DIR` reads the request back and runs it with the evaluator it names, and writes
/// result.json.
public struct CandidateFolder: Sendable {
    /// The folder.
    public let url: URL

    /// The candidate folder at `url`.
    public init(_ url: URL) { self.url = url }

    /// The folder's name for a request: one folder per candidate, stage and seed.
    public static func name(_ request: EvaluationRequest) -> String {
        // A confirmation training's setting and horizon make it another training of the same loss.
        let setting = request.setting.map { "-\($0.stem)" } ?? ""
        let horizon = request.horizon.map { "-h\(BaselineTuning.Setting.number(Float($0)))" } ?? ""
        return "\(request.stage.rawValue)-\(String(FNV1a.hash(request.candidateKey), radix: 16))\(setting)\(horizon)-s\(request.seed)"
    }

    /// candidate.json: the request, written whole.
    public var requestFile: URL { url.appendingPathComponent("candidate.json") }
    /// result.json: what the command wrote.
    public var resultFile: URL { url.appendingPathComponent("result.json") }
    /// The command's whole output, kept.
    public var stdoutFile: URL { url.appendingPathComponent("stdout.txt") }
    /// The command's whole stderr, kept.
    public var stderrFile: URL { url.appendingPathComponent("stderr.txt") }
    /// The shell command run here, and its process id while it runs (or its Slurm job's id):
    /// what a resumed search adopts.
    var commandFile: URL { url.appendingPathComponent("command.txt") }
    var pidFile: URL { url.appendingPathComponent("command.pid") }
    var slurmJobFile: URL { url.appendingPathComponent("slurm.job") }
    /// Held by the process evaluating the folder (`lock()`).
    public var lockFile: URL { url.appendingPathComponent("evaluation.lock") }

    /// Writes the evaluation's files (and removes an old result and output).
    public func write(_ request: EvaluationRequest) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var files: [(String, String)] = []
        for (slot, branch, name) in [(request.candidate, request.searched, "formula"), (request.partner, request.partnerBranch, "partner")] {
            let prefix = name == "formula" ? "prefix" : "partner_prefix", python = name == "formula" ? "loss" : "partner"
            files.append(("\(name).txt", slot.name))
            // A built-in loss has no formula to hand the user's code: its name only.
            if case .formula(let e) = slot { files += [("\(prefix).txt", e.prefix(branch: branch)), ("\(python).py", e.pytorch(branch: branch))] }
        }
        for (name, text) in files { try RunFile.replace(url.appendingPathComponent(name), with: Data(text.utf8)) }
        try RunFile.replace(requestFile, with: request.json())
        for file in [resultFile, stdoutFile, stderrFile] { try? FileManager.default.removeItem(at: file) }
    }

    /// The request candidate.json holds, read back whole; a folder without one, or one that a
    /// newer autoloss wrote, is refused with the reason.
    public func request() throws -> EvaluationRequest {
        func bad(_ reason: String) -> SearchError { .options("\(url.path) is not a candidate folder: \(reason)") }
        let data: Data
        do { data = try BoundedFile.read(requestFile.path, role: "candidate request", maxBytes: Self.maxFileBytes) } catch DataError.missingFile {
            throw bad("no readable candidate.json")
        } catch { throw bad("\(error)") }
        do { return try EvaluationRequest.read(data) } catch {
            throw bad("candidate.json cannot be read: \(error)")
        }
    }

    /// result.json read back as the search reads it (`ResultFile`); a missing file is a failure.
    public func readResult(seconds: Double = 0) -> EvaluationResult {
        do {
            guard let data = try resultData() else {
                return EvaluationResult(status: .failed, seconds: seconds, reason: "no result.json in \(url.path)")
            }
            return ResultFile.parse(data, seconds: seconds)
        } catch {
            return EvaluationResult(status: .failed, seconds: seconds, reason: "\(error)")
        }
    }

    /// result.json's bytes, nil when there is none. Only a regular file of at most
    /// `maxFileBytes` is read: an evaluator's result.json that is a link to /dev/zero or a FIFO
    /// is refused (a `DataError` naming it), not read without end.
    func resultData() throws -> Data? {
        do { return try BoundedFile.read(resultFile.path, role: "result file", maxBytes: Self.maxFileBytes) } catch DataError.missingFile {
            return nil
        }
    }

    /// The most read of candidate.json or result.json (their formulas have at most 4096 nodes).
    static let maxFileBytes = 64 << 20

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
        try RunFile.replace(resultFile, with: encoder.encode(written))
    }

    /// The folder's lock, for as long as the returned value lives: one process evaluates it at a
    /// time; another is refused with the process that has it.
    public func lock() throws -> RunLock { try RunLock(file: lockFile) { .candidateInUse(path: url.path, process: $0) } }
}
