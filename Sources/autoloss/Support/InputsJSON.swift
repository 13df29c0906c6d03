import Foundation

/// A JSON reader for the inputs file of `loss eval`, whose numbers are read correctly rounded
/// (Swift's `Double(String)`, glibc's and Apple's `strtod`, the nearest Double, as Python's
/// `json` does). `JSONSerialization` with `NSNumber.doubleValue` is not: it moved about one input
/// number in six by 1-6 ulps (0.7609477375418205 read as 0.7609477375418207).
///
/// Values come back as `[String: Any]`, `[Any]`, `Double`, `Bool`, `String` or `NSNull`.
/// Nesting is limited (the inputs are at most rows of numbers), so no input overflows the stack.
struct InputsJSON {
    static let maxNesting = 16

    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ data: Data) throws -> Any {
        var reader = InputsJSON(bytes: [UInt8](data))
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.i == reader.bytes.count else { throw reader.fail("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ message: String) -> CLIError {
        let before = bytes[..<min(i, bytes.count)]
        let line = before.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        let column = i - (before.lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
        return CLIError("\(message) at line \(line), column \(column)")
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return false }
        i += w.count
        return true
    }

    private mutating func value(depth: Int) throws -> Any {
        guard depth < Self.maxNesting else { throw fail("nested deeper than \(Self.maxNesting) levels") }
        guard let c = current else { throw fail("the text ends where a value was expected") }
        switch c {
        case UInt8(ascii: "{"):
            i += 1
            var object: [String: Any] = [:]
            skipSpace()
            if current == UInt8(ascii: "}") { i += 1; return object }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                let key = try string()
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                i += 1
                skipSpace()
                object[key] = try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { i += 1; continue }
                if current == UInt8(ascii: "}") { i += 1; return object }
                throw fail("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            i += 1
            var array: [Any] = []
            skipSpace()
            if current == UInt8(ascii: "]") { i += 1; return array }
            while true {
                skipSpace()
                array.append(try value(depth: depth + 1))
                skipSpace()
                if current == UInt8(ascii: ",") { i += 1; continue }
                if current == UInt8(ascii: "]") { i += 1; return array }
                throw fail("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t") where literal("true"): return true
        case UInt8(ascii: "f") where literal("false"): return false
        case UInt8(ascii: "n") where literal("null"): return NSNull()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(c)))'")
        }
    }

    /// RFC 8259's number grammar, then the correctly rounded conversion.
    private mutating func number() throws -> Double {
        let start = i
        func digits() -> Int {
            let s = i
            while let c = current, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if current == UInt8(ascii: "-") { i += 1 }
        let whole = i
        guard digits() > 0 else { throw fail("invalid number") }
        if bytes[whole] == UInt8(ascii: "0") && i - whole > 1 { throw fail("invalid number: a leading zero") }
        if current == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw fail("invalid number: a digit must follow the decimal point") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            i += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("invalid number: a digit must follow the exponent") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            i = start
            throw fail("number \(text.prefix(40)) is out of the range of a Double")
        }
        return value
    }

    /// A string, its escapes kept as written: the file's only strings are the input names
    /// (x, y, w, i, u, e), which have none, so an escaped key is an unknown input either way.
    private mutating func string() throws -> String {
        i += 1  // the opening quote
        let start = i
        while let c = current {
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: bytes[start..<i - 1], as: UTF8.self)
            case UInt8(ascii: "\\"): i += 2
            case 0..<0x20: throw fail("a control character in a string")
            default: i += 1
            }
        }
        throw fail("a string is not closed")
    }
}
