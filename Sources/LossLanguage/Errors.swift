/// What can go wrong when reading, typing or evaluating a formula; each case says where.
public enum LossLanguageError: Error, Equatable, CustomStringConvertible {
    /// A syntax error at a character offset (0-based) of `source`.
    case syntax(message: String, source: String, position: Int)
    /// A well-formed formula that is not well typed for its branch.
    case type(message: String)
    /// An evaluation input that is missing or misshapen.
    case input(message: String)

    /// One line for a terminal; syntax errors add the source and a caret line.
    public var description: String {
        switch self {
        case .syntax(let message, let source, let position):
            let caret = String(repeating: " ", count: max(0, position)) + "^"
            return "formula error at position \(position + 1): \(message)\n  \(source)\n  \(caret)"
        case .type(let message): return "formula type error: \(message)"
        case .input(let message): return "input error: \(message)"
        }
    }
}
