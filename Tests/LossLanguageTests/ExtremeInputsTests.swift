import XCTest
@testable import LossLanguage

/// Issue 16, item 2: the numbers stay right at hostile but fair inputs.
final class ExtremeInputsTests: XCTestCase {
    /// The fused log-softmax (every softmax-branch known loss goes through it) at huge logits:
    /// CE at x = (s, s), y = (1, 0) is log 2 for every s; it gave 0 at 1e16 (0.75 at 1e15).
    func testFusedCrossEntropyIsExactAtExtremeLogits() throws {
        let ce = try KnownLoss(name: "ce")!.expr(branch: .softmax)
        let unfused = try Expr.parse("-dot(y, log(softmax(x) + 0))", branch: .softmax)
        for s in [0, 1e6, 1e12, 1e14, 1e15, 1e16, 1e30, -1e30, 1e300] {
            let batch = LossBatch<Double>(rows: 1, classes: 2, inputs: [.x: [s, s], .y: [1, 0], .w: [1]])
            let fused = try CompiledLoss<Double>(ce, branch: .softmax).evaluate(batch)
            XCTAssertEqual(fused.values[0], log(2), accuracy: 1e-15, "x = \(s)")
            // y's gradient is -log softmax(x): log 2 for both classes.
            XCTAssertEqual(fused.gradients[.y]!, [log(2), log(2)], "x = \(s)")
            XCTAssertEqual(fused.gradients[.x]!, [-0.5, 0.5], "x = \(s)")
            let plain = try CompiledLoss<Double>(unfused, branch: .softmax).evaluate(batch)
            XCTAssertEqual(plain.values[0], fused.values[0], accuracy: 1e-15)
            if s.magnitude < 1e38 {
                let float = try CompiledLoss<Float>(ce, branch: .softmax).evaluate(
                    LossBatch(rows: 1, classes: 2, inputs: [.x: [Float(s), Float(s)], .y: [1, 0], .w: [1]]))
                XCTAssertEqual(float.values[0], Float(log(2.0)), accuracy: 1e-6, "Float, x = \(s)")
            }
        }
        // A gap of 1 between huge logits: log(1 + e^-1) and its complement, as at small logits.
        let gap = try CompiledLoss<Double>(ce, branch: .softmax).evaluate(
            LossBatch(rows: 2, classes: 2, inputs: [.x: [1e15, 1e15 - 1, 1e15, 1e15 - 1], .y: [1, 0, 0, 1], .w: [1, 1]]))
        XCTAssertEqual(gap.values[0], log1p(exp(-1)), accuracy: 1e-15)
        XCTAssertEqual(gap.values[1], 1 + log1p(exp(-1)), accuracy: 1e-15)
        // The published A loss shares the kernel.
        let a = try KnownLoss(name: "cse-a-cls")!.expr(branch: .softmax)
        let r = try CompiledLoss<Double>(a, branch: .softmax).evaluate(LossBatch(rows: 1, classes: 2, inputs: [.x: [1e16, 1e16], .y: [1, 0], .w: [0]]))
        XCTAssertEqual(r.values[0], log(2), accuracy: 1e-15)
    }

    /// inf x 0 in the reverse pass: relu and exp's clamp select as PyTorch's threshold and clamp
    /// backward do, so their zero derivative stops an infinite (or NaN) upstream gradient.
    func testZeroLocalDerivativesStopInfiniteUpstreamGradients() throws {
        let relu = try Expr.parse("Sqrt(Relu(X))", branch: .sigmoid)
        do {
            let r = try CompiledLoss<Double>(relu, branch: .sigmoid).evaluate(LossBatch(rows: 2, inputs: [.x: [-1, 4], .y: [0, 0], .w: [0, 0]]))
            XCTAssertEqual(r.values, [0, 2])
            XCTAssertEqual(r.gradients[.x]!, [0, 0.25], "PyTorch: sqrt(relu(x)).backward() at -1 gives 0")
            XCTAssertTrue(r.isFinite)
            let f = try CompiledLoss<Float>(relu, branch: .sigmoid).evaluate(LossBatch(rows: 1, inputs: [.x: [-1], .y: [0], .w: [0]]))
            XCTAssertEqual(f.gradients[.x]!, [0])
        }
        // exp(u) clamped at 88 for u = 100: sqrt(exp(u) - exp(u)) has an infinite derivative at
        // 0, and the two infinities meet (NaN) in the shared exp node, whose clamp stops them.
        let clamp = try Expr.parse("Sqrt(Sub(Exp(U),Exp(U)))", branch: .reg)
        let c = try CompiledLoss<Double>(clamp, branch: .reg).evaluate(LossBatch(rows: 1, inputs: [.u: [100], .i: [1], .e: [1]]))
        XCTAssertEqual(c.values, [0])
        XCTAssertEqual(c.gradients[.u]!, [0])
        XCTAssertTrue(c.isFinite)
        // Below the clamp exp multiplies, as PyTorch's does: NaN there, reported as data.
        let below = try CompiledLoss<Double>(clamp, branch: .reg).evaluate(LossBatch(rows: 1, inputs: [.u: [50], .i: [1], .e: [1]]))
        XCTAssertTrue(below.gradients[.u]![0].isNaN)
        XCTAssertFalse(below.isFinite)
    }
}
