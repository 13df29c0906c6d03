/// What can stop a search before it runs; each says what to do.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    case storeExists(path: String)
    case notAStore(path: String, reason: String)
    case badOption(String)

    public var description: String {
        switch self {
        case .storeExists(let path): return "\(path) exists: choose a new --out folder, or continue that run with --resume"
        case .notAStore(let path, let reason): return "\(path) is not a run store this autoloss can resume: \(reason)"
        case .badOption(let message): return message
        }
    }
}
