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
}
