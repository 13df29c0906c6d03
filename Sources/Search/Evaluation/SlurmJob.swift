import Foundation

/// One evaluation as a Slurm job, submitted without waiting (`sbatch --parsable`) and followed
/// with `scontrol show job` (`sacct` where scontrol has forgotten it), so that a job costs about
/// a fraction of a second beyond Slurm's own start-up rather than `sbatch --wait`'s 2-70 s of back-off.
///
/// Its stdout and stderr go to slurm-JOBID.out and slurm-JOBID.err in the candidate folder; its
/// id to `slurm.job` there (for a resumed search to find it) and into the result (the store and
/// search.log). A job that ends in a state where a retry can help (NODE_FAIL, PREEMPTED,
/// BOOT_FAIL, or CANCELLED by someone else) is submitted again, alone, up to `retries` times,
/// after a back-off of 1, 2, 4... seconds; a stop request or the time limit cancels it
/// (`scancel`). Evaluations the scheduler starts together go as one job array
/// (`SlurmJob+Array.swift`), each then followed as its task (ARRAY_TASK).
struct SlurmJob {
    var arguments: [String]
    var name: String
    var directory: URL
    /// Seconds between polls of a job that has run `elapsed` seconds: often at first, so that a
    /// short job costs little beyond its work, then less often (at most every 2 s), so that many
    /// long jobs do not keep the controller busy.
    static func pollInterval(after elapsed: Double) -> Double { min(2, 0.1 + elapsed / 30) }
    var retries = 3

    /// The array's name: the job's name without its slot ("autoloss-RUN-mos-g2-s14" -> "autoloss-RUN-mos-g2").
    var arrayName: String {
        guard let dash = name.range(of: "-s", options: .backwards), name[dash.upperBound...].allSatisfy(\.isNumber),
              !name[dash.upperBound...].isEmpty else { return name }
        return String(name[..<dash.lowerBound])
    }

    /// The file that names the job while it runs.
    static func idFile(in directory: URL) -> URL { CandidateFolder(directory).slurmJobFile }

    /// Where a job stands: its Slurm state (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, ...),
    /// exit status, and Slurm's reason.
    struct State: Equatable {
        var state: String
        var exitCode: Int32 = 0
        var reason = ""

        var isActive: Bool { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED", "STAGE_OUT", "SIGNALING"].contains(state) }
        /// States in which a new submission may well succeed.
        var isWorthRetrying: Bool { ["NODE_FAIL", "PREEMPTED", "BOOT_FAIL"].contains(state) }
    }

    /// Submits `command` and follows it to its end; `timeout` seconds (nil: none) are also given
    /// to Slurm as the job's time limit, rounded up to a minute. `submitted`: the command went to
    /// Slurm already, as a task of an array (or was refused there); a retry submits it alone.
    func run(_ command: String, environment: [String: String], stop: StopRequest, timeout: Double?,
             submitted given: Submitted? = nil) -> CommandOutcome {
        let arguments = self.arguments + Self.timeLimit(timeout)
        var attempt = 0
        while true {
            let id: String
            let submitted: Submitted
            if attempt == 0, let given {
                submitted = given
            } else {
                submitted = Self.submit(command, arguments: arguments, name: name, directory: directory, environment: environment)
            }
            switch submitted {
            case .success(let submitted): id = submitted
            case .failure(let message): return CommandOutcome(status: 1, stderr: "", failure: message)
            }
            try? RunFile.replace(Self.idFile(in: directory), with: Data("\(id)\n".utf8))
            let (state, cancelledHere, timedOut) = Self.follow(id, stop: stop, timeout: timeout)
            let outcome = Self.outcome(of: id, state: state, in: directory, timedOut: timedOut)
            let byOthers = state?.state == "CANCELLED" && !cancelledHere
            if attempt < retries, !stop.isRequested, state?.isWorthRetrying == true || byOthers {
                attempt += 1
                Thread.sleep(forTimeInterval: pow(2, Double(attempt - 1)))
                continue
            }
            try? FileManager.default.removeItem(at: Self.idFile(in: directory))
            return outcome
        }
    }

    static func timeLimit(_ timeout: Double?) -> [String] {
        guard let timeout else { return [] }
        return ["--time=\(max(1, Int((timeout / 60).rounded(.up))))"]
    }

    /// Polls job `id` until it ends; cancels it on a stop request or past `timeout`. Static: a
    /// resumed search follows the jobs it adopts the same way (`CandidateCommand.adopt`).
    static func follow(_ id: String, stop: StopRequest, timeout: Double?) -> (State?, cancelledHere: Bool, timedOut: Bool) {
        let started = Date()
        var cancelledHere = false, timedOut = false
        while true {
            // Ended, or forgotten by Slurm (so ended too).
            let state = Self.state(of: id)
            guard let current = state, current.isActive else { return (state, cancelledHere, timedOut) }
            if !cancelledHere, let timeout, Date().timeIntervalSince(started) > timeout { timedOut = true }
            if !cancelledHere && (stop.isRequested || timedOut) {
                Self.cancel(id)
                cancelledHere = true
            }
            Thread.sleep(forTimeInterval: Self.pollInterval(after: Date().timeIntervalSince(started)))
        }
    }

