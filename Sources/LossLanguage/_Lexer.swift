/// A token of either formula syntax, with the character offset where it starts.
struct Token: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case identifier(String)
        case symbol(Character)  // + - * / ( ) ,
        case end
    }
    var kind: Kind
    var position: Int
}

/// Splits a formula into tokens; shared by the infix and prefix parsers.
enum Lexer {
    static let maxLength = 100_000

    /// Invisible characters a formula copied from a web page or a PDF carries (zero-width space,
    /// non-joiner, joiner, word joiner, byte-order mark): spaces, as Foundation's trimming already
    /// took them at the ends, so that one in the middle is not refused where one at the end is not.
    /// Scalars, not characters: a joiner after a letter is part of the letter's character.
    static let invisible: Set<Unicode.Scalar> = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}"]

    static func tokenize(_ text: String) throws -> [Token] {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.map { invisible.contains($0) ? " " : $0 })
        let source = String(scalars)
        let chars = Array(source)
        if chars.count > maxLength {
            throw LossLanguageError.syntax(message: "formula longer than \(maxLength) characters", source: "", position: 0)
        }
        var tokens: [Token] = []
        var i = 0
        func fail(_ message: String, at p: Int) -> LossLanguageError {
            .syntax(message: message, source: source, position: p)
        }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c.isASCII && (c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber)) {
                let start = i
                while i < chars.count, chars[i].isASCII, chars[i].isNumber || chars[i] == "." { i += 1 }
                // An exponent: e or E, an optional sign, digits; "2e" alone is a number then a name.
                if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                    var j = i + 1
                    if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                    if j < chars.count, chars[j].isASCII, chars[j].isNumber {
                        while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                        i = j
                    }
                }
                let text = String(chars[start..<i])
                guard let value = Double(text), value.isFinite else {
                    throw fail("'\(text)' is not a number", at: start)
                }
                tokens.append(Token(kind: .number(value), position: start))
                continue
            }
            if c.isASCII && (c.isLetter || c == "_") {
                let start = i
                while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                tokens.append(Token(kind: .identifier(String(chars[start..<i])), position: start))
                continue
            }
            if "+-*/(),".contains(c) {
                tokens.append(Token(kind: .symbol(c), position: i))
                i += 1
                continue
            }
            if c == "^" {
                throw fail("there is no power operator: write x * x, or exp(2 * log(x))", at: i)
            }
            throw fail("unexpected character '\(c)'", at: i)
        }
        tokens.append(Token(kind: .end, position: chars.count))
        return tokens
    }
}

/// A cursor over tokens with the shared error helpers.
struct TokenCursor {
    let tokens: [Token]
    let source: String
    var index = 0
    /// Nesting depth guard: deep input must give an error, not a stack overflow.
    var depth = 0
    static let maxDepth = 200
    /// Nodes built so far: counted as they are made, so that a long chain (`i + i + ...`, which
    /// the loops build without nesting) stops at the limit before the tree grows past it.
    var nodes = 0

    var current: Token { tokens[index] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func error(_ message: String, at token: Token? = nil) -> LossLanguageError {
        .syntax(message: message, source: source, position: (token ?? current).position)
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .number(let v): return "number \(formatConstant(v))"
        case .identifier(let s): return "'\(s)'"
        case .symbol(let c): return "'\(c)'"
        case .end: return "end of formula"
        }
    }

    mutating func expect(_ symbol: Character, _ what: String) throws {
        guard case .symbol(let c) = current.kind, c == symbol else {
            throw error("expected \(what), found \(describe(current))")
        }
        advance()
    }

    mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw error("formula nested deeper than \(Self.maxDepth) levels") }
    }

    mutating func leave() { depth -= 1 }

    /// Counts `count` new nodes of the tree; throws past `Expr.maxSize`.
    mutating func made(_ count: Int = 1, at token: Token? = nil) throws {
        nodes += count
        if nodes > Expr.maxSize {
            throw error("the formula has more than \(Expr.maxSize) nodes (inputs, numbers and operators), the loss language's limit", at: token)
        }
    }
}

/// The shortest text that reads back as exactly `value`: integers without ".0".
func formatConstant(_ value: Double) -> String {
    if value == value.rounded(), Swift.abs(value) < 1e15 {
        return String(Int64(value))
    }
    return "\(value)"
}
