import Detection
import Foundation
import LossLanguage

/// An evaluation as a command on a candidate folder: the user's own training code (the way to
/// train a real detector in PyTorch / mmdetection), or the worker's `autoloss evaluate {dir}`,
/// run by a `LocalProcessExecutor` or a `SlurmExecutor`.
///
/// For each evaluation the search writes a folder holding, for the searched slot, `formula.txt`
/// (infix), `prefix.txt` (the authors' form) and `loss.py` (a PyTorch function, as `autoloss
/// export` writes it); the same for the other slot as `partner.txt`, `partner_prefix.txt` and
/// `partner.py`; and `candidate.json`, the `EvaluationRequest` whole ({"schema", "branch", "mode",
/// "formula", "prefix", "partner", "partner_prefix", "partner_branch", "stage", "seed", "threads",
/// ...}). Then it runs `command` with `{dir}` replaced by that folder and the
/// environment variables AUTOLOSS_CANDIDATE_DIR and AUTOLOSS_STAGE set. The command writes
/// `result.json` in the folder: {"status": "ok" | "diverged", "stats": [12 COCO numbers]} (or
/// {"status": "ok", "ap": 0.37} with AP in [0, 1]), checked by `ResultFile`. A non-zero exit, a
/// time-out or a missing or malformed result is a failed evaluation whose reason says why (the
/// end of the command's stderr); its stdout and stderr are kept whole in the folder (stdout.txt,
/// stderr.txt), written as they come. The evaluation ends when the command's process exits:
/// what it left running (a child in the background) is ended then, not waited for. `{dir}` is
/// replaced by the folder's path already quoted for the shell: write `train.py {dir}`, not
/// `train.py "{dir}"`; the command runs in that folder, so a relative script path is relative to
/// it (give an absolute one).
///
/// A search killed while a command ran can be resumed: the folder's command.pid names the
/// process (`ProcessIdentity`: its pid, start time and a token in its environment), and the
/// resumed search waits for it if it still runs and is provably the command's, and takes a
/// complete result.json it left instead of training again.
public struct CandidateCommand: Sendable {
    /// The shell command, with `{dir}` replaced by each candidate folder's path.
    public var command: String
    /// Where candidate folders are made (the run's `evaluations` folder).
    public var workDirectory: URL
    /// Seconds one evaluation may take (nil: no limit); past it the command's process group is
    /// ended (its Slurm job cancelled) and the evaluation failed.
    public var timeout: Double?
    /// What every request this command is given carries (`EvaluationRequest.setup`): the MOS
    /// verification images (data with the external evaluator); for the worker (`autoloss
    /// evaluate {dir}`), the built-in evaluator it runs, its training settings and the run's
    /// checkpoint folder. The threads are the executor's share of the machine.
    public var setup = EvaluationSetup()

    /// A command run on each candidate folder under `workDirectory`; `timeout` in seconds ends it with its process group.
    public init(command: String, workDirectory: URL, timeout: Double? = nil) {
        self.command = command
        self.workDirectory = workDirectory
        self.timeout = timeout
    }

