/// The evaluator's loops. Each operator gets its own loop with the operator fixed at compile
/// time (the `switch` is outside the loop), so that LLVM can vectorise the arithmetic.
enum Kernels {
    @inline(__always)
    static func map<T>(_ n: Int, _ a: UnsafePointer<T>, _ o: UnsafeMutablePointer<T>, _ f: (T) -> T) {
        for k in 0..<n { o[k] = f(a[k]) }
    }

    @inline(__always)
    static func emit<T: LossScalar>(_ n: Int, _ dst: UnsafeMutablePointer<T>, _ accumulate: Bool, _ f: (Int) -> T) {
        if accumulate {
            for k in 0..<n { dst[k] += f(k) }
        } else {
            for k in 0..<n { dst[k] = f(k) }
        }
    }

    static func unary<T: LossScalar>(_ op: UnaryOp, _ n: Int, _ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        let a = UnsafePointer(a)
        switch op {
        case .neg: map(n, a, o) { Primitive.value(.neg, $0) }
        case .exp: map(n, a, o) { Primitive.value(.exp, $0) }
        case .log: map(n, a, o) { Primitive.value(.log, $0) }
        case .abs: map(n, a, o) { Primitive.value(.abs, $0) }
        case .sqrt: map(n, a, o) { Primitive.value(.sqrt, $0) }
        case .softmax: map(n, a, o) { Primitive.value(.softmax, $0) }
        case .softplus: map(n, a, o) { Primitive.value(.softplus, $0) }
        case .sigmoid: map(n, a, o) { Primitive.value(.sigmoid, $0) }
        case .gd: map(n, a, o) { Primitive.value(.gd, $0) }
        case .alf: map(n, a, o) { Primitive.value(.alf, $0) }
        case .erf: map(n, a, o) { Primitive.value(.erf, $0) }
        case .erfc: map(n, a, o) { Primitive.value(.erfc, $0) }
        case .tanh: map(n, a, o) { Primitive.value(.tanh, $0) }
        case .relu: map(n, a, o) { Primitive.value(.relu, $0) }
        case .sin: map(n, a, o) { Primitive.value(.sin, $0) }
        case .cos: map(n, a, o) { Primitive.value(.cos, $0) }
        }
    }

    static func unaryBackward<T: LossScalar>(_ op: UnaryOp, _ n: Int, _ g: UnsafeMutablePointer<T>, _ a: UnsafeMutablePointer<T>,
                                             _ o: UnsafeMutablePointer<T>, _ ga: UnsafeMutablePointer<T>, accumulate: Bool) {
        @inline(__always) func run(_ d: (T, T) -> T) { emit(n, ga, accumulate) { g[$0] * d(a[$0], o[$0]) } }
        switch op {
        case .neg: emit(n, ga, accumulate) { -g[$0] }
        case .exp: run { Primitive.derivative(.exp, $0, $1) }
        case .log: run { Primitive.derivative(.log, $0, $1) }
        case .abs: run { Primitive.derivative(.abs, $0, $1) }
        case .sqrt: run { Primitive.derivative(.sqrt, $0, $1) }
        case .softmax: run { Primitive.derivative(.softmax, $0, $1) }
        case .softplus: run { Primitive.derivative(.softplus, $0, $1) }
        case .sigmoid: run { Primitive.derivative(.sigmoid, $0, $1) }
        case .gd: run { Primitive.derivative(.gd, $0, $1) }
        case .alf: run { Primitive.derivative(.alf, $0, $1) }
        case .erf: run { Primitive.derivative(.erf, $0, $1) }
        case .erfc: run { Primitive.derivative(.erfc, $0, $1) }
        case .tanh: run { Primitive.derivative(.tanh, $0, $1) }
        case .relu: run { Primitive.derivative(.relu, $0, $1) }
        case .sin: run { Primitive.derivative(.sin, $0, $1) }
        case .cos: run { Primitive.derivative(.cos, $0, $1) }
        }
    }

    /// Elementwise binary operators, with a per-row scalar broadcast over a class vector.
    static func binary<T: LossScalar>(_ op: BinaryOp, rows: Int, classes: Int, _ ta: ValueType, _ tb: ValueType,
                                      _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        @inline(__always) func run(_ f: (T, T) -> T) {
            switch (ta, tb) {
            case (.scalar, .vector):
                for r in 0..<rows {
                    let s = a[r], base = r * classes
                    for c in 0..<classes { o[base + c] = f(s, b[base + c]) }
                }
            case (.vector, .scalar):
                for r in 0..<rows {
                    let s = b[r], base = r * classes
                    for c in 0..<classes { o[base + c] = f(a[base + c], s) }
                }
            default:
                let n = ta == .vector ? rows * classes : rows
                for k in 0..<n { o[k] = f(a[k], b[k]) }
            }
        }
        switch op {
        case .add: run(+)
        case .sub: run(-)
        case .mul, .dot: run(*)
        case .div: run { $0 / ($1 + T(Primitive.eps)) }
        }
    }

