import TensorEngine
import XCTest
import _TestSupport

/// Convolution: forward against a direct loop in Double on random shapes, strides and padding;
/// backward against finite differences.
final class Conv2dTests: XCTestCase {
    /// The textbook definition, y[n,o,i,j] = b[o] + Σ_c,u,v w[o,c,u,v] x[n,c,i·s+u-p,j·s+v-p].
    func naiveConvolution(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: Int) -> [Double] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, k) = (w.shape[0], w.shape[2])
        let oh = (h + 2 * padding - k) / stride + 1, ow = (wd + 2 * padding - k) / stride + 1
        let xs = x.scalars, ws = w.scalars
        var y = [Double](repeating: 0, count: n * o * oh * ow)
        for b0 in 0..<n { for oc in 0..<o { for i in 0..<oh { for j in 0..<ow {
            var acc = Double(b?.scalars[oc] ?? 0)
            for ic in 0..<c { for u in 0..<k { for v in 0..<k {
                let yy = i * stride + u - padding, xx = j * stride + v - padding
                if yy < 0 || yy >= h || xx < 0 || xx >= wd { continue }
                acc += Double(ws[((oc * c + ic) * k + u) * k + v]) * Double(xs[((b0 * c + ic) * h + yy) * wd + xx])
            } } }
            y[((b0 * o + oc) * oh + i) * ow + j] = acc
        } } } }
        return y
    }

    func testForwardMatchesDirectLoops() {
        for seed: UInt64 in 1...12 {
            var rng = SeededGenerator(seed: seed)
            let k = [1, 3, 3, 5].randomElement(using: &rng)!
            let stride = Int.random(in: 1...2, using: &rng)
            let padding = Int.random(in: 0...(k / 2 + 1), using: &rng)
            let (n, c, o) = (Int.random(in: 1...3, using: &rng), Int.random(in: 1...20, using: &rng), Int.random(in: 1...20, using: &rng))
            let (h, w) = (Int.random(in: k...13, using: &rng), Int.random(in: k...13, using: &rng))
            let conv = Conv2d(inChannels: c, outChannels: o, kernelSize: k, stride: stride, padding: padding,
                              bias: seed % 3 != 0, using: &rng)
            if let bias = conv.bias { bias.value = randomTensor([o], using: &rng) }
            let x = randomTensor([n, c, h, w], using: &rng)
            let y = conv.forward(x, training: false)
            let expected = naiveConvolution(x, conv.weight.value, conv.bias?.value, stride: stride, padding: padding)
            XCTAssertEqual(y.shape, conv.outputShape(for: x.shape), "seed \(seed)")
            XCTAssertEqual(y.count, expected.count, "seed \(seed)")
            let scale = expected.map(abs).max() ?? 1
            let worst = zip(y.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-5 * max(scale, 1), "seed \(seed): k \(k) s \(stride) p \(padding) [\(n),\(c),\(h),\(w)] -> \(o)")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        let cases: [(k: Int, s: Int, p: Int, bias: Bool)] = [(3, 1, 1, true), (3, 2, 1, true), (1, 1, 0, true), (3, 2, 0, false), (5, 2, 2, true)]
        for seed: UInt64 in 1...3 {
            for (k, s, p, bias) in cases {
                var rng = SeededGenerator(seed: seed)
                let conv = Conv2d(inChannels: 3, outChannels: 4, kernelSize: k, stride: s, padding: p, bias: bias, using: &rng)
                let x = randomTensor([2, 3, 7, 6], using: &rng)
                let failures = checkGradients(conv, input: x, using: &rng)
                XCTAssert(failures.isEmpty, "seed \(seed), k \(k) s \(s) p \(p): \(failures)")
            }
        }
    }

    /// Channel counts that are multiples of 16: oneDNN works on blocked layouts (nChw16c) and the
    /// training forward pass keeps its input in that layout for backward-weights.
    func testGradientsMatchFiniteDifferencesOnBlockedLayouts() {
        for seed: UInt64 in 1...2 {
            for (k, s, p) in [(3, 2, 1), (3, 1, 1), (1, 1, 0)] {
                var rng = SeededGenerator(seed: seed)
                let conv = Conv2d(inChannels: 16, outChannels: 32, kernelSize: k, stride: s, padding: p, using: &rng)
                let x = randomTensor([2, 16, 6, 6], using: &rng)
                let failures = checkGradients(conv, input: x, maxChecks: 150, using: &rng)
                XCTAssert(failures.isEmpty, "seed \(seed), k \(k) s \(s) p \(p): \(failures)")
            }
        }
    }

    func testFirstLayerBackwardGivesTheSameParameterGradients() {
        var rng = SeededGenerator(seed: 7)
        let conv = Conv2d(inChannels: 3, outChannels: 5, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        let x = randomTensor([2, 3, 9, 9], using: &rng)
        let y = conv.forward(x, training: true)
        let r = randomTensor(y.shape, using: &rng)
        _ = conv.backward(r)
        let full = (conv.weight.gradient, conv.bias!.gradient)
        for p in conv.parameters { p.zeroGradient() }
        _ = conv.forward(x, training: true)
        conv.backwardParameters(r)
        XCTAssertEqual(conv.weight.gradient, full.0)
        XCTAssertEqual(conv.bias!.gradient, full.1)
    }

    /// A layer shared by two inputs (a head over two pyramid levels of different sizes):
    /// backward in reverse order sums both contributions.
    func testSharedLayerAccumulatesGradients() {
        for (input, output) in [(2, 3), (16, 16)] {
            var rng = SeededGenerator(seed: 11)
            let conv = Conv2d(inChannels: input, outChannels: output, kernelSize: 3, padding: 1, using: &rng)
            // Two inputs of the same shape and one of another: the saved inputs must not alias.
            let a = randomTensor([1, input, 8, 8], using: &rng), b = randomTensor([1, input, 4, 4], using: &rng)
            let c = randomTensor([1, input, 8, 8], using: &rng)
            let ra = randomTensor([1, output, 8, 8], using: &rng), rb = randomTensor([1, output, 4, 4], using: &rng)
            let rc = randomTensor([1, output, 8, 8], using: &rng)
            _ = conv.forward(a, training: true)
            _ = conv.backward(ra)
            let ga = conv.weight.gradient
            conv.weight.zeroGradient()
            _ = conv.forward(b, training: true)
            _ = conv.backward(rb)
            let gb = conv.weight.gradient
            conv.weight.zeroGradient()
            _ = conv.forward(c, training: true)
            _ = conv.backward(rc)
            let gc = conv.weight.gradient
            conv.weight.zeroGradient()
            _ = conv.forward(a, training: true)
            _ = conv.forward(b, training: true)
            _ = conv.forward(c, training: true)
            let dc = conv.backward(rc)
            let db = conv.backward(rb)
            let da = conv.backward(ra)
            XCTAssertEqual(da.shape, a.shape)
            XCTAssertEqual(db.shape, b.shape)
            XCTAssertEqual(dc.shape, c.shape)
            for (g, expected) in zip(conv.weight.gradient.scalars, (ga + gb + gc).scalars) {
                XCTAssertEqual(g, expected, accuracy: 1e-5 * max(1, abs(expected)), "channels \(input) -> \(output)")
            }
        }
    }
}