    /// One evaluation at `place`: a result an interrupted search left is adopted, else the
    /// folder is written and the command run.
    func evaluate(_ request: EvaluationRequest, context: EvaluationContext, jobs: Int, place: some CommandPlace) -> EvaluationResult {
        let start = Date()
        let (request, dir, shellCommand) = prepared(request, jobs: jobs)
        if let adopted = adopt(dir, command: shellCommand, stop: context.stop, since: start) { return adopted }
        if let failure = write(request, command: shellCommand, in: dir) {
            return EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start), reason: failure)
        }
        return Self.run(shellCommand, in: dir, stage: request.stage, place: place, stop: context.stop, timeout: timeout, since: start,
                        label: jobName(request))
    }

    /// The request as this command is given it (its setup, the executor's share of the cores),
    /// its folder, and the command with the folder in place of `{dir}`.
    func prepared(_ request: EvaluationRequest, jobs: Int) -> (EvaluationRequest, URL, String) {
        var request = request
        request.setup = setup
        request.setup.threads = threadShare(jobs: jobs)
        let dir = workDirectory.appendingPathComponent(CandidateFolder.name(request))
        return (request, dir, command.replacingOccurrences(of: "{dir}", with: Shell.quoted(dir.path)))
    }

    /// Writes the candidate's files and the command; why not, if it could not.
    func write(_ request: EvaluationRequest, command: String, in dir: URL) -> String? {
        do {
            try CandidateFolder(dir).write(request)
            try command.write(to: CandidateFolder(dir).commandFile, atomically: true, encoding: .utf8)
            return nil
        } catch {
            return "cannot write the candidate's files in \(dir.path): \(error.localizedDescription)"
        }
    }

    /// Runs a candidate folder's command there and reads what it gave: its stdout and stderr
    /// kept whole in the folder (a Slurm job's copied there), a time-out, a non-zero exit, a
    /// Slurm job's failed end or a
    /// missing or malformed result.json a failed evaluation with the reason. The search's
    /// evaluations and the worker (`CandidateFolder.evaluate`) both run commands through this.
    static func run(_ shellCommand: String, in dir: URL, stage: TrainingStage, place: some CommandPlace, stop: StopRequest,
                    timeout: Double?, since start: Date, label: String = "autoloss") -> EvaluationResult {
        let pidFile = CandidateFolder(dir).pidFile
        let outcome = place.run(shellCommand, in: dir, environment: environment(dir, stage: stage, place: place),
                                stop: stop, timeout: timeout, pidFile: pidFile, label: label)
        Self.keepOutput(of: outcome, in: dir)
        try? FileManager.default.removeItem(at: pidFile)
        var result = read(outcome, in: dir, timeout: timeout, since: start)
        result.job = outcome.job
        return result
    }

    /// The command's environment: its folder and stage, and what its place adds.
    static func environment(_ dir: URL, stage: TrainingStage, place: some CommandPlace) -> [String: String] {
        ["AUTOLOSS_CANDIDATE_DIR": dir.path, "AUTOLOSS_STAGE": stage.rawValue].merging(place.environment) { $1 }
    }

    private static func read(_ outcome: CommandOutcome, in dir: URL, timeout: Double?, since start: Date) -> EvaluationResult {
        func failed(_ reason: String) -> EvaluationResult {
            EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start), reason: reason)
        }
        let job = outcome.job.map { " (Slurm job \($0))" } ?? ""
        if outcome.timedOut, let timeout, outcome.failure == nil {
            return failed(String(format: "timed out after %.0f s (the time limit of one evaluation)%@; its output is in %@", timeout, job, dir.path))
        }
        if let failure = outcome.failure {
            let said = outcome.stderr.isEmpty ? "" : ": \(Self.tail(outcome.stderr))"
            return failed(failure + said + (outcome.job == nil ? "" : " (its output is in \(dir.path))"))
        }
        guard outcome.status == 0 else {
            return failed("the evaluator command exited with status \(outcome.status)\(job): \(Self.tail(outcome.stderr)) (all of it in \(dir.path)/stderr.txt)")
        }
        let written: Data?
        do { written = try CandidateFolder(dir).resultData() } catch { return failed("\(error)") }
        guard let data = written else {
            return failed("the evaluator command wrote no result.json in \(dir.path)\(job)")
        }
        return ResultFile.parse(data, seconds: Date().timeIntervalSince(start))
    }

    /// The result the same command of an interrupted search left in `dir` (command.txt): waits
    /// for the command if it still runs (command.pid here, slurm.job on Slurm), then takes a
    /// complete result.json (ok or diverged); nil when there is none to take, and the
    /// evaluation runs anew. A stop request while it waits ends the adopted command as the
    /// search's own are ended (its process group, or its Slurm job, cancelled), so that no
    /// training outlives the search that adopted it; the evaluation is then a stopped one.
    /// The process command.pid names is waited on and signalled only when it is provably the
    /// command's (`ProcessIdentity`): after a SIGKILL its pid may have gone to another program.
    func adopt(_ dir: URL, command: String, stop: StopRequest, since start: Date) -> EvaluationResult? {
        guard (try? String(contentsOf: dir.appendingPathComponent("command.txt"), encoding: .utf8)) == command else { return nil }
        let pidFile = CandidateFolder(dir).pidFile, jobFile = SlurmJob.idFile(in: dir)
        func stopped(_ what: String) -> EvaluationResult {
            EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start),
                             reason: "stopped while waiting for \(what) an interrupted search left running (in \(dir.path))")
        }
        var job: String?
        if let text = try? String(contentsOf: pidFile, encoding: .utf8) {
            if let process = ProcessIdentity(line: text), process.isProvablyOurs {
                while process.isRunning && !stop.isRequested { Thread.sleep(forTimeInterval: 0.2) }
                if stop.isRequested {
                    Self.end(process)
                    return stopped("the command (process \(process.pid))")
                }
                // What it left running: found by its token (its group may be gone with it).
                ProcessRunner.endStrays(group: nil, token: process.token)
            }
        } else if let text = try? String(contentsOf: jobFile, encoding: .utf8) {
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let (state, _, _) = SlurmJob.follow(id, stop: stop, timeout: nil)
            if stop.isRequested { return stopped("Slurm job \(id)") }
            job = id
            Self.keepOutput(of: SlurmJob.outcome(of: id, state: state, in: dir, timedOut: false), in: dir)
            try? FileManager.default.removeItem(at: jobFile)
        }
        guard let data = try? CandidateFolder(dir).resultData() else { return nil }
        var result = ResultFile.parse(data, seconds: Date().timeIntervalSince(start))
        result.job = job
        return result.status == .failed ? nil : result
    }

    /// Ends an adopted command as `ProcessRunner` ends its own: its process group SIGTERM, and
    /// SIGKILL if it outlives 5 s; then what it left running.
    static func end(_ process: ProcessIdentity) {
        process.send(SIGTERM, group: true)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        process.send(SIGKILL, group: true)
        ProcessRunner.endStrays(group: nil, token: process.token)
    }

    /// "autoloss-RUN-mos-g2-s14", "autoloss-RUN-proxy-baseline": the Slurm job's name says which
    /// run, stage and slot it is.
    func jobName(_ request: EvaluationRequest) -> String {
        let run = workDirectory.deletingLastPathComponent().lastPathComponent
        let who = request.generation.map { "g\($0)-s\(request.slot ?? 0)" } ?? "baseline"
        return "autoloss-\(run)-\(request.stage.rawValue)-\(who)"
    }

    /// The command's whole stdout and stderr, kept in its folder: a local command writes them
    /// there as it runs; a Slurm job's (slurm-JOBID.out, .err) are copied there, a piece at a time.
    static func keepOutput(of outcome: CommandOutcome, in dir: URL) {
        guard let job = outcome.job else { return }
        let folder = CandidateFolder(dir)
        copy(dir.appendingPathComponent("slurm-\(job).out"), to: folder.stdoutFile)
        copy(dir.appendingPathComponent("slurm-\(job).err"), to: folder.stderrFile)
    }

    /// Copies a file of any size in pieces of 1 MB (a symbolic link at `target` is replaced, not
    /// followed); a file that cannot be read or written is left out: it was output, not the result.
    static func copy(_ source: URL, to target: URL) {
        guard let input = try? FileHandle(forReadingFrom: source) else { return }
        defer { try? input.close() }
        try? FileManager.default.removeItem(at: target)
        let fd = open(target.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        while let piece = try? input.read(upToCount: 1 << 20), !piece.isEmpty {
            do { try output.write(contentsOf: piece) } catch { return }
        }
    }

    /// The last `bytes` of a file as text (all of it when shorter; "" when it cannot be read):
    /// what a failure's reason quotes of stderr, however long it is.
    static func end(of file: URL, bytes: Int = 1 << 16) -> String {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return "" }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
            return String(decoding: try handle.read(upToCount: bytes) ?? Data(), as: UTF8.self)
        } catch {
            return ""
        }
    }

    static func tail(_ text: String) -> String {
        let lines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? "(no output on stderr)" : String(lines.suffix(400))
    }
}
