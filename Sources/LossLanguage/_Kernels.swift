/// The evaluator's loops. Each operator gets its own loop with the operator fixed at compile
/// time (the `switch` is outside the loop), so that LLVM can vectorise the arithmetic.
enum Kernels {
    // Each loop helper takes the operator as a value, never a closure: inlined with a literal
    // operator, the switch inside `Primitive` folds away and the loop vectorises. (Closures
    // passed the same way stayed calls per element, 4x slower.)

    @inline(__always)
    static func unaryLoop<T: LossScalar>(_ op: UnaryOp, _ n: Int, _ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        for k in 0..<n { o[k] = Primitive.value(op, a[k]) }
    }

    // Transparent, not just always-inline: `unaryBackward`'s sixteen cases of four loops each
    // outgrew the inliner's budget, and the loop, left a function, switched on the operator per
    // element, scalar (cse-b-cls: 10.6 against 6.3 ms forward and backward over 10^6 elements).
    @_transparent
    static func unaryBackwardLoop<T: LossScalar>(_ op: UnaryOp, _ n: Int, _ g: UnsafeMutablePointer<T>, _ a: UnsafeMutablePointer<T>,
                                                 _ o: UnsafeMutablePointer<T>, _ ga: UnsafeMutablePointer<T>, _ accumulate: Bool) {
        // relu and exp's clamp select, as PyTorch's threshold and clamp backward do: where the
        // local derivative is 0 the contribution is 0, even from an infinite upstream gradient
        // (sqrt(relu(x)) at x = -1: inf * 0 would be NaN). The other operators multiply, as
        // PyTorch's do.
        if Primitive.selectsGradient(op) {
            if accumulate {
                for k in 0..<n { let d = Primitive.derivative(op, a[k], o[k]); ga[k] += d == 0 ? 0 : g[k] * d }
            } else {
                for k in 0..<n { let d = Primitive.derivative(op, a[k], o[k]); ga[k] = d == 0 ? 0 : g[k] * d }
            }
        } else if accumulate {
            for k in 0..<n { ga[k] += g[k] * Primitive.derivative(op, a[k], o[k]) }
        } else {
            for k in 0..<n { ga[k] = g[k] * Primitive.derivative(op, a[k], o[k]) }
        }
    }

    static func unary<T: LossScalar>(_ op: UnaryOp, _ n: Int, _ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        switch op {
        case .neg: unaryLoop(.neg, n, a, o)
        case .exp: unaryLoop(.exp, n, a, o)
        case .log: unaryLoop(.log, n, a, o)
        case .abs: unaryLoop(.abs, n, a, o)
        case .sqrt: unaryLoop(.sqrt, n, a, o)
        case .softmax: unaryLoop(.softmax, n, a, o)
        case .softplus: unaryLoop(.softplus, n, a, o)
        case .sigmoid: unaryLoop(.sigmoid, n, a, o)
        case .gd: unaryLoop(.gd, n, a, o)
        case .alf: unaryLoop(.alf, n, a, o)
        case .erf: unaryLoop(.erf, n, a, o)
        case .erfc: unaryLoop(.erfc, n, a, o)
        case .tanh: unaryLoop(.tanh, n, a, o)
        case .relu: unaryLoop(.relu, n, a, o)
        case .sin: unaryLoop(.sin, n, a, o)
        case .cos: unaryLoop(.cos, n, a, o)
        }
    }

    static func unaryBackward<T: LossScalar>(_ op: UnaryOp, _ n: Int, _ g: UnsafeMutablePointer<T>, _ a: UnsafeMutablePointer<T>,
                                             _ o: UnsafeMutablePointer<T>, _ ga: UnsafeMutablePointer<T>, accumulate: Bool) {
        switch op {
        case .neg: unaryBackwardLoop(.neg, n, g, a, o, ga, accumulate)
        case .exp: unaryBackwardLoop(.exp, n, g, a, o, ga, accumulate)
        case .log: unaryBackwardLoop(.log, n, g, a, o, ga, accumulate)
        case .abs: unaryBackwardLoop(.abs, n, g, a, o, ga, accumulate)
        case .sqrt: unaryBackwardLoop(.sqrt, n, g, a, o, ga, accumulate)
        case .softmax: unaryBackwardLoop(.softmax, n, g, a, o, ga, accumulate)
        case .softplus: unaryBackwardLoop(.softplus, n, g, a, o, ga, accumulate)
        case .sigmoid: unaryBackwardLoop(.sigmoid, n, g, a, o, ga, accumulate)
        case .gd: unaryBackwardLoop(.gd, n, g, a, o, ga, accumulate)
        case .alf: unaryBackwardLoop(.alf, n, g, a, o, ga, accumulate)
        case .erf: unaryBackwardLoop(.erf, n, g, a, o, ga, accumulate)
        case .erfc: unaryBackwardLoop(.erfc, n, g, a, o, ga, accumulate)
        case .tanh: unaryBackwardLoop(.tanh, n, g, a, o, ga, accumulate)
        case .relu: unaryBackwardLoop(.relu, n, g, a, o, ga, accumulate)
        case .sin: unaryBackwardLoop(.sin, n, g, a, o, ga, accumulate)
        case .cos: unaryBackwardLoop(.cos, n, g, a, o, ga, accumulate)
        }
    }

