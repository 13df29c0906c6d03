import Foundation
import TensorEngine

/// Where evaluations run (DESIGN.md, "Evaluations, workers and executors"): in this process
/// (`InProcessExecutor`), as local processes (`LocalProcessExecutor`) or as Slurm jobs
/// (`SlurmExecutor`). What trains is the evaluator's (`CandidateEvaluator`, or the command of a
/// `CandidateCommand`); the scheduler starts up to `jobs` evaluations at once and hands each
/// batch over explicitly (`begin`), so that an executor may send it as one (a Slurm job array).
public protocol Executor: CandidateEvaluator {
    /// How many evaluations may run at once.
    var jobs: Int { get }
    /// The requests the scheduler starts at once, before it evaluates each: an executor that
    /// sends work elsewhere may send them together (on Slurm, one job array). The others ignore it.
    func begin(_ batch: [EvaluationRequest])
    /// The batch is over: what `begin` sent and no `evaluate` followed (a stop request came
    /// first) is withdrawn (on Slurm, its task cancelled), so that nothing outlives the search.
    func end()
}

extension Executor {
    public func begin(_ batch: [EvaluationRequest]) {}
    public func end() {}
}

/// Evaluations in this process, by an evaluator that trains here (the built-in detector, the
/// simulation), `jobs` of them on threads side by side.
public struct InProcessExecutor: Executor {
    /// The evaluator that trains each request here.
    public let evaluator: any CandidateEvaluator
    public let jobs: Int

    /// Runs `evaluator`, `jobs` trainings at a time (at least 1).
    public init(_ evaluator: any CandidateEvaluator, jobs: Int = 1) {
        self.evaluator = evaluator
        self.jobs = max(1, jobs)
    }

    public func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
        evaluator.evaluate(request, context: context)
    }
}

/// What a command gave: its exit status and the end of its stderr (the whole of its output is in
/// its folder's files), and why it failed where the status does not say.
public struct CommandOutcome: Sendable {
    /// The command's exit status.
    public var status: Int32
    /// The last 64 KB of its stderr, for the reason of a failure.
    public var stderr: String
    /// Ended for running past its time limit.
    public var timedOut = false
    /// Why it failed where the exit status does not say (a Slurm job's end state).
    public var failure: String?
    /// The Slurm job that ran it.
    public var job: String?
}

/// Where one evaluation's shell command runs, for `CandidateCommand`: a local process or a Slurm job.
protocol CommandPlace: Sendable {
    /// Runs `command` in `directory` and waits for it: on a stop request, or past `timeout`
    /// seconds, it is ended (its process group, or its Slurm job cancelled). `pidFile` gets a
    /// local command's process id while it runs; `label` names a Slurm job.
    func run(_ command: String, in directory: URL, environment: [String: String], stop: StopRequest,
             timeout: Double?, pidFile: URL, label: String) -> CommandOutcome
    /// What the command's environment adds for this place (local trainings side by side share
    /// the cores).
    var environment: [String: String] { get }
}

/// The cores of this machine each of `jobs` trainings side by side gets (at least one).
func threadShare(jobs: Int) -> Int { max(1, ProcessorBudget.cores / max(1, jobs)) }
