import Foundation
import LossLanguage

/// Hand-written fused loops for the two benchmark formulas, on the same vectorisable Float math
/// (FastFloat) as the evaluator: the floor a compiled formula is
/// measured against (one pass, no intermediate buffers, the math inlined by hand). Gradient with
/// respect to x only, as training needs.
enum FusedLoops {
    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + FastFloat.exp(-x)) }

    /// cse-b-cls = -[w (1 + erf(sigmoid(1 - y))) log s + (gd(x) - w)(s - w) log(1 - s)], s = sigmoid(x).
    static func cseBCls(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ value: UnsafeMutablePointer<Float>, _ gx: UnsafeMutablePointer<Float>) {
        let eps: Float = 1e-20
        let erfScale = Float(Double.pi.squareRoot() / 4)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let lo = n * part / 2, hi = n * (part + 1) / 2
            for k in lo..<hi {
                let s = sigmoid(x[k])
                let ds = s * (1 - s)
                let q = w[k]
                let a = (1 + (1 + FastFloat.erf(erfScale * sigmoid(1 - y[k]))) / 2)
                let logS = FastFloat.log(s + eps)
                let oneMinus = 1 - s
                let logOneMinus = FastFloat.log(oneMinus + eps)
                let t = Float(Double.pi / 4) * x[k]
                let gd = Float(2 / Double.pi) * FastFloat.atan(FastFloat.exp(t))
                let e = FastFloat.exp(-abs(t))
                let dgd = 0.5 * e / (1 + e * e)
                let b = gd - q
                let c = s - q
                value[k] = -(q * a * logS + b * c * logOneMinus)
                let dTerm1 = q * a * ds / (s + eps)
                let dTerm2 = dgd * c * logOneMinus + b * ds * logOneMinus - b * c * ds / (oneMinus + eps)
                gx[k] = -(dTerm1 + dTerm2)
            }
        }
    }

    /// cse-a-cls = -(1 + sin w) dot(y, log softmax(x)) per row of `classes` logits. Reductions
    /// keep eight partial sums so that they vectorise, as the evaluator's kernels do.
    static func cseACls(rows: Int, classes: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ value: UnsafeMutablePointer<Float>, _ gx: UnsafeMutablePointer<Float>) {
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let lo = rows * part / 2, hi = rows * (part + 1) / 2
            for r in lo..<hi {
                let xr = x + r * classes, yr = y + r * classes, gr = gx + r * classes
                var m0 = xr[0], m1 = xr[0], m2 = xr[0], m3 = xr[0]
                var c = 0
                while c + 4 <= classes {
                    m0 = max(m0, xr[c]); m1 = max(m1, xr[c + 1]); m2 = max(m2, xr[c + 2]); m3 = max(m3, xr[c + 3])
                    c += 4
                }
                var m = max(max(m0, m1), max(m2, m3))
                while c < classes { m = max(m, xr[c]); c += 1 }
                for c in 0..<classes { gr[c] = FastFloat.exp(xr[c] - m) }
                let total = sum8(classes) { gr[$0] }
                let logZ = m + FastFloat.log(total)
                let scale = 1 + FastFloat.sin(w[r])
                let dotYLogP = sum8(classes) { yr[$0] * (xr[$0] - logZ) }
                let sumY = sum8(classes) { yr[$0] }
                value[r] = -scale * dotYLogP
                // d/dx_c = scale * (p_c * sum(y) - y_c), p = exp / total
                let k = scale * sumY / total
                for c in 0..<classes { gr[c] = k * gr[c] - scale * yr[c] }
            }
        }
    }

    /// A sum with eight independent accumulators (vectorisable under IEEE rules).
    @inline(__always)
    static func sum8(_ n: Int, _ term: (Int) -> Float) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var c = 0
        while c + 8 <= n {
            s0 += term(c); s1 += term(c + 1); s2 += term(c + 2); s3 += term(c + 3)
            s4 += term(c + 4); s5 += term(c + 5); s6 += term(c + 6); s7 += term(c + 7)
            c += 8
        }
        var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while c < n { s += term(c); c += 1 }
        return s
    }
}
