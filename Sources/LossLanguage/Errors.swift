/// What can go wrong when reading, typing or evaluating a formula; each case says where.
public enum LossLanguageError: Error, Equatable, CustomStringConvertible {
    /// A syntax error at a character offset (0-based) of `source`.
    case syntax(message: String, source: String, position: Int)
    /// A well-formed formula that is not well typed for its branch.
    case type(message: String)
    /// An evaluation input that is missing or misshapen.
    case input(message: String)
    /// A formula past the language's size limit (`Expr.maxSize`).
    case limit(message: String)

    /// One line for a terminal; syntax errors add the source and a caret line.
    public var description: String {
        switch self {
        case .syntax(let message, let source, let position):
            // A long formula shows only the stretch around the position.
            let chars = Array(source), at = min(max(0, position), chars.count)
            let start = max(0, at - 60), end = min(chars.count, at + 20)
            let excerpt = (start > 0 ? "..." : "") + String(chars[start..<end]) + (end < chars.count ? "..." : "")
            let caret = String(repeating: " ", count: at - start + (start > 0 ? 3 : 0)) + "^"
            return "formula error at position \(position + 1): \(message)\n  \(excerpt)\n  \(caret)"
        case .type(let message): return "formula type error: \(message)"
        case .input(let message): return "input error: \(message)"
        case .limit(let message): return "formula too large: \(message)"
        }
    }
}
