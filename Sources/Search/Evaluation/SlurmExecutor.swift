import Foundation

/// Evaluations as Slurm jobs (`SlurmJob`: submitted without waiting, followed, retried,
/// cancelled on a stop), `jobs` queued at once, each running its candidate folder's command.
/// The evaluations the scheduler starts together go as one job array (`begin`); each
/// `evaluate` then follows its own task.
public struct SlurmExecutor: Executor {
    /// The command each job runs on its candidate folder.
    public var command: CandidateCommand
    /// Extra sbatch arguments: partition, GPUs, time.
    public var arguments: [String]
    public let jobs: Int
    /// The array tasks `begin` submitted, until their evaluations follow them.
    private let arrayTasks = SubmittedTasks()

    /// Runs `command` as Slurm jobs, with `arguments` added to every sbatch call, `jobs` queued or running at once.
    public init(_ command: CandidateCommand, arguments: [String], jobs: Int = 1) {
        self.command = command
        self.arguments = arguments
        self.jobs = max(1, jobs)
    }

    public func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
        let (_, dir, shellCommand) = command.prepared(request, jobs: jobs)
        // Submitted already, with the others the scheduler started at once: follow its task.
        if let submitted = arrayTasks.take(dir) {
            return CandidateCommand.run(shellCommand, in: dir, stage: request.stage,
                                        place: SlurmPlace(arguments: arguments, submitted: submitted), stop: context.stop,
                                        timeout: command.timeout, since: Date(), label: command.jobName(request))
        }
        return command.evaluate(request, context: context, jobs: jobs, place: SlurmPlace(arguments: arguments))
    }

    /// With several jobs, the batch goes as one job array. Evaluations an interrupted search left
    /// (their folder has the same command: `CandidateCommand.adopt`) are left to `evaluate`.
    public func begin(_ batch: [EvaluationRequest]) {
        guard jobs > 1 else { return }
        var tasks: [SlurmJob.Task] = [], firstName: String?
        for request in batch {
            let (request, dir, shellCommand) = command.prepared(request, jobs: jobs)
            guard (try? String(contentsOf: CandidateFolder(dir).commandFile, encoding: .utf8)) != shellCommand else { continue }
            if command.write(request, command: shellCommand, in: dir) != nil { continue }  // `evaluate` says why
            let environment = CandidateCommand.environment(dir, stage: request.stage, place: SlurmPlace(arguments: arguments))
            tasks.append(SlurmJob.Task(command: shellCommand, directory: dir, environment: environment))
            firstName = firstName ?? command.jobName(request)
        }
        guard tasks.count > 1, let firstName else { return }
        let name = SlurmJob(arguments: [], name: firstName, directory: command.workDirectory).arrayName
        let submitted = SlurmJob.submitArray(tasks, arguments: arguments + SlurmJob.timeLimit(command.timeout), name: name, in: command.workDirectory)
        for (task, s) in zip(tasks, submitted) { arrayTasks.put(s, for: task.directory) }
    }

    public func end() {
        for case .success(let id) in arrayTasks.takeAll() { SlurmJob.cancel(id) }
    }
}

/// A command as a Slurm job, or as the task of an array `submitted` already.
struct SlurmPlace: CommandPlace {
    var arguments: [String]
    var submitted: SlurmJob.Submitted?

    func run(_ command: String, in directory: URL, environment: [String: String], stop: StopRequest,
             timeout: Double?, pidFile: URL, label: String) -> CommandOutcome {
        SlurmJob(arguments: arguments, name: label, directory: directory)
            .run(command, environment: environment, stop: stop, timeout: timeout, submitted: submitted)
    }

    var environment: [String: String] { [:] }
}
