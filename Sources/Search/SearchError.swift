/// What can stop a search before or while it runs; each case says how to fix it.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// Inconsistent search or generator options.
    case options(String)
    case storeExists(path: String)
    case notAStore(path: String, reason: String)
    /// Another process is writing the run (a search or a resume).
    case runInUse(path: String, process: String)
    /// The file system or the database failed: the file and the cause, in a line.
    case io(path: String, cause: String)
    /// The baseline loss could not be evaluated at a stage: nothing to compare with.
    case baselineFailed(name: String, stage: String, reason: String)
    /// Every evaluation of the run failed.
    case evaluationsFailed(count: Int, store: String)

    public var description: String {
        switch self {
        case .options(let message): return "search options: \(message)"
        case .storeExists(let path): return "\(path) exists: choose a new --out folder, or continue that run with --resume"
        case .notAStore(let path, let reason): return "\(path) is not a run store this autoloss can resume: \(reason)"
        case .runInUse(let path, let process): return "run folder in use by process \(process): \(path) (wait for it to end, or stop it)"
        case .io(let path, let cause): return "\(path): \(cause)"
        case .baselineFailed(let name, let stage, let reason):
            return "the baseline \(name) could not be evaluated at the \(stage) stage, so the search stops: \(reason)"
        case .evaluationsFailed(let count, let store):
            return "all \(count) evaluations failed, so the search found nothing; their reasons: autoloss report \(store)"
        }
    }
}
