import Foundation
import TensorEngine
import XCTest
import _TestSupport

/// The box head's positive maps (exp, softplus) and the per-level scale: values against the
/// formulas in Double, gradients against finite differences.
final class ActivationScaleTests: XCTestCase {
    func testExpAndSoftplusValues() {
        let x = Tensor(shape: [1, 1, 1, 5], scalars: [-30, -1, 0, 2, 100])
        let e = Activation(.exp).forward(x, training: false).scalars
        for (v, y) in zip(x.scalars, e) {
            XCTAssertTrue(isClose(Double(y), Foundation.exp(min(Double(v), 80)), relative: 1e-6), "exp(\(v)) = \(y)")
        }
        XCTAssertTrue(e[4].isFinite, "exp clamps its input at 80: finite, never infinity")
        let s = Activation(.softplus).forward(x, training: false).scalars
        for (v, y) in zip(x.scalars, s) {
            let reference = max(Double(v), 0) + Foundation.log1p(Foundation.exp(-abs(Double(v))))
            XCTAssertTrue(isClose(Double(y), reference, relative: 1e-6, absolute: 1e-30), "softplus(\(v)) = \(y), want \(reference)")
        }
        XCTAssertGreaterThan(s[0], 0, "softplus stays positive far below zero")
    }

    func testActivationGradients() {
        for function in Activation.Function.allCases {
            for seed: UInt64 in 1...3 {
                var rng = SeededGenerator(seed: seed)
                let x = randomTensor([2, 4, 5, 3], in: -2...2, using: &rng)
                let failures = checkGradients(Activation(function), input: x, step: 1e-3, using: &rng)
                XCTAssert(failures.isEmpty, "\(function) seed \(seed): \(failures)")
            }
        }
    }

    func testExpGradientIsZeroBeyondTheClamp() {
        let layer = Activation(.exp)
        _ = layer.forward(Tensor(shape: [1, 1, 1, 2], scalars: [100, 1]), training: true)
        let g = layer.backward(Tensor(shape: [1, 1, 1, 2], scalars: [1, 1])).scalars
        XCTAssertEqual(g[0], 0)
        XCTAssertEqual(Double(g[1]), M_E, accuracy: 1e-5)
    }

    func testScaleValuesAndGradients() {
        let scale = Scale(initialValue: 1.5)
        XCTAssertEqual(scale.forward(Tensor(shape: [1, 1, 1, 2], scalars: [2, -4]), training: false).scalars, [3, -6])
        XCTAssertEqual(scale.scale.weightDecayScale, 0)
        for seed: UInt64 in 1...3 {
            var rng = SeededGenerator(seed: seed)
            let layer = Scale(initialValue: Float.random(in: 0.5...2, using: &rng))
            let failures = checkGradients(layer, input: randomTensor([2, 3, 4, 4], using: &rng), using: &rng)
            XCTAssert(failures.isEmpty, "seed \(seed): \(failures)")
        }
    }

    /// A shared layer applied to two inputs is differentiated in the reverse order, and its
    /// parameter's gradient is the sum of both uses.
    func testScaleSharedByTwoInputsSumsItsGradient() {
        let layer = Scale(initialValue: 2)
        let a = Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]), b = Tensor(shape: [1, 1, 1, 1], scalars: [10])
        _ = layer.forward(a, training: true)
        _ = layer.forward(b, training: true)
        XCTAssertEqual(layer.backward(Tensor(shape: [1, 1, 1, 1], scalars: [1])).scalars, [2])
        XCTAssertEqual(layer.backward(Tensor(shape: [1, 1, 1, 2], scalars: [1, 1])).scalars, [2, 2])
        XCTAssertEqual(layer.scale.gradient.scalars, [10 + 1 + 2])
    }
}