    /// The job's end as an outcome: the end of its stderr file read, its state turned into a reason.
    static func outcome(of id: String, state: State?, in directory: URL, timedOut: Bool) -> CommandOutcome {
        let stderr = CandidateCommand.end(of: directory.appendingPathComponent("slurm-\(id).err"))
        var outcome = CommandOutcome(status: state?.exitCode ?? 0, stderr: stderr, timedOut: timedOut, job: id)
        guard let state else { return outcome }
        let job = "Slurm job \(id)"
        switch state.state {
        case "COMPLETED": break
        case "FAILED": outcome.status = state.exitCode == 0 ? 1 : state.exitCode
        case "TIMEOUT":
            outcome.failure = "\(job) ran past its time limit (Slurm: TIMEOUT)"
            outcome.timedOut = true
        case "CANCELLED" where timedOut: break
        case "OUT_OF_MEMORY": outcome.failure = "\(job) ran out of memory (Slurm: OUT_OF_MEMORY)"
        default:
            let reason = state.reason.isEmpty || state.reason == "None" ? "" : ", \(state.reason)"
            outcome.failure = "\(job) ended \(state.state)\(reason)"
        }
        if outcome.failure != nil && outcome.status == 0 { outcome.status = 1 }
        return outcome
    }

    // MARK: Slurm's commands

    enum Submitted { case success(String), failure(String) }

    static func submit(_ command: String, arguments: [String], name: String, directory: URL, environment: [String: String]) -> Submitted {
        let args = ["sbatch", "--parsable", "--job-name=\(name)", "--chdir=\(directory.path)", "--export=ALL",
                    "--output=\(directory.path)/slurm-%j.out", "--error=\(directory.path)/slurm-%j.err"] + arguments + ["--wrap", command]
        return parse(capture(args, environment: environment))
    }

    /// sbatch --parsable's answer: the job id, or why it refused.
    static func parse(_ r: (status: Int32, out: String, err: String)) -> Submitted {
        guard r.status == 0, let id = r.out.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }),
              !id.isEmpty, id.allSatisfy(\.isNumber) else {
            let said = r.err.trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure("sbatch refused the job: " + (said.isEmpty ? "exit status \(r.status)" : said.replacingOccurrences(of: "\n", with: " | ")))
        }
        return .success(id)
    }

    /// The job's state from `scontrol show job` (finished jobs stay there for MinJobAge), else
    /// from `sacct`; nil when neither knows the job.
    static func state(of id: String) -> State? {
        let r = capture(["scontrol", "show", "job", "-o", id])
        if r.status == 0, let state = State(scontrol: r.out) { return state }
        let a = capture(["sacct", "-n", "-P", "-X", "-j", id, "-o", "State,ExitCode"])
        return a.status == 0 ? State(sacct: a.out) : nil
    }

    /// The exit status of Slurm's "STATUS:SIGNAL" (0 where absent).
    fileprivate static func exitStatus(_ field: String?) -> Int32 {
        field?.split(separator: ":").first.flatMap { Int32($0) } ?? 0
    }

    static func cancel(_ id: String) { _ = capture(["scancel", id]) }

    /// Runs a short Slurm command and returns its exit status and output.
    static func capture(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, out: String, err: String) {
        let output = ProcessRunner.run(arguments, environment: environment)
        if let failure = output.launchFailure { return (127, "", "\(failure) (is Slurm installed here?)") }
        return (output.status, output.stdout, output.stderr)
    }
}

extension SlurmJob.State {
    /// From `scontrol show job -o`'s first line of KEY=VALUE tokens (the first of a repeated
    /// key); nil without a JobState.
    init?(scontrol output: String) {
        guard let line = output.split(separator: "\n").first else { return nil }
        var fields: [String: String] = [:]
        for token in line.split(separator: " ") {
            guard let eq = token.firstIndex(of: "=") else { continue }
            let key = String(token[..<eq])
            if fields[key] == nil { fields[key] = String(token[token.index(after: eq)...]) }
        }
        guard let state = fields["JobState"] else { return nil }
        self.init(state: state, exitCode: SlurmJob.exitStatus(fields["ExitCode"]), reason: fields["Reason"] ?? "")
    }

    /// From `sacct -n -P -X -o State,ExitCode`'s first line, "STATE|STATUS:SIGNAL"; nil when
    /// empty (sacct does not know the job). "CANCELLED by 0": the state is the first word.
    init?(sacct output: String) {
        guard let line = output.split(separator: "\n").first else { return nil }
        let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard let state = parts[0].split(separator: " ").first, !state.isEmpty else { return nil }
        self.init(state: String(state), exitCode: SlurmJob.exitStatus(parts.count > 1 ? parts[1] : nil))
    }
}
