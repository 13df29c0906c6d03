import Foundation
import XCTest
@testable import LossLanguage
import _TestSupport

/// The specialist losses (`KnownLoss.specialists`: robust losses of label noise) against their
/// papers' closed forms in Double, at random points, through the reference tree walk and the
/// compiled evaluator; their sigmoid forms are the two-class case of their softmax forms.
final class SpecialistLossTests: XCTestCase {
    /// The closed forms at p, the probability of the labelled class (q = 0.7; alpha 0.1, beta 1, A = -4).
    static func closed(_ name: String, p: Double) -> Double {
        switch name {
        case "gce": return (1 - pow(p, 0.7)) / 0.7
        case "sce": return 0.1 * -log(p) + 1 * 4 * (1 - p)
        case "mae": return 2 * (1 - p)
        default: preconditionFailure(name)
        }
    }

    func values(_ name: String, _ branch: Branch, _ inputs: [Input: [Double]], classes: Int) throws -> (reference: Double, compiled: Double) {
        let e = try Expr.resolve(name, branch: branch)
        var sample: [Input: SampleValue] = [:]
        for (k, v) in inputs { sample[k] = branch.type(of: k) == .vector ? .vector(v) : .scalar(v[0]) }
        let reference = try e.reference(sample).scalarValue!
        let compiled = try CompiledLoss<Double>(e, branch: branch).evaluate(LossBatch(rows: 1, classes: classes, inputs: inputs)).values[0]
        return (reference, compiled)
    }

    func testSpecialistsEqualTheirClosedForms() throws {
        for seed in 0..<300 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            let classes = 5
            let x = (0..<classes).map { _ in Double.random(in: -6...6, using: &rng) }
            let label = Int.random(in: 0..<classes, using: &rng)
            let y = (0..<classes).map { Double($0 == label ? 1 : 0) }
            let w = Double.random(in: 0.01...1, using: &rng)
            let p = exp(x[label]) / x.map(exp).reduce(0, +)
            let xs = Double.random(in: -8...8, using: &rng)
            let ys: Double = Bool.random(using: &rng) ? 1 : 0
            let pt = ys == 1 ? 1 / (1 + exp(-xs)) : 1 / (1 + exp(xs))
            for name in ["gce", "sce", "mae"] {
                let softmax = try values(name, .softmax, [.x: x, .y: y, .w: [w]], classes: classes)
                let sigmoid = try values(name, .sigmoid, [.x: [xs], .y: [ys], .w: [ys * w]], classes: 1)
                for (found, expected, branch) in [(softmax.reference, Self.closed(name, p: p), "softmax"), (softmax.compiled, Self.closed(name, p: p), "softmax"),
                                                  (sigmoid.reference, Self.closed(name, p: pt), "sigmoid"), (sigmoid.compiled, Self.closed(name, p: pt), "sigmoid")] {
                    XCTAssertTrue(isClose(found, expected, relative: 1e-12), "\(name) \(branch) seed \(seed): \(found) vs closed form \(expected)")
                }
                // Two classes: the sigmoid of x is the softmax of [x, 0].
                let two = try values(name, .softmax, [.x: [xs, 0], .y: [ys, 1 - ys], .w: [w]], classes: 2)
                XCTAssertTrue(isClose(two.compiled, sigmoid.compiled, relative: 1e-12), "\(name) seed \(seed): \(two.compiled) vs \(sigmoid.compiled)")
            }
        }
    }

    /// Named everywhere a formula is, in both classification branches, but not in `all`: `all`
    /// is generation 0 of every search.
    func testSpecialistsAreNamedButNotSearchSeeds() throws {
        XCTAssertEqual(KnownLoss.specialists.map(\.name), ["gce", "sce", "mae"])
        XCTAssertEqual(KnownLoss.named.map(\.name), KnownLoss.all.map(\.name) + ["gce", "sce", "mae"])
        XCTAssertEqual(Set(KnownLoss.named.map(\.name)).count, KnownLoss.named.count, "names are unique")
        for loss in KnownLoss.specialists {
            XCTAssertNil(KnownLoss.all.first { $0.name == loss.name })
            XCTAssertEqual(loss.branches, [.softmax, .sigmoid], loss.name)
            XCTAssertEqual(KnownLoss(name: loss.name.uppercased()), loss)
            for b in loss.branches {
                XCTAssertEqual(try Expr.resolve(" \(loss.name) ", branch: b), try loss.expr(branch: b))
                XCTAssertNoThrow(try loss.expr(branch: b).typeCheck(branch: b))
            }
        }
        XCTAssertThrowsError(try Expr.resolve("gce", branch: .reg)) { error in
            XCTAssertTrue("\(error)".contains("'gce' has no reg form (it is defined for: softmax, sigmoid)"), "\(error)")
        }
    }
}
