/// One sample's value in the plain reference evaluator: a number or a class vector.
public enum SampleValue: Equatable, Sendable {
    case scalar(Double)
    case vector([Double])

    public var scalarValue: Double? {
        if case .scalar(let v) = self { return v }
        return nil
    }
}

extension Expr {
    /// Evaluates the formula on one sample, in Double, by walking the tree: the plain reference
    /// the compiled evaluator is tested against. Non-finite results are returned, not trapped.
    ///
    ///     try Expr.parse("1 - i / u", branch: .reg).reference(["i": .scalar(2), "u": .scalar(4)])
    public func reference(_ sample: [Input: SampleValue]) throws -> SampleValue {
        switch self {
        case .constant(let c): return .scalar(c)
        case .input(let v):
            guard let value = sample[v] else { throw LossLanguageError.input(message: "no value for input '\(v.name)'") }
            return value
        case .unary(.softmax, let a):
            guard case .vector(let xs) = try a.reference(sample) else {
                throw LossLanguageError.type(message: "softmax needs a class vector: in \(infix)")
            }
            let m = xs.max() ?? 0
            let es = xs.map { Double.mExp($0 - m) }
            let total = es.reduce(0, +)
            return .vector(es.map { $0 / total })
        case .unary(let op, let a):
            return Self.map(try a.reference(sample)) { Primitive.value(op, $0) }
        case .binary(let op, let a, let b):
            let va = try a.reference(sample), vb = try b.reference(sample)
            let combined = try Self.zip(va, vb) { Primitive.value(op, $0, $1) }
            if op == .dot {
                guard case .vector = va, case .vector = vb, case .vector(let ps) = combined else {
                    throw LossLanguageError.type(message: "dot needs two class vectors: in \(infix)")
                }
                return .scalar(ps.reduce(0, +))
            }
            return combined
        }
    }

    private static func map(_ v: SampleValue, _ f: (Double) -> Double) -> SampleValue {
        switch v {
        case .scalar(let a): return .scalar(f(a))
        case .vector(let xs): return .vector(xs.map(f))
        }
    }

    private static func zip(_ a: SampleValue, _ b: SampleValue, _ f: (Double, Double) -> Double) throws -> SampleValue {
        switch (a, b) {
        case (.scalar(let p), .scalar(let q)): return .scalar(f(p, q))
        case (.scalar(let p), .vector(let qs)): return .vector(qs.map { f(p, $0) })
        case (.vector(let ps), .scalar(let q)): return .vector(ps.map { f($0, q) })
        case (.vector(let ps), .vector(let qs)):
            guard ps.count == qs.count else {
                throw LossLanguageError.input(message: "class vectors of lengths \(ps.count) and \(qs.count)")
            }
            return .vector(Swift.zip(ps, qs).map(f))
        }
    }
}
