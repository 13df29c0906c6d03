/// What can go wrong when setting up a search; each case says how to fix it.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// Inconsistent search or generator options.
    case options(String)

    public var description: String {
        switch self {
        case .options(let message): return "search options: \(message)"
        }
    }
}