    /// Elementwise binary operators, with a per-row scalar broadcast over a class vector.
    static func binary<T: LossScalar>(_ op: BinaryOp, rows: Int, classes: Int, _ ta: ValueType, _ tb: ValueType,
                                      _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        switch op {
        case .add: binaryLoop(.add, rows, classes, ta, tb, a, b, o)
        case .sub: binaryLoop(.sub, rows, classes, ta, tb, a, b, o)
        case .mul, .dot: binaryLoop(.mul, rows, classes, ta, tb, a, b, o)
        case .div: binaryLoop(.div, rows, classes, ta, tb, a, b, o)
        }
    }

    @inline(__always)
    static func binaryLoop<T: LossScalar>(_ op: BinaryOp, _ rows: Int, _ classes: Int, _ ta: ValueType, _ tb: ValueType,
                                          _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        switch (ta, tb) {
        case (.scalar, .vector):
            for r in 0..<rows {
                let s = a[r], base = r * classes
                for c in 0..<classes { o[base + c] = Primitive.value(op, s, b[base + c]) }
            }
        case (.vector, .scalar):
            for r in 0..<rows {
                let s = b[r], base = r * classes
                for c in 0..<classes { o[base + c] = Primitive.value(op, a[base + c], s) }
            }
        default:
            let n = ta == .vector ? rows * classes : rows
            for k in 0..<n { o[k] = Primitive.value(op, a[k], b[k]) }
        }
    }

    /// The partial derivatives of a op b with respect to a and b, given the result.
    @inline(__always)
    static func partials<T: LossScalar>(_ op: BinaryOp, _ a: T, _ b: T, _ out: T) -> (T, T) {
        switch op {
        case .add: return (1, 1)
        case .sub: return (1, -1)
        case .mul, .dot: return (b, a)
        case .div:
            let inv = 1 / (b + T(Primitive.eps))
            return (inv, -out * inv)
        }
    }

    static func binaryBackward<T: LossScalar>(
        _ op: BinaryOp, rows: Int, classes: Int, types: (ValueType, ValueType),
        g: UnsafeMutablePointer<T>, a: UnsafeMutablePointer<T>, b: UnsafeMutablePointer<T>, out: UnsafeMutablePointer<T>,
        ga: UnsafeMutablePointer<T>?, gb: UnsafeMutablePointer<T>?, accumulate: (Bool, Bool)
    ) {
        if op == .dot {
            // out[r] = sum_c a[r,c] b[r,c]: each side's gradient is g[r] times the other side,
            // summed over the classes for a per-sample scalar side.
            if let ga { dotBackward(rows, classes, (types.0, types.1), g, b, ga, accumulate.0) }
            if let gb { dotBackward(rows, classes, (types.1, types.0), g, a, gb, accumulate.1) }
            return
        }
        switch op {
        case .add: binaryBackwardLoop(.add, rows, classes, types, g, a, b, out, ga, gb, accumulate)
        case .sub: binaryBackwardLoop(.sub, rows, classes, types, g, a, b, out, ga, gb, accumulate)
        case .mul, .dot: binaryBackwardLoop(.mul, rows, classes, types, g, a, b, out, ga, gb, accumulate)
        case .div: binaryBackwardLoop(.div, rows, classes, types, g, a, b, out, ga, gb, accumulate)
        }
    }

