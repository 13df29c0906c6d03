/// One sample's value in the plain reference evaluator: a number or a class vector.
public enum SampleValue: Equatable, Sendable {
    /// A number.
    case scalar(Double)
    /// A class vector.
    case vector([Double])

    /// The number, or nil for a class vector.
    public var scalarValue: Double? {
        if case .scalar(let v) = self { return v }
        return nil
    }
}

extension Expr {
    /// Evaluates the formula on one sample, in Double, by walking the tree: the plain reference
    /// the compiled evaluator is tested against. Non-finite results are returned, not trapped.
    /// A sigmoid-branch sample may be a whole [C] row (x, y, w as vectors): softmax is then over
    /// the row and the result is the row of element losses.
    ///
    ///     try Expr.parse("1 - i / u", branch: .reg).reference(["i": .scalar(2), "u": .scalar(4)])
    ///
    /// `classes`: the number of classes a scalar is broadcast over in softmax and dot (the
    /// authors' [N, C+1] tensors); by default the length of the sample's class vectors, 1 for a
    /// sample of scalars, none for no sample (constants: softmax has no classes to act over).
    public func reference(_ sample: [Input: SampleValue], classes: Int? = nil) throws -> SampleValue {
        let width = classes ?? sample.values.lazy.compactMap { v -> Int? in
            if case .vector(let xs) = v { return xs.count }
            return nil
        }.first ?? (sample.isEmpty ? nil : 1)  // scalars only: rows of one class (sigmoid flattened)
        return try reference(sample, width: width)
    }

    private func reference(_ sample: [Input: SampleValue], width: Int?) throws -> SampleValue {
        /// A value as a class vector: a scalar repeated over the classes.
        func overClasses(_ v: SampleValue) throws -> [Double] {
            switch v {
            case .vector(let xs): return xs
            case .scalar(let s):
                guard let width else { throw LossLanguageError.type(message: "no classes to broadcast over: in \(infix)") }
                return [Double](repeating: s, count: width)
            }
        }
        switch self {
        case .constant(let c): return .scalar(c)
        case .input(let v):
            guard let value = sample[v] else { throw LossLanguageError.input(message: "no value for input '\(v.name)'") }
            return value
        case .unary(.softmax, let a):
            let operand = try a.reference(sample, width: width)
            // Rows of one class (the sigmoid branch flattened): softmax is 1, still a scalar.
            if case .scalar(let s) = operand, width == 1 { return .scalar(s.isFinite ? 1 : .nan) }
            let xs = try overClasses(operand)
            let m = xs.max() ?? 0
            let es = xs.map { Double.mExp($0 - m) }
            let total = es.reduce(0, +)
            return .vector(es.map { $0 / total })
        case .unary(let op, let a):
            return Self.map(try a.reference(sample, width: width)) { Primitive.value(op, $0) }
        case .binary(.dot, let a, let b) where a.isConstant && b.isConstant:
            // One-element tensors in the authors' code: the sum of their one product.
            let va = try a.reference(sample, width: width), vb = try b.reference(sample, width: width)
            return try Self.zip(va, vb) { $0 * $1 }
        case .binary(.dot, let a, let b):
            let va = try overClasses(try a.reference(sample, width: width))
            let vb = try overClasses(try b.reference(sample, width: width))
            guard va.count == vb.count else {
                throw LossLanguageError.input(message: "class vectors of lengths \(va.count) and \(vb.count)")
            }
            return .scalar(Swift.zip(va, vb).reduce(0) { $0 + $1.0 * $1.1 })
        case .binary(let op, let a, let b):
            let va = try a.reference(sample, width: width), vb = try b.reference(sample, width: width)
            return try Self.zip(va, vb) { Primitive.value(op, $0, $1) }
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
