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
                let gd = (1 + Float(4 / Double.pi) * FastFloat.atan(FastFloat.tanh(Float(Double.pi / 8) * x[k]))) / 2
                let dgd = 0.25 / FastFloat.cosh(Float(Double.pi / 4) * x[k])
                let b = gd - q
                let c = s - q
                value[k] = -(q * a * logS + b * c * logOneMinus)
                let dTerm1 = q * a * ds / (s + eps)
                let dTerm2 = dgd * c * logOneMinus + b * ds * logOneMinus - b * c * ds / (oneMinus + eps)
                gx[k] = -(dTerm1 + dTerm2)
            }
        }
    }

    /// cse-a-cls = -(1 + sin w) dot(y, log softmax(x)) per row of `classes` logits.
    static func cseACls(rows: Int, classes: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ value: UnsafeMutablePointer<Float>, _ gx: UnsafeMutablePointer<Float>) {
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let lo = rows * part / 2, hi = rows * (part + 1) / 2
            for r in lo..<hi {
                let base = r * classes
                var m = x[base]
                for c in 1..<classes where x[base + c] > m { m = x[base + c] }
                var total: Float = 0
                for c in 0..<classes { total += FastFloat.exp(x[base + c] - m) }
                let logZ = m + FastFloat.log(total)
                let scale = 1 + FastFloat.sin(w[r])
                var dotYLogP: Float = 0, sumY: Float = 0
                for c in 0..<classes {
                    dotYLogP += y[base + c] * (x[base + c] - logZ)
                    sumY += y[base + c]
                }
                value[r] = -scale * dotYLogP
                // d/dx_c = scale * (p_c * sum(y) - y_c)
                for c in 0..<classes {
                    let p = FastFloat.exp(x[base + c] - logZ)
                    gx[base + c] = scale * (p * sumY - y[base + c])
                }
            }
        }
    }
}