    @inline(__always)
    static func binaryBackwardLoop<T: LossScalar>(
        _ op: BinaryOp, _ rows: Int, _ classes: Int, _ types: (ValueType, ValueType),
        _ g: UnsafeMutablePointer<T>, _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>,
        _ ga: UnsafeMutablePointer<T>?, _ gb: UnsafeMutablePointer<T>?, _ accumulate: (Bool, Bool)
    ) {
        @inline(__always) func store(_ p: UnsafeMutablePointer<T>, _ k: Int, _ v: T, _ acc: Bool) {
            p[k] = acc ? p[k] + v : v
        }
        switch types {
        case (.scalar, .vector), (.vector, .scalar):
            let scalarFirst = types.0 == .scalar
            for r in 0..<rows {
                let base = r * classes
                let s = scalarFirst ? a[r] : b[r]
                // The class vector's side: elementwise.
                if scalarFirst, let gb {
                    for c in 0..<classes { store(gb, base + c, g[base + c] * partials(op, s, b[base + c], out[base + c]).1, accumulate.1) }
                }
                if !scalarFirst, let ga {
                    for c in 0..<classes { store(ga, base + c, g[base + c] * partials(op, a[base + c], s, out[base + c]).0, accumulate.0) }
                }
                // The per-row scalar's side sums over the classes.
                guard let gs = scalarFirst ? ga : gb else { continue }
                let sum: T
                switch (op, scalarFirst) {
                case (.add, _): sum = sumRow(g + base, classes)
                case (.sub, true): sum = sumRow(g + base, classes)
                case (.sub, false): sum = -sumRow(g + base, classes)
                case (.mul, true), (.dot, true): sum = dotRow(g + base, b + base, classes)
                case (.mul, false), (.dot, false): sum = dotRow(g + base, a + base, classes)
                case (.div, false): sum = -dotRow(g + base, out + base, classes) / (s + T(Primitive.eps))
                case (.div, true):
                    var t: T = 0
                    for c in 0..<classes { t += g[base + c] / (b[base + c] + T(Primitive.eps)) }
                    sum = t
                }
                store(gs, r, sum, scalarFirst ? accumulate.0 : accumulate.1)
            }
        default:
            let n = types.0 == .vector ? rows * classes : rows
            switch (ga, gb) {
            case (let ga?, let gb?):
                for k in 0..<n {
                    let (pa, pb) = partials(op, a[k], b[k], out[k])
                    store(ga, k, g[k] * pa, accumulate.0)
                    store(gb, k, g[k] * pb, accumulate.1)
                }
            case (let ga?, nil):
                for k in 0..<n { store(ga, k, g[k] * partials(op, a[k], b[k], out[k]).0, accumulate.0) }
            case (nil, let gb?):
                for k in 0..<n { store(gb, k, g[k] * partials(op, a[k], b[k], out[k]).1, accumulate.1) }
            case (nil, nil): break
            }
        }
    }

    // Row reductions (over the classes). Strict IEEE order forbids LLVM to vectorise a single
    // running sum, so these keep eight independent partial sums that it can pack into lanes.

    @inline(__always)
    static func dotRow<T: LossScalar>(_ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var c = 0
        while c + 8 <= n {
            s0 += a[c] * b[c]; s1 += a[c + 1] * b[c + 1]; s2 += a[c + 2] * b[c + 2]; s3 += a[c + 3] * b[c + 3]
            s4 += a[c + 4] * b[c + 4]; s5 += a[c + 5] * b[c + 5]; s6 += a[c + 6] * b[c + 6]; s7 += a[c + 7] * b[c + 7]
            c += 8
        }
        var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while c < n { s += a[c] * b[c]; c += 1 }
        return s
    }

    @inline(__always)
    static func sumRow<T: LossScalar>(_ a: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var c = 0
        while c + 8 <= n {
            s0 += a[c]; s1 += a[c + 1]; s2 += a[c + 2]; s3 += a[c + 3]
            s4 += a[c + 4]; s5 += a[c + 5]; s6 += a[c + 6]; s7 += a[c + 7]
            c += 8
        }
        var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while c < n { s += a[c]; c += 1 }
        return s
    }

    @inline(__always)
    static func maxRow<T: LossScalar>(_ a: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var m0 = a[0], m1 = a[0], m2 = a[0], m3 = a[0]
        var c = 0
        while c + 4 <= n {
            m0 = a[c] > m0 ? a[c] : m0; m1 = a[c + 1] > m1 ? a[c + 1] : m1
            m2 = a[c + 2] > m2 ? a[c + 2] : m2; m3 = a[c + 3] > m3 ? a[c + 3] : m3
            c += 4
        }
        var m = max(max(m0, m1), max(m2, m3))
        while c < n { m = a[c] > m ? a[c] : m; c += 1 }
        return m
    }

    /// Softmax over each row, shifted by the row maximum so that large logits do not overflow;
    /// the exponentials over the whole tile at once (see `logSoftmax`).
    static func softmax<T: LossScalar>(rows: Int, classes: Int, _ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        for r in 0..<rows {
            let base = r * classes
            let m = maxRow(a + base, classes)
            for c in 0..<classes { o[base + c] = a[base + c] - m }
        }
        let n = rows * classes
        for k in 0..<n { o[k] = T.mExp(o[k]) }
        for r in 0..<rows {
            let y = o + r * classes
            let inv = 1 / sumRow(y, classes)
            for c in 0..<classes { y[c] *= inv }
        }
    }

