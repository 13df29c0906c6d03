import TensorEngine
import XCTest
import _TestSupport

/// bfloat16 convolutions against float32 ones on the same tensors.
///
/// The bound: bfloat16 keeps 8 significant bits, so rounding an input moves it by at most 2^-9
/// of itself and by 2^-9/√3 in RMS (uniform rounding error); a product of two rounded inputs by
/// about √2 of that, and oneDNN accumulates in float32, so a sum of K products with independent
/// errors and random signs has an RMS error of about 2^-9·√(2/3) ≈ 1.6e-3 of the sum's RMS,
/// whatever K. 1e-2 leaves six times that for sums whose terms are not independent.
final class Conv2dPrecisionTests: XCTestCase {
    /// RMS of a - b over RMS of b.
    func relativeRMS(_ a: [Float], _ b: [Float]) -> Double {
        let error = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let scale = b.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (error / max(scale, 1e-30)).squareRoot()
    }

    func testBF16ConvolutionIsFloat32WithinRounding() throws {
        guard Precision.nativeBF16 else { throw XCTSkip("this processor has no native bfloat16: \(Precision.instructionSet)") }
        // The detector's kinds of layer: 3x3 stride 2 and 1, a 1x1 lateral, a first layer on 3 channels.
        let shapes: [(n: Int, c: Int, o: Int, size: Int, k: Int, stride: Int)] = [
            (2, 3, 16, 32, 3, 2), (2, 16, 32, 16, 3, 2), (2, 32, 32, 8, 3, 1), (2, 64, 32, 8, 1, 1), (1, 13, 7, 9, 3, 1),
        ]
        for (index, s) in shapes.enumerated() {
            var rng = SeededGenerator(seed: UInt64(index + 1))
            let conv = Conv2d(inChannels: s.c, outChannels: s.o, kernelSize: s.k, stride: s.stride, padding: s.k / 2, using: &rng)
            conv.bias!.value = randomTensor([s.o], using: &rng)
            let x = randomTensor([s.n, s.c, s.size, s.size], using: &rng)
            func pass(_ precision: Precision) -> (y: [Float], dx: [Float], dw: [Float], db: [Float]) {
                conv.precision = precision
                for p in conv.parameters { p.zeroGradient() }
                let y = conv.forward(x, training: true)
                var g = SeededGenerator(seed: 99)
                let dx = conv.backward(randomTensor(y.shape, using: &g))
                return (y.scalars, dx.scalars, conv.weight.gradient.scalars, conv.bias!.gradient.scalars)
            }
            let exact = pass(.fp32), low = pass(.bf16)
            // Backward-weights may go through oneDNN's GEMM convolution ("gemm:jit"), in bfloat16 too.
            XCTAssertTrue(conv.implementations(for: x.shape)[0].contains("bf16"), "\(conv.implementations(for: x.shape))")
            for (name, a, b) in [("y", low.y, exact.y), ("dx", low.dx, exact.dx), ("dw", low.dw, exact.dw), ("db", low.db, exact.db)] {
                let error = relativeRMS(a, b)
                XCTAssertLessThan(error, 1e-2, "\(s) \(name)")
                // The bias gradient sums float32 output gradients rounded to bfloat16: it moves too.
                XCTAssertGreaterThan(error, 0, "\(s) \(name): bfloat16 rounding must show, else float32 ran")
            }
        }
    }

    /// Plans are kept per precision: going back to float32 gives float32's results bit for bit.
    func testSwitchingBackToFloat32IsExact() {
        var rng = SeededGenerator(seed: 5)
        let conv = Conv2d(inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, using: &rng)
        let x = randomTensor([1, 8, 8, 8], using: &rng)
        let before = conv.forward(x, training: false).scalars
        if Precision.nativeBF16 {
            conv.precision = .bf16
            XCTAssertNotEqual(conv.forward(x, training: false).scalars, before)
        }
        conv.precision = .fp32
        XCTAssertEqual(conv.forward(x, training: false).scalars, before)
    }
}
