import LossLanguage

/// The scale a gradient's rounding error is measured against: over every path from the loss to
/// an input, the product of the absolute local derivatives, summed (reverse mode on |partials|,
/// by the plain reference evaluator, one sample). A gradient entry is a sum of such path terms,
/// each computed to a few ulps; where they cancel (w/w at w = 1e-7, or y/(eps - y) times
/// (eps + y) at y = 0) the result is only determined to about ulp times this scale.
enum GradientMagnitude {
    /// Row `row` of `batch` as a sample of the reference evaluator.
    static func sample(_ batch: LossBatch<Double>, row: Int, branch: Branch) -> [Input: SampleValue] {
        var s: [Input: SampleValue] = [:]
        for (input, data) in batch.inputs {
            s[input] = branch.type(of: input) == .vector
                ? .vector(Array(data[row * batch.classes..<(row + 1) * batch.classes])) : .scalar(data[row])
        }
        return s
    }

    /// The value's counterpart: the sum over inputs of |input| times its path magnitude, how much
    /// the value's terms move under a relative change of every input (cos(x) - 1 + x at x = 1e-9).
    static func valueScale(_ e: Expr, sample: [Input: SampleValue]) throws -> Double {
        var total = 0.0
        for (input, m) in try of(e, sample: sample) {
            guard let x = sample[input] else { continue }
            let xs = values(x), ms = values(m)
            for k in ms.indices { total += ms[k] == 0 ? 0 : abs(xs[xs.count == 1 ? 0 : k]) * ms[k] }
        }
        return total
    }

    static func of(_ e: Expr, sample: [Input: SampleValue]) throws -> [Input: SampleValue] {
        var found: [Input: SampleValue] = [:]
        try walk(e, sample, .scalar(1), &found)
        return found
    }

    private static func walk(_ e: Expr, _ s: [Input: SampleValue], _ up: SampleValue, _ found: inout [Input: SampleValue]) throws {
        switch e {
        case .constant: return
        case .input(let v):
            found[v] = found[v].map { add($0, up) } ?? up
        case .unary(.softmax, let a):
            guard case .vector(let p) = try e.reference(s), case .vector(let u) = up else { return }
            // |d p_j / d a_k| = p_j |delta_jk - p_k|.
            let total = zip(u, p).reduce(0) { $0 + $1.0 * $1.1 }
            try walk(a, s, .vector(p.indices.map { k in u[k] * p[k] * (1 - p[k]) + p[k] * (total - u[k] * p[k]) }), &found)
        case .unary(let op, let a):
            let va = values(try a.reference(s)), out = values(try e.reference(s)), u = values(up)
            let down = va.indices.map { k in scaled(u[k], Primitive.derivative(op, va[k], out[k])) }
            try walk(a, s, va.count == 1 && !isVector(up) ? .scalar(down[0]) : .vector(down), &found)
        case .binary(let op, let a, let b):
            let ra = try a.reference(s), rb = try b.reference(s)
            let n = max(values(ra).count, values(rb).count)
            let va = expand(ra, n), vb = expand(rb, n)
            var da = [Double](repeating: 0, count: n), db = da
            for k in 0..<n {
                let uk = op == .dot ? values(up)[0] : expand(up, n)[k]
                let (pa, pb) = partials(op, va[k], vb[k])
                da[k] = scaled(uk, pa)
                db[k] = scaled(uk, pb)
            }
            try walk(a, s, isVector(ra) ? .vector(da) : .scalar(da.reduce(0, +)), &found)
            try walk(b, s, isVector(rb) ? .vector(db) : .scalar(db.reduce(0, +)), &found)
        }
    }

    /// The evaluator's partial derivatives of a op b (dot: of the product before its sum).
    private static func partials(_ op: BinaryOp, _ a: Double, _ b: Double) -> (Double, Double) {
        switch op {
        case .add: return (1, 1)
        case .sub: return (1, -1)
        case .mul, .dot: return (b, a)
        case .div:
            let inv = 1 / (b + Primitive.eps)
            return (inv, -(a * inv) * inv)
        }
    }

    private static func scaled(_ u: Double, _ d: Double) -> Double { u == 0 || d == 0 ? 0 : u * abs(d) }
    private static func isVector(_ v: SampleValue) -> Bool { if case .vector = v { return true } else { return false } }
    private static func values(_ v: SampleValue) -> [Double] {
        switch v {
        case .scalar(let x): return [x]
        case .vector(let xs): return xs
        }
    }
    private static func expand(_ v: SampleValue, _ n: Int) -> [Double] {
        let xs = values(v)
        return xs.count == n ? xs : [Double](repeating: xs[0], count: n)
    }
    private static func add(_ a: SampleValue, _ b: SampleValue) -> SampleValue {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): return .scalar(x + y)
        default:
            let n = max(values(a).count, values(b).count)
            return .vector(zip(expand(a, n), expand(b, n)).map { $0 + $1 })
        }
    }
}
