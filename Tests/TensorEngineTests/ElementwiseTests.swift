import TensorEngine
import XCTest
import _TestSupport

/// ReLU, nearest upsampling and addition: values by hand, gradients against finite differences.
final class ElementwiseTests: XCTestCase {
    /// Inputs kept away from ReLU's kink, where finite differences are meaningless.
    func awayFromZero(_ shape: [Int], using rng: inout SeededGenerator) -> Tensor {
        let t = randomTensor(shape, in: 0.1...1, using: &rng)
        return Tensor(shape: shape, scalars: t.scalars.map { Bool.random(using: &rng) ? $0 : -$0 })
    }

    func testReLUValues() {
        let relu = ReLU()
        let x = Tensor(shape: [1, 1, 1, 4], scalars: [-1, 0, 0.5, 2])
        XCTAssertEqual(relu.forward(x, training: true).scalars, [0, 0, 0.5, 2])
        XCTAssertEqual(relu.backward(Tensor(shape: [1, 1, 1, 4], scalars: [1, 2, 3, 4])).scalars, [0, 0, 3, 4])
    }

    func testReLUGradients() {
        for seed: UInt64 in 1...3 {
            var rng = SeededGenerator(seed: seed)
            let failures = checkGradients(ReLU(), input: awayFromZero([2, 3, 5, 4], using: &rng), using: &rng)
            XCTAssert(failures.isEmpty, "seed \(seed): \(failures)")
        }
    }

    func testReLUOnLargeTensorsUsesEveryChunk() {
        var rng = SeededGenerator(seed: 5)
        let x = randomTensor([4, 8, 64, 65], using: &rng)
        let y = ReLU().forward(x, training: false)
        XCTAssertEqual(y.scalars, x.scalars.map { max($0, 0) })
    }

    func testUpsampleValues() {
        let up = UpsampleNearest2x()
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        XCTAssertEqual(up.forward(x, training: true).scalars,
                       [1, 1, 2, 2,
                        1, 1, 2, 2,
                        3, 3, 4, 4,
                        3, 3, 4, 4])
        let g = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        let blockSums: [Float] = [0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15]
        XCTAssertEqual(up.backward(g).scalars, blockSums)
    }

    func testUpsampleGradients() {
        for seed: UInt64 in 1...3 {
            var rng = SeededGenerator(seed: seed)
            let x = randomTensor([2, 3, 3, 5], using: &rng)
            let failures = checkGradients(UpsampleNearest2x(), input: x, using: &rng)
            XCTAssert(failures.isEmpty, "seed \(seed): \(failures)")
            XCTAssertEqual(UpsampleNearest2x().forward(x, training: false).shape, [2, 3, 6, 10])
        }
    }

    func testAdditionAndItsBackward() {
        var rng = SeededGenerator(seed: 9)
        let a = randomTensor([3, 4, 50, 70], using: &rng), b = randomTensor([3, 4, 50, 70], using: &rng)
        let sum = a + b
        XCTAssertEqual(sum.scalars, zip(a.scalars, b.scalars).map(+))
        var c = a
        c += b
        XCTAssertEqual(c, sum)
        XCTAssertEqual(a + b, b + a)
        let g = randomTensor(a.shape, using: &rng)
        let (ga, gb) = Tensor.addBackward(g)
        XCTAssertEqual(ga, g)
        XCTAssertEqual(gb, g)
        XCTAssertEqual((a * 2).scalars, a.scalars.map { $0 * 2 })
        XCTAssertEqual(Tensor(shape: [2], scalars: [1, 2]).sum(), 3)
        XCTAssertEqual(Tensor(shape: [2], scalars: [3, 4]).squaredNorm(), 25)
    }

    /// A top-down join (lateral 1x1 convolution + upsampled coarse level), then a
    /// conv-GroupNorm-ReLU block, differentiated as a whole: the layers compose.
    func testComposedNetworkGradients() {
        for seed: UInt64 in 1...3 {
            var rng = SeededGenerator(seed: seed)
            let lateral = Conv2d(inChannels: 3, outChannels: 4, kernelSize: 1, using: &rng)
            let norm = GroupNorm(groups: 2, channels: 4)
            // Shifts of ±1.5 keep most of the ReLU's inputs away from its kink, where finite
            // differences are meaningless; half the channels pass, half are masked.
            norm.bias.value = Tensor(shape: [4], scalars: [1.5, -1.5, 1.5, -1.5])
            let block = Sequential([Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, using: &rng),
                                    norm, ReLU()])
            let join = TopDownJoin(lateral: lateral, block: block)
            let x = randomTensor([2, 3, 6, 6], using: &rng)
            let failures = checkGradients(join, input: x, relative: 2e-2, absolute: 5e-3, maxChecks: 150, using: &rng)
            XCTAssert(failures.isEmpty, "seed \(seed): \(failures)")
        }
    }
}

/// y = lateral(x) + up(block(x)): two paths from one input, joined by an addition, as in a
/// feature pyramid. Its backward sums the two paths' input gradients.
final class TopDownJoin: Layer {
    let lateral: Conv2d, block: Sequential, up = UpsampleNearest2x()
    init(lateral: Conv2d, block: Sequential) { self.lateral = lateral; self.block = block }
    var parameters: [Parameter] { lateral.parameters + block.parameters }
    func forward(_ x: Tensor, training: Bool) -> Tensor {
        lateral.forward(x, training: training) + up.forward(block.forward(x, training: training), training: training)
    }
    func backward(_ g: Tensor) -> Tensor {
        let (gLateral, gUp) = Tensor.addBackward(g)
        var dx = block.backward(up.backward(gUp))
        dx += lateral.backward(gLateral)
        return dx
    }
    func clearSaved() { lateral.clearSaved(); block.clearSaved(); up.clearSaved() }
}