    static func binaryBackward<T: LossScalar>(
        _ op: BinaryOp, rows: Int, classes: Int, types: (ValueType, ValueType),
        g: UnsafeMutablePointer<T>, a: UnsafeMutablePointer<T>, b: UnsafeMutablePointer<T>, out: UnsafeMutablePointer<T>,
        ga: UnsafeMutablePointer<T>?, gb: UnsafeMutablePointer<T>?, accumulate: (Bool, Bool)
    ) {
        if op == .dot {
            // out[r] = sum_c a[r,c] b[r,c]: each side's gradient is g[r] times the other side.
            let n = rows * classes
            if let ga { emit(n, ga, accumulate.0) { g[$0 / classes] * b[$0] } }
            if let gb { emit(n, gb, accumulate.1) { g[$0 / classes] * a[$0] } }
            return
        }
        let eps = T(Primitive.eps)
        // The partial derivatives by element index (k into the output, i into a, j into b).
        let da: (Int, Int, Int) -> T
        let db: (Int, Int, Int) -> T
        switch op {
        case .add: da = { k, _, _ in g[k] }; db = { k, _, _ in g[k] }
        case .sub: da = { k, _, _ in g[k] }; db = { k, _, _ in -g[k] }
        case .mul, .dot: da = { k, _, j in g[k] * b[j] }; db = { k, i, _ in g[k] * a[i] }
        case .div: da = { k, _, j in g[k] / (b[j] + eps) }; db = { k, _, j in -g[k] * out[k] / (b[j] + eps) }
        }
        switch types {
        case (.scalar, .vector):
            // a is per row: its gradient sums over the classes.
            if let ga {
                for r in 0..<rows {
                    var s: T = 0
                    for c in 0..<classes { let k = r * classes + c; s += da(k, r, k) }
                    ga[r] = accumulate.0 ? ga[r] + s : s
                }
            }
            if let gb { emit(rows * classes, gb, accumulate.1) { k in db(k, k / classes, k) } }
        case (.vector, .scalar):
            if let ga { emit(rows * classes, ga, accumulate.0) { k in da(k, k, k / classes) } }
            if let gb {
                for r in 0..<rows {
                    var s: T = 0
                    for c in 0..<classes { let k = r * classes + c; s += db(k, k, r) }
                    gb[r] = accumulate.1 ? gb[r] + s : s
                }
            }
        default:
            let n = types.0 == .vector ? rows * classes : rows
            if let ga { emit(n, ga, accumulate.0) { k in da(k, k, k) } }
            if let gb { emit(n, gb, accumulate.1) { k in db(k, k, k) } }
        }
    }

    static func dot<T: LossScalar>(rows: Int, classes: Int, _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>,
                                   _ o: UnsafeMutablePointer<T>) {
        for r in 0..<rows {
            var s: T = 0
            let base = r * classes
            for c in 0..<classes { s += a[base + c] * b[base + c] }
            o[r] = s
        }
    }

    /// Softmax over each row, shifted by the row maximum so that large logits do not overflow.
    static func softmax<T: LossScalar>(rows: Int, classes: Int, _ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        for r in 0..<rows {
            let base = r * classes
            var m = a[base]
            for c in 1..<max(1, classes) where a[base + c] > m { m = a[base + c] }
            var s: T = 0
            for c in 0..<classes {
                let e = T.mExp(a[base + c] - m)
                o[base + c] = e
                s += e
            }
            let inv = 1 / s
            for c in 0..<classes { o[base + c] *= inv }
        }
    }

    /// d softmax: ga_j = o_j (g_j - sum_k g_k o_k).
    static func softmaxBackward<T: LossScalar>(rows: Int, classes: Int, _ g: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>,
                                               _ ga: UnsafeMutablePointer<T>, accumulate: Bool) {
        for r in 0..<rows {
            let base = r * classes
            var s: T = 0
            for c in 0..<classes { s += g[base + c] * o[base + c] }
            for c in 0..<classes {
                let v = o[base + c] * (g[base + c] - s)
                ga[base + c] = accumulate ? ga[base + c] + v : v
            }
        }
    }

    static func nonFinite<T: LossScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) -> Int {
        var bad = 0
        for k in 0..<n where !p[k].isFinite { bad += 1 }
        return bad
    }
}
