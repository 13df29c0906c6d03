/// The class-sum operator `dot`: forward, backward, and their row loops. A per-sample scalar
/// operand (the authors' w over the classes, a constant) is repeated over the classes.
extension Kernels {
    /// out[r] = sum over the classes of a * b, a per-sample scalar operand repeated over them
    /// (the authors' Z and constants): dot(s, v) = s sum(v), dot(s, t) = C s t.
    static func dot<T: LossScalar>(rows: Int, classes: Int, _ types: (ValueType, ValueType), _ a: UnsafeMutablePointer<T>,
                                   _ b: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
        switch types {
        case (.vector, .vector): for r in 0..<rows { o[r] = dotRow(a + r * classes, b + r * classes, classes) }
        // Products first, then their sum, as the authors' torch.sum(x1 * x2): where the sum
        // cancels, s * sum(v) would round differently.
        case (.scalar, .vector): for r in 0..<rows { o[r] = scaledSumRow(a[r], b + r * classes, classes) }
        case (.vector, .scalar): for r in 0..<rows { o[r] = scaledSumRow(b[r], a + r * classes, classes) }
        case (.scalar, .scalar): for r in 0..<rows { o[r] = T(classes) * (a[r] * b[r]) }
        }
    }

    /// One side of dot's backward: `types` = (this side's, the other's), `other` the other side.
    static func dotBackward<T: LossScalar>(_ rows: Int, _ classes: Int, _ types: (ValueType, ValueType), _ g: UnsafeMutablePointer<T>,
                                           _ other: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>, _ accumulate: Bool) {
        switch types {
        case (.vector, .vector): broadcastProduct(rows, classes, g, other, dst, accumulate)
        case (.vector, .scalar):
            for r in 0..<rows {
                let s = g[r] * other[r], base = r * classes
                for c in 0..<classes { dst[base + c] = accumulate ? dst[base + c] + s : s }
            }
        case (.scalar, .vector):
            for r in 0..<rows { let d = g[r] * sumRow(other + r * classes, classes); dst[r] = accumulate ? dst[r] + d : d }
        case (.scalar, .scalar):
            for r in 0..<rows { let d = g[r] * (T(classes) * other[r]); dst[r] = accumulate ? dst[r] + d : d }
        }
    }

    /// dst[r, c] (+)= g[r] * v[r, c].
    static func broadcastProduct<T: LossScalar>(_ rows: Int, _ classes: Int, _ g: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
                                                _ dst: UnsafeMutablePointer<T>, _ accumulate: Bool) {
        for r in 0..<rows {
            let s = g[r], base = r * classes
            if accumulate {
                for c in 0..<classes { dst[base + c] += s * v[base + c] }
            } else {
                for c in 0..<classes { dst[base + c] = s * v[base + c] }
            }
        }
    }

    /// sum_c s * a[c], in `dotRow`'s order.
    @inline(__always)
    static func scaledSumRow<T: LossScalar>(_ s: T, _ a: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var c = 0
        while c + 8 <= n {
            s0 += s * a[c]; s1 += s * a[c + 1]; s2 += s * a[c + 2]; s3 += s * a[c + 3]
            s4 += s * a[c + 4]; s5 += s * a[c + 5]; s6 += s * a[c + 6]; s7 += s * a[c + 7]
            c += 8
        }
        var t = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while c < n { t += s * a[c]; c += 1 }
        return t
    }
}
