import TensorEngine
import XCTest
import _TestSupport

/// GroupNorm against a naive Double reference, and its gradients against finite differences.
final class GroupNormTests: XCTestCase {
    /// Direct evaluation of the definition in Double.
    func naiveGroupNorm(_ x: Tensor, groups: Int, gamma: Tensor, beta: Tensor, epsilon: Double) -> [Double] {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let perGroup = c / groups, plane = h * w
        var y = [Double](repeating: 0, count: x.count)
        for b in 0..<n {
            for g in 0..<groups {
                let indices = (0..<perGroup).flatMap { j in (0..<plane).map { ((b * c + g * perGroup + j) * plane) + $0 } }
                let values = indices.map { Double(x.scalars[$0]) }
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
                for i in indices {
                    let channel = (i / plane) % c
                    y[i] = (Double(x.scalars[i]) - mean) / (variance + epsilon).squareRoot() * Double(gamma.scalars[channel])
                        + Double(beta.scalars[channel])
                }
            }
        }
        return y
    }

    func testForwardMatchesNaiveReference() {
        for seed: UInt64 in 1...8 {
            var rng = SeededGenerator(seed: seed)
            let groups = [1, 2, 4].randomElement(using: &rng)!
            let channels = groups * Int.random(in: 1...4, using: &rng)
            let shape = [Int.random(in: 1...3, using: &rng), channels, Int.random(in: 1...9, using: &rng), Int.random(in: 1...40, using: &rng)]
            let norm = GroupNorm(groups: groups, channels: channels)
            norm.weight.value = randomTensor([channels], in: 0.5...2, using: &rng)
            norm.bias.value = randomTensor([channels], using: &rng)
            // An offset larger than the spread: the two-pass variance must not cancel.
            let x = randomTensor(shape, in: 99...101, using: &rng)
            let y = norm.forward(x, training: false)
            let expected = naiveGroupNorm(x, groups: groups, gamma: norm.weight.value, beta: norm.bias.value, epsilon: 1e-5)
            for (k, (a, b)) in zip(y.scalars, expected).enumerated() where !isClose(Double(a), b, relative: 1e-4, absolute: 1e-4) {
                XCTFail("seed \(seed), shape \(shape), groups \(groups): y[\(k)] = \(a), expected \(b)")
                break
            }
        }
    }

    func testNormalisedGroupsHaveZeroMeanAndUnitVariance() {
        var rng = SeededGenerator(seed: 3)
        let norm = GroupNorm(groups: 4, channels: 8)
        let y = norm.forward(randomTensor([2, 8, 16, 16], in: -3...5, using: &rng), training: false)
        let size = 2 * 256
        for group in 0..<8 {
            let values = y.scalars[group * size..<(group + 1) * size].map(Double.init)
            let mean = values.reduce(0, +) / Double(size)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(size)
            XCTAssertEqual(mean, 0, accuracy: 1e-5, "group \(group)")
            XCTAssertEqual(variance, 1, accuracy: 1e-3, "group \(group)")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        for seed: UInt64 in 1...4 {
            var rng = SeededGenerator(seed: seed)
            let (groups, channels) = [(1, 3), (2, 4), (3, 6)][Int(seed) % 3]
            let norm = GroupNorm(groups: groups, channels: channels)
            norm.weight.value = randomTensor([channels], in: 0.5...2, using: &rng)
            norm.bias.value = randomTensor([channels], using: &rng)
            let x = randomTensor([2, channels, 4, 5], using: &rng)
            let failures = checkGradients(norm, input: x, step: 1e-2, using: &rng)
            XCTAssert(failures.isEmpty, "seed \(seed), groups \(groups): \(failures)")
        }
    }

    /// The fused ReLU gives what a separate ReLU gives, forward and backward.
    func testFusedReLUMatchesGroupNormThenReLU() {
        for seed: UInt64 in 1...4 {
            var rng = SeededGenerator(seed: seed)
            let shape = [2, 16, Int.random(in: 1...20, using: &rng), Int.random(in: 1...20, using: &rng)]
            let fused = GroupNorm(groups: 8, channels: 16, fusedReLU: true), plain = GroupNorm(groups: 8, channels: 16)
            let gamma = randomTensor([16], in: 0.5...2, using: &rng), beta = randomTensor([16], using: &rng)
            for norm in [fused, plain] { norm.weight.value = gamma; norm.bias.value = beta }
            let pair = Sequential([plain, ReLU()])
            let x = randomTensor(shape, in: -2...3, using: &rng), g = randomTensor(shape, using: &rng)
            XCTAssertEqual(fused.forward(x, training: true), pair.forward(x, training: true), "seed \(seed)")
            let dxFused = fused.backward(g), dxPair = pair.backward(g)
            for (name, a, b) in [("dx", dxFused, dxPair), ("dγ", fused.weight.gradient, plain.weight.gradient),
                                 ("dβ", fused.bias.gradient, plain.bias.gradient)] {
                let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1e-3, abs($1)) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "seed \(seed): \(name)")
            }
        }
    }

    func testFusedReLUGradientsMatchFiniteDifferences() {
        for seed: UInt64 in 1...3 {
            var rng = SeededGenerator(seed: seed)
            let norm = GroupNorm(groups: 2, channels: 4, fusedReLU: true)
            // |γ·x̂| < 1.8 for these inputs, so shifts of ±2.5 keep every output away from the
            // ReLU's kink: two channels pass whole, two are masked whole. Partial masks are
            // covered by the comparison with GroupNorm + ReLU above.
            norm.weight.value = randomTensor([4], in: 0.5...1, using: &rng)
            norm.bias.value = Tensor(shape: [4], scalars: [2.5, -2.5, 2.5, -2.5])
            let x = randomTensor([2, 4, 4, 5], using: &rng)
            let failures = checkGradients(norm, input: x, kinks: true, using: &rng)
            XCTAssert(failures.isEmpty, "seed \(seed): \(failures)")
        }
    }
}