    /// d softmax: ga_j = o_j (g_j - sum_k g_k o_k).
    static func softmaxBackward<T: LossScalar>(rows: Int, classes: Int, _ g: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>,
                                               _ ga: UnsafeMutablePointer<T>, accumulate: Bool) {
        for r in 0..<rows {
            let base = r * classes
            let s = dotRow(g + base, o + base, classes)
            if accumulate {
                for c in 0..<classes { ga[base + c] += o[base + c] * (g[base + c] - s) }
            } else {
                for c in 0..<classes { ga[base + c] = o[base + c] * (g[base + c] - s) }
            }
        }
    }

    /// out = log(softmax(x) + eps), p = softmax(x), per row. Where softmax(x) is far above eps the
    /// guard is below the type's resolution, so out = x - max - log(sum); below a type-dependent
    /// threshold (Float: log p < -27) the few elements there are recomputed by the definition.
    /// The exponentials run over the whole tile at once: rows of 81 classes would leave a fifth of
    /// every row to a scalar loop epilogue.
    static func logSoftmax<T: LossScalar>(rows: Int, classes: Int, _ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>,
                                          _ p: UnsafeMutablePointer<T>) {
        let eps = T(Primitive.eps)
        let threshold = T.mLog(eps / T.ulpOfOne) + 3
        withUnsafeTemporaryAllocation(of: T.self, capacity: 2 * rows) { scratch in
            let shift = scratch.baseAddress!, scale = shift + rows
            // out = (x - max) - log(sum): the shifted logits first, exact for the largest, and
            // log(sum) subtracted from them. (x - (max + log(sum))) lost log(sum) entirely
            // where max is large: CE at x = (1e16, 1e16) gave 0 instead of log 2.
            for r in 0..<rows {
                let base = r * classes
                let m = maxRow(a + base, classes)
                for c in 0..<classes { o[base + c] = a[base + c] - m }
            }
            let n = rows * classes
            for k in 0..<n { p[k] = T.mExp(o[k]) }
            for r in 0..<rows {
                let s = sumRow(p + r * classes, classes)
                shift[r] = T.mLog(s)
                scale[r] = 1 / s
            }
            for r in 0..<rows {
                let base = r * classes, sh = shift[r], inv = scale[r]
                for c in 0..<classes {
                    o[base + c] -= sh
                    p[base + c] *= inv
                }
                if -maxRow(negated: o + base, classes) < threshold {
                    for c in 0..<classes where o[base + c] < threshold { o[base + c] = T.mLog(p[base + c] + eps) }
                }
            }
        }
    }

    /// With r = g p / (p + eps): d/dx_j = r_j - p_j sum_i r_i. Where every p of a row is far
    /// above eps, p / (p + eps) is exactly 1 in the type and r = g: no division.
    static func logSoftmaxBackward<T: LossScalar>(rows: Int, classes: Int, _ g: UnsafeMutablePointer<T>, _ p: UnsafeMutablePointer<T>,
                                                  _ ga: UnsafeMutablePointer<T>, accumulate: Bool) {
        let eps = T(Primitive.eps)
        let exactlyOne = 2 * eps / T.ulpOfOne
        for r in 0..<rows {
            let base = r * classes
            let gr = g + base, q = p + base, out = ga + base
            if -maxRow(negated: q, classes) > exactlyOne {
                let total = sumRow(gr, classes)
                if accumulate {
                    for c in 0..<classes { out[c] += gr[c] - q[c] * total }
                } else {
                    for c in 0..<classes { out[c] = gr[c] - q[c] * total }
                }
                continue
            }
            var total: T = 0
            for c in 0..<classes { total += gr[c] * q[c] / (q[c] + eps) }
            if accumulate {
                for c in 0..<classes { out[c] += gr[c] * q[c] / (q[c] + eps) - q[c] * total }
            } else {
                for c in 0..<classes { out[c] = gr[c] * q[c] / (q[c] + eps) - q[c] * total }
            }
        }
    }

    /// max(-a): the row minimum, negated, through the same vectorisable reduction.
    @inline(__always)
    static func maxRow<T: LossScalar>(negated a: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var m0 = -a[0], m1 = -a[0], m2 = -a[0], m3 = -a[0]
        var c = 0
        while c + 4 <= n {
            m0 = -a[c] > m0 ? -a[c] : m0; m1 = -a[c + 1] > m1 ? -a[c + 1] : m1
            m2 = -a[c + 2] > m2 ? -a[c + 2] : m2; m3 = -a[c + 3] > m3 ? -a[c + 3] : m3
            c += 4
        }
        var m = max(max(m0, m1), max(m2, m3))
        while c < n { m = -a[c] > m ? -a[c] : m; c += 1 }
        return m
    }

    static func nonFinite<T: LossScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) -> Int {
        var bad = 0
        for k in 0..<n where !p[k].isFinite { bad += 1 }
        return bad
    }
}
