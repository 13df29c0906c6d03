import LossLanguage

/// A JSON value for the command line's machine-readable output: ordered keys, Doubles printed in
/// their shortest exact form, non-finite numbers as null (JSON has no NaN).
indirect enum JSON {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let v):
            if !v.isFinite { out += "null" } else if v == v.rounded(), Swift.abs(v) < 1e15 { out += String(Int64(v)) } else { out += "\(v)" }
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += ", " }
                item.write(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (k, (key, value)) in fields.enumerated() {
                if k > 0 { out += ", " }
                JSON.quote(key, into: &out)
                out += ": "
                value.write(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) { JSONText.appendQuoted(s, to: &out) }

    static func numbers<T: BinaryFloatingPoint>(_ values: [T]) -> JSON { .array(values.map { .number(Double($0)) }) }

    /// An expression tree: `{"op": "neg", "args": [...]}`, `{"input": "x"}`, `{"constant": 1}`.
    init(tree e: Expr) {
        switch e {
        case .input(let v): self = .object([("input", .string(v.name))])
        case .constant(let c): self = .object([("constant", .number(c))])
        case .unary(let op, let a): self = .object([("op", .string(op.name)), ("args", .array([JSON(tree: a)]))])
        case .binary(let op, let a, let b):
            let name = op == .dot ? "dot" : "\(op)"
            self = .object([("op", .string(name)), ("args", .array([JSON(tree: a), JSON(tree: b)]))])
        }
    }
}
