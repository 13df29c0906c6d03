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

    /// Runs `command` in `directory` and waits for it. The command runs in a process group of
    /// its own (Foundation starts it so): on a stop request, or past `timeout` seconds, the whole
    /// group gets SIGTERM, and SIGKILL 5 s later, so that no training it started outlives the
    /// search. `pidFile` gets the command's process id while it runs.
    /// On Slurm, `label` names the job.
    func run(_ command: String, in directory: URL, environment: [String: String], stop: StopRequest = StopRequest(),
             timeout: Double? = nil, pidFile: URL? = nil, label: String = "autoloss") -> Outcome {
        if case .slurm(let arguments, let jobs) = self {
            var job = SlurmJob(arguments: arguments, name: label, directory: directory)
            // With several jobs at once, those of one stage start together: one array.
            if jobs > 1 { job.batchWindow = 0.05 }
            return job.run(command, environment: environment, stop: stop, timeout: timeout)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.currentDirectoryURL = directory
        process.arguments = ["sh", "-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try process.run()
        } catch {
            return Outcome(status: 127, stdout: "", stderr: "cannot start sh: \(error.localizedDescription)")
        }
        // Read both pipes to the end on their own threads, so a chatty command cannot block on a
        // full pipe, while this one watches for a stop request.
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            group.enter()
            DispatchQueue(label: "autoloss.pipe").async {  // overcommitting: a reader at once, however many block
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        if let pidFile { try? Data("\(process.processIdentifier)\n".utf8).write(to: pidFile) }
        let started = Date()
        var terminatedAt: Date?, timedOut = false
        while ended.wait(timeout: .now() + 0.1) == .timedOut {
            if let timeout, Date().timeIntervalSince(started) > timeout { timedOut = true }
            guard stop.isRequested || timedOut else { continue }
            if terminatedAt == nil {
                kill(-process.processIdentifier, SIGTERM)
                terminatedAt = Date()
            } else if Date().timeIntervalSince(terminatedAt!) > 5 {
                kill(-process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
        group.wait()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outBox.data, as: UTF8.self),
                       stderr: String(decoding: errBox.data, as: UTF8.self), timedOut: timedOut)
    }
}
