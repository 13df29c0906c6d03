import LossLanguage
import XCTest

/// The definitions adopted from the authors' code (issue 16): their w over the classes, dot with
/// a constant, softmax over the sigmoid branch's rows, softplus as PyTorch's. Each value is
/// checked in the compiled evaluator (Double and Float) and the reference against the closed form.
final class AuthorsSemanticsTests: XCTestCase {
    /// Two rows of three classes.
    let x: [Double] = [1, -2, 0.5, 30, 0, -4], y: [Double] = [0, 1, 0, 1, 0, 0], w: [Double] = [0.25, 1]

    func evaluate(_ text: String, _ branch: Branch, _ batch: LossBatch<Double>) throws -> LossEvaluation<Double> {
        let e = try Expr.parse(text, branch: branch)
        let d = try CompiledLoss<Double>(e, branch: branch).evaluate(batch)
        let f = try CompiledLoss<Float>(e, branch: branch).evaluate(
            LossBatch(rows: batch.rows, classes: batch.classes, inputs: batch.inputs.mapValues { $0.map(Float.init) }))
        for (a, b) in zip(d.values, f.values) { XCTAssertEqual(a, Double(b), accuracy: 1e-5 * max(1, abs(a)), text) }
        return d
    }

    func testSoftmaxBranchBroadcastsWAndConstantsOverTheClasses() throws {
        let batch = LossBatch(rows: 2, classes: 3, inputs: [.x: x, .y: y, .w: w])
        let sums = [x[0] + x[1] + x[2], x[3] + x[4] + x[5]]
        let cases: [(String, (Int) -> Double)] = [
            ("dot(w, w)", { 3 * self.w[$0] * self.w[$0] }),
            ("dot(2, x)", { 2 * sums[$0] }),
            ("dot(w, x)", { self.w[$0] * sums[$0] }),
            ("dot(softmax(w), x)", { sums[$0] / 3 }),
            ("dot(2, 3) * w", { 6 * self.w[$0] }),
        ]
        for (text, expected) in cases {
            let r = try evaluate(text, .softmax, batch)
            let e = try Expr.parse(text, branch: .softmax)
            for row in 0..<2 {
                XCTAssertEqual(r.values[row], expected(row), accuracy: 1e-12, text)
                let sample: [Input: SampleValue] = [.x: .vector(Array(x[row * 3..<row * 3 + 3])), .y: .vector(Array(y[row * 3..<row * 3 + 3])), .w: .scalar(w[row])]
                XCTAssertEqual(try e.reference(sample).scalarValue ?? .nan, expected(row), accuracy: 1e-12, text)
            }
        }
        // d dot(w, x) / dx = w in every class; d dot(softmax(w), x) / dx = 1/3.
        let third = 1.0 / 3
        let expected: [Double] = [0.25 + third, 0.25 + third, 0.25 + third, 1 + third, 1 + third, 1 + third]
        XCTAssertEqual(try evaluate("dot(w, x) + dot(softmax(w), x)", .softmax, batch).gradients[.x]!, expected)
    }

    func testSigmoidSoftmaxIsOverEachRowOfClasses() throws {
        let r = try evaluate("y * log(softmax(x))", .sigmoid, LossBatch(rows: 2, classes: 3, inputs: [.x: x, .y: y, .w: [0, 0, 0, 0, 0, 0]]))
        XCTAssertEqual(r.values.count, 6, "one loss per element")
        let row0 = [x[0], x[1], x[2]], lse = log(row0.map(exp).reduce(0, +))
        XCTAssertEqual(r.values[1], x[1] - lse, accuracy: 1e-12)
        XCTAssertEqual(r.values[0], 0)
        // Flattened to rows of one class, softmax is 1 (log 1 = 0), as with the old elementwise form.
        let flat = try evaluate("y * log(softmax(x))", .sigmoid, LossBatch(rows: 6, inputs: [.x: x, .y: y, .w: [0, 0, 0, 0, 0, 0]]))
        XCTAssertEqual(flat.values, [0, 0, 0, 0, 0, 0])
    }

    func testSoftplusIsPyTorchsAboveTwenty() throws {
        let batch = LossBatch(rows: 3, inputs: [.x: [20.5, 20, -800], .y: [0, 0, 0], .w: [0, 0, 0]])
        let r = try CompiledLoss<Double>(try Expr.parse("softplus(x) - x", branch: .sigmoid), branch: .sigmoid).evaluate(batch)
        XCTAssertEqual(r.values[0], 0, "x itself above the threshold")
        XCTAssertEqual(r.values[1], log1p(exp(20)) - 20, accuracy: 1e-15)
        XCTAssertEqual(r.values[2], 800)
        XCTAssertEqual(r.gradients[.x]![0], 0, "gradient 1 - 1 above the threshold")
    }
}
