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
            // A long formula shows only the stretch around the position; control characters
            // (an ESC that would drive the terminal) are shown escaped, the caret under them.
            let chars = Array(source), at = min(max(0, position), chars.count)
            let start = max(0, at - 60), end = min(chars.count, at + 20)
            let before = chars[start..<at].map(Self.visible).joined()
            let excerpt = (start > 0 ? "..." : "") + before + chars[at..<end].map(Self.visible).joined() + (end < chars.count ? "..." : "")
            let caret = String(repeating: " ", count: before.count + (start > 0 ? 3 : 0)) + "^"
            return "formula error at position \(position + 1): \(Self.visible(message))\n  \(excerpt)\n  \(caret)"
        case .type(let message): return "formula type error: \(Self.visible(message))"
        case .input(let message): return "input error: \(Self.visible(message))"
        case .limit(let message): return "formula too large: \(Self.visible(message))"
        }
    }

    /// The text with each control or invisible formatting character (ESC, BEL, a zero-width
    /// space, a bidirectional override) written as `\u{1B}`, so that a message shows what the
    /// input held instead of acting on the terminal. Public: the command line escapes every
    /// error line with it.
    public static func visible(_ text: some StringProtocol) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func visible(_ c: Character) -> String { visible(String(c)) }
}
