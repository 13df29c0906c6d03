import Foundation
import XCTest
@testable import LossLanguage
import _TestSupport

/// The four published losses, read from the authors' prefix strings, against their closed forms
/// in METHOD.md, in Double, at random points.
final class KnownLossTests: XCTestCase {
    func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
    func scaledErf(_ x: Double) -> Double { (1 + erf(Double.pi.squareRoot() * x / 4)) / 2 }
    func scaledGd(_ x: Double) -> Double { (1 + (2 / Double.pi) * 2 * atan(tanh(Double.pi * x / 8))) / 2 }

    func value(_ name: String, _ branch: Branch, _ sample: [Input: SampleValue]) throws -> (reference: Double, compiled: Double) {
        let e = try Expr.resolve(name, branch: branch)
        let reference = try e.reference(sample).scalarValue!
        var inputs: [Input: [Double]] = [:]
        var classes = 1
        for (k, v) in sample {
            switch v {
            case .scalar(let s): inputs[k] = [s]
            case .vector(let xs): inputs[k] = xs; classes = xs.count
            }
        }
        let compiled = try CompiledLoss<Double>(e, branch: branch).evaluate(LossBatch(rows: 1, classes: classes, inputs: inputs))
        return (reference, compiled.values[0])
    }

    func assertMatches(_ name: String, _ branch: Branch, _ sample: [Input: SampleValue], _ closed: Double, seed: UInt64,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let (reference, compiled) = try value(name, branch, sample)
        XCTAssertTrue(isClose(reference, closed, relative: 1e-12), "\(name) seed \(seed): tree \(reference) vs closed form \(closed)", file: file, line: line)
        XCTAssertTrue(isClose(compiled, closed, relative: 1e-12), "\(name) seed \(seed): compiled \(compiled) vs closed form \(closed)", file: file, line: line)
    }

    func testPublishedLossesEqualTheirClosedForms() throws {
        for seed in 0..<500 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            // A_cls = -dot((1 + sin w) y, log softmax(x))
            let classes = 5
            let x = (0..<classes).map { _ in Double.random(in: -6...6, using: &rng) }
            let label = Int.random(in: 0..<classes, using: &rng)
            let y = (0..<classes).map { Double($0 == label ? 1 : 0) }
            let w = Double.random(in: 0.01...1, using: &rng)
            let m = x.max()!
            let logZ = m + log(x.map { exp($0 - m) }.reduce(0, +))
            let aCls = -(1 + sin(w)) * (x[label] - logZ)
            try assertMatches("cse-a-cls", .softmax, [.x: .vector(x), .y: .vector(y), .w: .scalar(w)], aCls, seed: seed)

            // B_cls on the sigmoid branch's data: y in {0, 1}, w = IoU where y = 1 and 0 elsewhere.
            let xs = Double.random(in: -8...8, using: &rng)
            let ys: Double = Bool.random(using: &rng) ? 1 : 0
            let ws = ys == 1 ? Double.random(in: 0.01...1, using: &rng) : 0
            let p = sigmoid(xs)
            let bCls = -(ws * ys * (1 + scaledErf(sigmoid(1 - ys))) * log(p) + (scaledGd(xs) - ws * ys) * (p - ws * ys) * log(1 - p))
            try assertMatches("cse-b-cls", .sigmoid, [.x: .scalar(xs), .y: .scalar(ys), .w: .scalar(ws)], bCls, seed: seed)

            // A_reg and B_reg on boxes at pixel scale.
            let u = Double.random(in: 5...5000, using: &rng)
            let i = Double.random(in: 0...u, using: &rng)
            let e = u + Double.random(in: 0...3000, using: &rng)
            let boxes: [Input: SampleValue] = [.i: .scalar(i), .u: .scalar(u), .e: .scalar(e)]
            try assertMatches("cse-a-reg", .reg, boxes, (1 - i / u) + (1 - (i + 2) / e), seed: seed)
            let bReg = (3 * e * u + 12 * e + 3 * i + 3 * u + 18) / (-3 * e * u + i * u + u * u - 15 * e + 5 * i + 5 * u)
            try assertMatches("cse-b-reg", .reg, boxes, bReg, seed: seed)
            let bRegFactored = -3 * (e * u + 4 * e + i + u + 6) / ((u + 5) * (3 * e - i - u))
            XCTAssertTrue(isClose(bReg, bRegFactored, relative: 1e-12))
        }
    }

    func testEveryKnownLossParsesInItsBranches() throws {
        var count = 0
        for loss in KnownLoss.all {
            XCTAssertFalse(loss.branches.isEmpty, loss.name)
            for b in loss.branches {
                let e = try loss.expr(branch: b)
                XCTAssertNoThrow(try e.typeCheck(branch: b))
                XCTAssertEqual(try Expr.resolve(loss.name.uppercased(), branch: b), e)
                count += 1
            }
        }
        XCTAssertEqual(count, 13)
        XCTAssertThrowsError(try Expr.resolve("giou", branch: .softmax)) { error in
            XCTAssertTrue("\(error)".contains("'giou' has no softmax form (it is defined for: reg)"))
        }
    }

    func testStandardLossesHaveTheirTextbookValues() throws {
        // GIoU for two unit-overlap boxes: i = 1, u = 7, e = 9 -> 1 - 1/7 + 2/9.
        let giou = try value("giou", .reg, [.i: .scalar(1), .u: .scalar(7), .e: .scalar(9)])
        XCTAssertEqual(giou.compiled, 1 - 1.0 / 7 + 2.0 / 9, accuracy: 1e-14)
        // Focal on a positive with p = sigmoid(1): -(1 - p)^2 log p.
        let p = sigmoid(1)
        let focal = try value("focal", .sigmoid, [.x: .scalar(1), .y: .scalar(1), .w: .scalar(0.5)])
        XCTAssertEqual(focal.compiled, -(1 - p) * (1 - p) * log(p), accuracy: 1e-14)
        // QFL on a negative: -p^2 log(1 - p).
        let qfl = try value("qfl", .sigmoid, [.x: .scalar(1), .y: .scalar(0), .w: .scalar(0)])
        XCTAssertEqual(qfl.compiled, -p * p * log(1 - p), accuracy: 1e-14)
    }
}
