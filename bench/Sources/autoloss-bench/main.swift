import BenchSupport
import Foundation
import LossLanguage

/// The loss-language benchmark: forward + gradient (w.r.t. x) of cse-b-cls over 10^6 sigmoid
/// elements and of cse-a-cls over 10^5 rows of 81 classes, with the compiled evaluator (Float)
/// and with hand-written fused loops. Prints one JSON line per measurement; bench/loss_bench.py
/// runs PyTorch on the same sizes in the same run and prints the ratios.
///
/// Usage: autoloss-bench [repeats]
let repeats = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 30 : 30

var rng = SplitMix64(state: 42)

// cse-b-cls: 12,500 locations x 80 classes = 10^6 elements; one positive in 80.
do {
    let n = 1_000_000
    var x = [Float](repeating: 0, count: n), y = x, w = x
    for k in 0..<n {
        x[k] = Float.random(in: -6...6, using: &rng)
        if Int.random(in: 0..<80, using: &rng) == 0 {
            y[k] = 1
            w[k] = Float.random(in: 0.1...1, using: &rng)
        }
    }
    let loss = try CompiledLoss<Float>(Expr.resolve("cse-b-cls", branch: .sigmoid), branch: .sigmoid, gradientsFor: [.x])
    var values = [Float](repeating: 0, count: n), gx = values
    var fusedValues = values, fusedGx = values
    let compiled = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
        values.withUnsafeMutableBufferPointer { vp in gx.withUnsafeMutableBufferPointer { gp in
            measure(repeats) {
                _ = loss.run(rows: n, classes: 1, inputs: [.x: xp.baseAddress!, .y: yp.baseAddress!, .w: wp.baseAddress!],
                             values: vp.baseAddress!, gradients: [.x: gp.baseAddress!])
            }
        } }
    } } }
    let fused = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
        fusedValues.withUnsafeMutableBufferPointer { vp in fusedGx.withUnsafeMutableBufferPointer { gp in
            measure(repeats) { FusedLoops.cseBCls(n, xp.baseAddress!, yp.baseAddress!, wp.baseAddress!, vp.baseAddress!, gp.baseAddress!) }
        } }
    } } }
    let maxError = zip(gx, fusedGx).map { abs($0 - $1) / max(1e-3, abs($1)) }.max()!
    let sum = values.reduce(0, +)
    emit([("bench", "cse-b-cls"), ("size", "1e6 elements"), ("ms", compiled), ("impl", "compiled"), ("sum", sum)])
    emit([("bench", "cse-b-cls"), ("size", "1e6 elements"), ("ms", fused), ("impl", "fused"), ("grad_rel_diff", maxError)])
}

// cse-a-cls: 10^5 RoIs x 81 classes (80 + background); three in four are background.
do {
    let rows = 100_000, classes = 81
    var x = [Float](repeating: 0, count: rows * classes), y = x
    var w = [Float](repeating: 1, count: rows)
    for r in 0..<rows {
        for c in 0..<classes { x[r * classes + c] = Float.random(in: -4...4, using: &rng) }
        let background = Int.random(in: 0..<4, using: &rng) != 0
        let label = background ? classes - 1 : Int.random(in: 0..<(classes - 1), using: &rng)
        y[r * classes + label] = 1
        if !background { w[r] = Float.random(in: 0.5...1, using: &rng) }
    }
    let loss = try CompiledLoss<Float>(Expr.resolve("cse-a-cls", branch: .softmax), branch: .softmax, gradientsFor: [.x])
    var values = [Float](repeating: 0, count: rows), gx = [Float](repeating: 0, count: rows * classes)
    var fusedValues = values, fusedGx = gx
    let compiled = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
        values.withUnsafeMutableBufferPointer { vp in gx.withUnsafeMutableBufferPointer { gp in
            measure(repeats) {
                _ = loss.run(rows: rows, classes: classes, inputs: [.x: xp.baseAddress!, .y: yp.baseAddress!, .w: wp.baseAddress!],
                             values: vp.baseAddress!, gradients: [.x: gp.baseAddress!])
            }
        } }
    } } }
    let fused = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
        fusedValues.withUnsafeMutableBufferPointer { vp in fusedGx.withUnsafeMutableBufferPointer { gp in
            measure(repeats) { FusedLoops.cseACls(rows: rows, classes: classes, xp.baseAddress!, yp.baseAddress!, wp.baseAddress!, vp.baseAddress!, gp.baseAddress!) }
        } }
    } } }
    let maxError = zip(gx, fusedGx).map { abs($0 - $1) / max(1e-3, abs($1)) }.max()!
    emit([("bench", "cse-a-cls"), ("size", "1e5 rows x 81"), ("ms", compiled), ("impl", "compiled"), ("sum", values.reduce(0, +))])
    emit([("bench", "cse-a-cls"), ("size", "1e5 rows x 81"), ("ms", fused), ("impl", "fused"), ("grad_rel_diff", maxError)])
}
