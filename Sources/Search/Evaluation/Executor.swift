import Foundation

/// Where a search's evaluations run, and how many at once: here, or as one Slurm job per
/// evaluation (`SlurmJob`: submitted without waiting and followed), so that users who outgrow
/// one machine run on their cluster without changing their command.
public enum Executor: Codable, Equatable, Sendable {
    /// On this machine, `jobs` trainings side by side.
    case local(jobs: Int)
    /// As Slurm jobs with extra sbatch `arguments` (partition, GPUs, time), `jobs` queued at once.
    case slurm(arguments: [String], jobs: Int)

    public var jobs: Int {
        switch self {
        case .local(let jobs), .slurm(_, let jobs): return jobs
        }
    }

    public var name: String {
        switch self {
        case .local: return "local"
        case .slurm: return "slurm"
        }
    }

    public static let names = ["local", "slurm"]

    /// The cores of this machine each of `jobs` trainings side by side gets (at least one).
    static func threadShare(jobs: Int) -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, jobs)) }

    /// The same place with another number of jobs.
    public func with(jobs: Int) -> Executor {
        switch self {
        case .local: return .local(jobs: jobs)
        case .slurm(let arguments, _): return .slurm(arguments: arguments, jobs: jobs)
        }
    }

    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Ended for running past its time limit.
        public var timedOut = false
        /// Why it failed where the exit status does not say (a Slurm job's end state).
        public var failure: String?
        /// The Slurm job that ran it.
        public var job: String?
    }

    /// Runs `command` in `directory` and waits for it (`ProcessRunner`: on a stop request, or
    /// past `timeout` seconds, its whole process group is ended). `pidFile` gets the command's
    /// process id while it runs. On Slurm, `label` names the job, and `submitted` is its task of
    /// an array submitted already (`submitArray`).
    func run(_ command: String, in directory: URL, environment: [String: String], stop: StopRequest = StopRequest(),
             timeout: Double? = nil, pidFile: URL? = nil, label: String = "autoloss", submitted: SlurmJob.Submitted? = nil) -> Outcome {
        if case .slurm(let arguments, _) = self {
            let job = SlurmJob(arguments: arguments, name: label, directory: directory)
            return job.run(command, environment: environment, stop: stop, timeout: timeout, submitted: submitted)
        }
        let output = ProcessRunner.run(["sh", "-c", command], in: directory, environment: environment, stop: stop, timeout: timeout) { pid in
            if let pidFile { try? Data("\(pid)\n".utf8).write(to: pidFile) }
        }
        if let failure = output.launchFailure { return Outcome(status: output.status, stdout: "", stderr: failure) }
        return Outcome(status: output.status, stdout: output.stdout, stderr: output.stderr, timedOut: output.timedOut)
    }
}
