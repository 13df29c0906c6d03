import Foundation
import TensorEngine
import XCTest
import _TestSupport

/// SGD, the schedule, gradient clipping and the initialisers, against numbers worked by hand.
final class OptimizerTests: XCTestCase {
    func testSGDStepsMatchHandComputedNumbers() {
        // w = [1, -2], g = [0.5, 0.25], η = 0.1, μ = 0.9, λ = 0.01.
        let p = Parameter(Tensor(shape: [2], scalars: [1, -2]), name: "w")
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        p.gradient = Tensor(shape: [2], scalars: [0.5, 0.25])
        sgd.step()
        // g' = g + λw = [0.51, 0.23]; v = g'; w = w - η v = [0.949, -2.023].
        XCTAssertEqual(sgd.velocity(of: 0).scalars[0], 0.51, accuracy: 1e-6)
        XCTAssertEqual(sgd.velocity(of: 0).scalars[1], 0.23, accuracy: 1e-6)
        XCTAssertEqual(p.value.scalars[0], 0.949, accuracy: 1e-6)
        XCTAssertEqual(p.value.scalars[1], -2.023, accuracy: 1e-6)
        // Same gradient again: g' = [0.5 + 0.00949, 0.25 - 0.02023] = [0.50949, 0.22977];
        // v = 0.9 v + g' = [0.96849, 0.43677]; w = [0.949 - 0.096849, -2.023 - 0.043677].
        sgd.step()
        XCTAssertEqual(sgd.velocity(of: 0).scalars[0], 0.96849, accuracy: 1e-6)
        XCTAssertEqual(sgd.velocity(of: 0).scalars[1], 0.43677, accuracy: 1e-6)
        XCTAssertEqual(p.value.scalars[0], 0.852151, accuracy: 1e-6)
        XCTAssertEqual(p.value.scalars[1], -2.066677, accuracy: 1e-6)
        sgd.zeroGradients()
        XCTAssertEqual(p.gradient.scalars, [0, 0])
    }

    func testWeightDecayScaleExemptsAParameter() {
        let decayed = Parameter(Tensor(shape: [1], scalars: [2]), name: "weight")
        let exempt = Parameter(Tensor(shape: [1], scalars: [2]), name: "bias", weightDecayScale: 0)
        let sgd = SGD(parameters: [decayed, exempt], learningRate: 0.5, momentum: 0, weightDecay: 0.1)
        sgd.step()  // zero gradients: only decay moves a weight
        XCTAssertEqual(decayed.value.scalars[0], 2 - 0.5 * 0.1 * 2, accuracy: 1e-7)
        XCTAssertEqual(exempt.value.scalars[0], 2)
    }

    func testSGDOnLargeParametersMatchesTheScalarRule() {
        var rng = SeededGenerator(seed: 2)
        let p = Parameter(randomTensor([100_000], using: &rng), name: "w")
        let w0 = p.value, g = randomTensor([100_000], using: &rng)
        p.gradient = g
        let sgd = SGD(parameters: [p], learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4)
        sgd.step()
        for k in stride(from: 0, to: 100_000, by: 997) {
            XCTAssertEqual(p.value.scalars[k], w0.scalars[k] - 0.05 * (g.scalars[k] + 1e-4 * w0.scalars[k]), accuracy: 1e-6)
        }
    }

    func testScheduleWarmsUpLinearlyThenDecaysInSteps() {
        let s = LearningRateSchedule(baseRate: 0.01, warmupIterations: 100, warmupFactor: 0.1, milestones: [1000, 1500])
        XCTAssertEqual(s.rate(at: 0), 0.001, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 50), 0.01 * (0.1 * 0.5 + 0.5), accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 100), 0.01, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 999), 0.01, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 1000), 0.001, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 1500), 0.0001, accuracy: 1e-10)
        XCTAssertEqual(LearningRateSchedule(baseRate: 0.2).rate(at: 12345), 0.2)
    }

    func testClippingScalesToTheGlobalNorm() {
        let a = Parameter(Tensor(zeros: [2]), name: "a"), b = Parameter(Tensor(zeros: [1]), name: "b")
        a.gradient = Tensor(shape: [2], scalars: [3, 0])
        b.gradient = Tensor(shape: [1], scalars: [4])
        let norm = GradientClipping.clipGlobalNorm([a, b], maxNorm: 1)
        XCTAssertEqual(norm, 5, accuracy: 1e-12)
        XCTAssertEqual(a.gradient.scalars[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.gradient.scalars[0], 0.8, accuracy: 1e-6)
        XCTAssertEqual(GradientClipping.globalNorm([a, b]), 1, accuracy: 1e-6)
        // Under the limit: untouched.
        XCTAssertEqual(GradientClipping.clipGlobalNorm([a, b], maxNorm: 10), 1, accuracy: 1e-6)
        XCTAssertEqual(b.gradient.scalars[0], 0.8, accuracy: 1e-6)
        // Non-finite: reported, untouched.
        b.gradient = Tensor(shape: [1], scalars: [.nan])
        XCTAssert(GradientClipping.clipGlobalNorm([a, b], maxNorm: 1).isNaN)
        XCTAssertEqual(a.gradient.scalars[0], 0.6, accuracy: 1e-6)
    }

    func testPriorProbabilityBias() {
        XCTAssertEqual(Initialization.priorProbabilityBias(0.01), -4.59512, accuracy: 1e-5)
        XCTAssertEqual(Initialization.priorProbabilityBias(0.5), 0, accuracy: 1e-7)
        // The sigmoid of the bias is the prior.
        let b = Double(Initialization.priorProbabilityBias(0.2))
        XCTAssertEqual(1 / (1 + exp(-b)), 0.2, accuracy: 1e-6)
    }

    func testKaimingNormalHasTheRightSpread() {
        for seed: UInt64 in 1...3 {
            var rng = SeededGenerator(seed: seed)
            let w = Initialization.kaimingNormal(shape: [128, 64, 3, 3], using: &rng)
            let values = w.scalars.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            let expected = (2.0 / Double(64 * 9)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 3 * expected / Double(values.count).squareRoot() * 2, "seed \(seed)")
            XCTAssertEqual(std, expected, accuracy: 0.01 * expected, "seed \(seed)")
            let fanOut = Initialization.kaimingNormal(shape: [16, 64, 3, 3], fan: .fanOut, using: &rng)
            let s = (fanOut.squaredNorm() / Double(fanOut.count)).squareRoot()
            XCTAssertEqual(s, (2.0 / Double(16 * 9)).squareRoot(), accuracy: 0.05 * s, "seed \(seed)")
        }
        var a = SeededGenerator(seed: 4), b = SeededGenerator(seed: 4)
        XCTAssertEqual(Initialization.kaimingNormal(shape: [4, 3, 3, 3], using: &a),
                       Initialization.kaimingNormal(shape: [4, 3, 3, 3], using: &b), "a seed reproduces the weights")
    }
}
