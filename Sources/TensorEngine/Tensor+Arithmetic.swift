/// Elementwise arithmetic: the residual and top-down additions of a feature pyramid, and the
/// gradient accumulation where one tensor feeds two consumers.
///
/// Backward of `a + b` is the identity to both operands: the gradient of the sum is passed on
/// unchanged as the gradient of `a` and of `b` (``Tensor/addBackward(_:)`` spells this out for
/// code that mirrors every forward call with a backward one).
extension Tensor {
    /// Elementwise sum of two tensors of the same shape.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "Tensor +: shapes \(lhs.shape) and \(rhs.shape) differ")
        return lhs.withPointer { a in
            rhs.withPointer { b in
                Tensor(uninitialized: lhs.shape) { out in
                    let a = SendablePointer(a), b = SendablePointer(b), o = SendablePointer(out)
                    Parallel.forRanges(lhs.count) { r in
                        for k in r { o.base[k] = a.base[k] + b.base[k] }
                    }
                }
            }
        }
    }

    /// Adds `rhs` elementwise into `lhs` (same shape).
    public static func += (lhs: inout Tensor, rhs: Tensor) {
        precondition(lhs.shape == rhs.shape, "Tensor +=: shapes \(lhs.shape) and \(rhs.shape) differ")
        let count = lhs.count
        rhs.withPointer { b in
            lhs.withMutablePointer { a in
                let a = SendablePointer(a), b = SendablePointer(b)
                Parallel.forRanges(count) { r in
                    for k in r { a.base[k] += b.base[k] }
                }
            }
        }
    }

    /// Every scalar multiplied by `factor`.
    public static func * (lhs: Tensor, factor: Float) -> Tensor {
        lhs.withPointer { a in
            Tensor(uninitialized: lhs.shape) { out in
                let a = SendablePointer(a), o = SendablePointer(out)
                Parallel.forRanges(lhs.count) { r in
                    for k in r { o.base[k] = a.base[k] * factor }
                }
            }
        }
    }

    /// The gradients of both operands of `a + b`, given the gradient of the sum: both are
    /// `gradient` itself.
    public static func addBackward(_ gradient: Tensor) -> (lhs: Tensor, rhs: Tensor) {
        (gradient, gradient)
    }

    /// The sum of all scalars, accumulated in Double.
    public func sum() -> Double {
        withPointer { _Reduce.sum($0, count) }
    }

    /// The sum of squares of all scalars, accumulated in Double (for gradient norms).
    public func squaredNorm() -> Double {
        withPointer { _Reduce.sumOfSquares($0, count) }
    }

    /// Whether every scalar is finite.
    public var isFinite: Bool {
        withPointer { p in
            var bad: Float = 0
            for k in 0..<count { bad += p[k] * 0 }  // NaN or Inf make `x * 0` NaN
            return !bad.isNaN
        }
    }
}
