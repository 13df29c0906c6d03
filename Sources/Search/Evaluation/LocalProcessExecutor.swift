import Foundation
import TensorEngine

/// Evaluations as processes on this machine: each runs its candidate folder's command (the
/// user's, or the worker's `autoloss evaluate {dir}`), `jobs` of them side by side, sharing the
/// cores (OpenMP, and autoloss's own threads, follow OMP_NUM_THREADS unless the user set it).
public struct LocalProcessExecutor: Executor {
    /// The command run on each candidate folder.
    public var command: CandidateCommand
    public let jobs: Int

    /// Runs `command` in local processes, `jobs` at a time.
    public init(_ command: CandidateCommand, jobs: Int = 1) {
        self.command = command
        self.jobs = max(1, jobs)
    }

    /// `command` on folders under `workDirectory`, each evaluation ended past `timeout` seconds.
    public init(command: String, workDirectory: URL, jobs: Int = 1, timeout: Double? = nil) {
        self.init(CandidateCommand(command: command, workDirectory: workDirectory, timeout: timeout), jobs: jobs)
    }

    public func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
        command.evaluate(request, context: context, jobs: jobs, place: LocalPlace(jobs: jobs))
    }
}

/// A command as a process here (`ProcessRunner`), its stdout and stderr written to the folder's
/// stdout.txt and stderr.txt as they come, and while it runs, what proves the process the
/// command's to a resumed search (`ProcessIdentity`: its pid, start time and the token in its
/// environment) in the pid file.
struct LocalPlace: CommandPlace {
    var jobs: Int

    func run(_ command: String, in directory: URL, environment: [String: String], stop: StopRequest,
             timeout: Double?, pidFile: URL, label: String) -> CommandOutcome {
        let token = ProcessIdentity.newToken(), folder = CandidateFolder(directory)
        let output = ProcessRunner.run(["sh", "-c", command], in: directory, environment: environment,
                                       output: .files(stdout: folder.stdoutFile, stderr: folder.stderrFile), token: token,
                                       stop: stop, timeout: timeout) { pid in
            if let process = ProcessIdentity(pid: pid, token: token) { try? Data(process.line.utf8).write(to: pidFile, options: .atomic) }
        }
        if let failure = output.launchFailure { return CommandOutcome(status: output.status, stderr: failure) }
        return CommandOutcome(status: output.status, stderr: CandidateCommand.end(of: folder.stderrFile), timedOut: output.timedOut)
    }

    var environment: [String: String] {
        // Unless the user set a count (autoloss's own default is not one).
        let usersOwn = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] != nil && !ProcessorBudget.appliedDefaults.contains("OMP_NUM_THREADS")
        guard jobs > 1, !usersOwn else { return [:] }
        return ["OMP_NUM_THREADS": "\(threadShare(jobs: jobs))"]
    }
}
