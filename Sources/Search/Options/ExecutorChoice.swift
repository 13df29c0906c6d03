import Foundation

/// Where a search's evaluations run, and how many at once, as the user chose it and the run
/// store keeps it: here, or as one Slurm job per evaluation, so that users who outgrow one
/// machine run on their cluster without changing their command. `makeExecutor` builds the
/// `Executor` that does it.
public enum ExecutorChoice: Codable, Equatable, Sendable {
    /// On this machine, `jobs` trainings side by side.
    case local(jobs: Int)
    /// As Slurm jobs with extra sbatch `arguments` (partition, GPUs, time), `jobs` queued at once.
    case slurm(arguments: [String], jobs: Int)

    /// Trainings at once.
    public var jobs: Int {
        switch self {
        case .local(let jobs), .slurm(_, let jobs): return jobs
        }
    }

    /// The executor's name, as stored.
    public var name: String {
        switch self {
        case .local: return "local"
        case .slurm: return "slurm"
        }
    }

    /// The executors' names, as stored.
    public static let names = ["local", "slurm"]

    /// The same place with another number of jobs.
    public func with(jobs: Int) -> ExecutorChoice {
        switch self {
        case .local: return .local(jobs: jobs)
        case .slurm(let arguments, _): return .slurm(arguments: arguments, jobs: jobs)
        }
    }
}
