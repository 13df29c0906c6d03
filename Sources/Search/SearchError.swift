/// What can stop a search before it runs; each case says how to fix it.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// Inconsistent search or generator options.
    case options(String)
    case storeExists(path: String)
    case notAStore(path: String, reason: String)

    public var description: String {
        switch self {
        case .options(let message): return "search options: \(message)"
        case .storeExists(let path): return "\(path) exists: choose a new --out folder, or continue that run with --resume"
        case .notAStore(let path, let reason): return "\(path) is not a run store this autoloss can resume: \(reason)"
        }
    }
}
