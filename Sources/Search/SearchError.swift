/// What can stop a search before or while it runs; each case says how to fix it.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// Inconsistent search or generator options.
    case options(String)
    /// A setting of the search that is out of range or does not fit the others.
    case invalid(SearchProblem)
    /// The run folder exists: a new run does not overwrite it.
    case storeExists(path: String)
    /// The filter ablation's folder exists: a new ablation does not overwrite it.
    case ablationExists(path: String)
    /// The file is not a run store: its path and why.
    case notAStore(path: String, reason: String)
    /// Another process is writing the run (a search or a resume).
    case runInUse(path: String, process: String)
    /// Another process is evaluating the candidate folder.
    case candidateInUse(path: String, process: String)
    /// The file system or the database failed: the file and the cause, in a line.
    case io(path: String, cause: String)
    /// The baseline loss could not be evaluated at a stage: nothing to compare with.
    case baselineFailed(name: String, stage: String, reason: String)
    /// Every evaluation of the run failed.
    case evaluationsFailed(count: Int, store: String)

    public var description: String {
        switch self {
        case .options(let message): return "search options: \(message)"
        case .invalid(let problem): return "search options: \(problem)"
        case .storeExists(let path): return "\(path) exists: choose a new folder for the run, or resume that run"
        case .ablationExists(let path): return "\(path) exists: choose a new folder for the ablation, or resume it"
        case .notAStore(let path, let reason): return "\(path) is not a run store this autoloss can resume: \(reason)"
        case .runInUse(let path, let process): return "run folder in use by process \(process): \(path) (wait for it to end, or stop it)"
        case .candidateInUse(let path, let process):
            return "candidate folder in use by process \(process): \(path) (another evaluation of it runs: wait for it to end, or stop it)"
        case .io(let path, let cause): return "\(path): \(cause)"
        case .baselineFailed(let name, let stage, let reason):
            return "the baseline \(name) could not be evaluated at the \(stage) stage, so the search stops: \(reason)"
        case .evaluationsFailed(let count, let store):
            return "all \(count) evaluations failed, so the search found nothing; their reasons: autoloss report \(store)"
        }
    }
}
