import Foundation

/// Prints one JSON object on one line, its fields in the given order, and flushes stdout (the
/// Python drivers read the lines as they come). Strings are quoted as they are (no escaping: keys
/// and values here are benchmark names, shapes and labels), a `Double` has four decimals, anything
/// else is printed as Swift describes it (`Int` and `Float` as numbers).
///
/// ```swift
/// emit([("bench", "sgemm"), ("m", 1024), ("gflops", 446.25)])
/// // {"bench": "sgemm", "m": 1024, "gflops": 446.2500}
/// ```
public func emit(_ fields: [(String, Any)]) {
    let body = fields.map { key, value -> String in
        switch value {
        case let s as String: return "\"\(key)\": \"\(s)\""
        case let d as Double: return "\"\(key)\": \(String(format: "%.4f", d))"
        default: return "\"\(key)\": \(value)"
        }
    }
    print("{" + body.joined(separator: ", ") + "}")
    fflush(stdout)
}
