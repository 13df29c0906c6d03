import BenchSupport
import Foundation
import LossLanguage
import TensorEngine

/// `export`: one forward + backward of the pyramid network, everything written for PyTorch.
func runExport(_ options: Options) throws {
    var rng = SplitMix64(state: options.seed)
    let net = BenchNetwork(pyramid: true, using: &rng)
    let x = uniform([options.batch, 3, options.size, options.size], using: &rng)
    let outputs = net.forward(x, training: true)
    let seeds = outputs.map { uniform($0.shape, using: &rng) }
    net.backward(seeds)
    var archive = TensorArchive()
    archive.add("input", x)
    for (name, p) in net.named { archive.add("param:\(name)", p.value) }
    for (k, seed) in seeds.enumerated() { archive.add("seed:\(k)", seed) }
    for (k, output) in outputs.enumerated() { archive.add("output:\(k)", output) }
    for (name, p) in net.named { archive.add("grad:\(name)", p.gradient) }
    try archive.write(to: URL(fileURLWithPath: options.directory))
    emit([("export", options.directory), ("tensors", 1 + 2 * net.named.count + 2 * outputs.count)])
}

/// `sgemm`: SGEMM at 1024^3, the peak the convolutions are compared with (best of three
/// medians, so that a moment of contention from other processes does not lower the reference).
@discardableResult
func runSGEMM(_ options: Options, using rng: inout SplitMix64) -> Double {
    let peak = (0..<3).map { _ in sgemmGFlops(m: 1024, n: 1024, k: 1024, repeats: options.repeats, using: &rng) }.max()!
    emit([("bench", "sgemm"), ("m", 1024), ("n", 1024), ("k", 1024), ("gflops", peak)])
    return peak
}

/// `time`: SGEMM, the two networks, each convolution alone.
func runTiming(_ options: Options) {
    var rng = SplitMix64(state: options.seed)
    let (batch, size, repeats) = (options.batch, options.size, options.repeats)
    let peak = runSGEMM(options, using: &rng)

    for pyramid in [false, true] {
        let name = pyramid ? "pyramid" : "backbone"
        let net = BenchNetwork(pyramid: pyramid, using: &rng)
        let x = uniform([batch, 3, size, size], using: &rng)
        let seeds = net.forward(x, training: false).map { uniform($0.shape, using: &rng) }
        let step = measure(repeats) {
            for p in net.parameters { p.zeroGradient() }
            _ = net.forward(x, training: true)
            net.backward(seeds)
        }
        let forward = measure(repeats) { _ = net.forward(x, training: false) }
        emit([("bench", "network"), ("network", name), ("batch", batch), ("size", size), ("ms", step),
              ("forward_ms", forward), ("images_per_s", Double(batch) / step * 1000)])

        // Each convolution alone, forward + backward as in the step (reorders included).
        var convMs = 0.0, convFlops = 0.0
        for (label, conv, shape) in net.convolutions(batch: batch, size: size) {
            // Timing adds into the layer's gradients; its weights stay as they are.
            let input = uniform(shape, using: &rng)
            let first = shape[1] == 3
            let outShape = conv.outputShape(for: shape)
            let gradient = uniform(outShape, using: &rng)
            let ms = measure(repeats) {
                _ = conv.forward(input, training: true)
                if first { conv.backwardParameters(gradient) } else { _ = conv.backward(gradient) }
            }
            let k = Double(conv.kernelSize * conv.kernelSize * conv.inChannels)
            let flops = 2 * Double(outShape.reduce(1, *)) * k * (first ? 2 : 3)
            let gemm = sgemmGFlops(m: conv.outChannels, n: outShape[0] * outShape[2] * outShape[3],
                                   k: Int(k), repeats: max(3, repeats / 2), using: &rng)
            convMs += ms
            convFlops += flops
            emit([("bench", "conv"), ("network", name), ("layer", label), ("ms", ms), ("gflops", flops / ms / 1e6),
                  ("gemm_gflops", gemm), ("impl", conv.implementations(for: shape).joined(separator: " | "))])
        }
        emit([("bench", "convolutions"), ("network", name), ("ms", convMs), ("gflops", convFlops / convMs / 1e6),
              ("share_of_sgemm_peak", convFlops / convMs / 1e6 / peak), ("share_of_step", convMs / step)])

        // GroupNorm and ReLU of each backbone stage alone, forward + backward.
        if !pyramid {
            var side = size / 2
            for s in 0..<4 {
                let shape = [batch, BenchNetwork.channels[s + 1], side, side]
                let x = uniform(shape, using: &rng), g = uniform(shape, using: &rng)
                let norm = GroupNorm(groups: 8, channels: shape[1]), relu = ReLU()
                let fused = GroupNorm(groups: 8, channels: shape[1], fusedReLU: true)
                let normMs = measure(repeats) { _ = norm.forward(x, training: true); _ = norm.backward(g) }
                let reluMs = measure(repeats) { _ = relu.forward(x, training: true); _ = relu.backward(g) }
                let fusedMs = measure(repeats) { _ = fused.forward(x, training: true); _ = fused.backward(g) }
                emit([("bench", "elementwise"), ("shape", "\(shape)"), ("groupnorm_ms", normMs), ("relu_ms", reluMs),
                      ("fused_ms", fusedMs)])
                side /= 2
            }
        }
    }
}

/// GFLOP/s of one `m x k` by `k x n` SGEMM.
func sgemmGFlops(m: Int, n: Int, k: Int, repeats: Int, using rng: inout SplitMix64) -> Double {
    let a = uniform([m, k], using: &rng), b = uniform([k, n], using: &rng)
    var c = [Float](repeating: 0, count: m * n)
    let ms = a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                measure(repeats) {
                    GEMM.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                               b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }
    return 2 * Double(m) * Double(n) * Double(k) / ms / 1e6
}
