/// Sums over long Float runs, vectorised by hand (LLVM does not reorder Float additions by itself)
/// and accurate: 16 Float lanes over blocks of 1024 scalars, the blocks added in Double, so the
/// error is that of a 64-term Float sum, not of a 10^5-term one.
enum _Reduce {
    static let block = 1024

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Σ p[k].
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0, k = 0
        while k + 16 <= n {
            let end = min(n - (n - k) % 16, k + block)
            var acc = SIMD16<Float>()
            while k < end { acc += load(p + k); k += 16 }
            total += Double(acc.sum())
        }
        while k < n { total += Double(p[k]); k += 1 }
        return total
    }

    /// Σ p[k]².
    static func sumOfSquares(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0, k = 0
        while k + 16 <= n {
            let end = min(n - (n - k) % 16, k + block)
            var acc = SIMD16<Float>()
            while k < end { let v = load(p + k); acc += v * v; k += 16 }
            total += Double(acc.sum())
        }
        while k < n { total += Double(p[k]) * Double(p[k]); k += 1 }
        return total
    }

    /// Σ (p[k] - mean)², the second pass of a two-pass variance (no cancellation).
    static func sumOfSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Double {
        var total = 0.0, k = 0
        let m = SIMD16<Float>(repeating: mean)
        while k + 16 <= n {
            let end = min(n - (n - k) % 16, k + block)
            var acc = SIMD16<Float>()
            while k < end { let v = load(p + k) - m; acc += v * v; k += 16 }
            total += Double(acc.sum())
        }
        while k < n { let v = Double(p[k] - mean); total += v * v; k += 1 }
        return total
    }

    /// Σ a[k]·b[k].
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0, k = 0
        while k + 16 <= n {
            let end = min(n - (n - k) % 16, k + block)
            var acc = SIMD16<Float>()
            while k < end { acc += load(a + k) * load(b + k); k += 16 }
            total += Double(acc.sum())
        }
        while k < n { total += Double(a[k]) * Double(b[k]); k += 1 }
        return total
    }

    /// out[k] = a·g'[k] + b·x[k] + c, with g' = g where x[k]·scale + shift > 0 and 0 elsewhere
    /// (the mask a fused ReLU's forward pass applied), or g' = g without a mask: GroupNorm's
    /// input gradient, in one writing pass. Explicit lanes because LLVM leaves the masked loop
    /// scalar (measured: scalar SSE, about a tenth of a training step); each lane computes
    /// exactly the scalar expression, so the results are the same bits.
    static func affine(_ out: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
                       a: Float, b: Float, c: Float, mask: (scale: Float, shift: Float)?) {
        let av = SIMD16<Float>(repeating: a), bv = SIMD16<Float>(repeating: b), cv = SIMD16<Float>(repeating: c)
        var k = 0
        if let mask {
            let s = SIMD16<Float>(repeating: mask.scale), t = SIMD16<Float>(repeating: mask.shift)
            while k + 16 <= n {
                let xv = load(x + k)
                let gv = load(g + k).replacing(with: 0, where: .!(xv * s + t .> 0))
                UnsafeMutableRawPointer(out + k).storeBytes(of: av * gv + bv * xv + cv, as: SIMD16<Float>.self)
                k += 16
            }
            while k < n {
                let gk = x[k] * mask.scale + mask.shift > 0 ? g[k] : 0
                out[k] = a * gk + b * x[k] + c
                k += 1
            }
        } else {
            while k + 16 <= n {
                let xv = load(x + k)
                UnsafeMutableRawPointer(out + k).storeBytes(of: av * load(g + k) + bv * xv + cv, as: SIMD16<Float>.self)
                k += 16
            }
            while k < n {
                out[k] = a * g[k] + b * x[k] + c
                k += 1
            }
        }
    }

    /// (Σ g[k], Σ g[k]·x[k]) over the k where x[k]·scale + shift > 0: the sums of GroupNorm's
    /// backward pass behind a ReLU, whose mask is where the normalised value stayed positive.
    static func maskedSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
                           scale: Float, shift: Float) -> (Double, Double) {
        var total1 = 0.0, total2 = 0.0, k = 0
        let s = SIMD16<Float>(repeating: scale), t = SIMD16<Float>(repeating: shift)
        while k + 16 <= n {
            let end = min(n - (n - k) % 16, k + block)
            var acc1 = SIMD16<Float>(), acc2 = SIMD16<Float>()
            while k < end {
                let xv = load(x + k)
                let gv = load(g + k).replacing(with: 0, where: xv * s + t .<= 0)
                acc1 += gv
                acc2 += gv * xv
                k += 16
            }
            total1 += Double(acc1.sum())
            total2 += Double(acc2.sum())
        }
        while k < n {
            if x[k] * scale + shift > 0 {
                total1 += Double(g[k])
                total2 += Double(g[k]) * Double(x[k])
            }
            k += 1
        }
        return (total1, total2)
    }
}
