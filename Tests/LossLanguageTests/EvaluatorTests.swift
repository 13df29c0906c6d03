import XCTest
@testable import LossLanguage
import _TestSupport

final class EvaluatorTests: XCTestCase {
    /// Rows of random samples as a batch (softmax: `classes` wide).
    func batch(_ samples: [[Input: SampleValue]], branch: Branch) -> LossBatch<Double> {
        var inputs: [Input: [Double]] = [:]
        var classes = 1
        for s in samples {
            for v in branch.inputs {
                switch s[v]! {
                case .scalar(let a): inputs[v, default: []].append(a)
                case .vector(let xs): inputs[v, default: []] += xs; classes = xs.count
                }
            }
        }
        return LossBatch(rows: samples.count, classes: classes, inputs: inputs)
    }

    func samples(_ branch: Branch, _ n: Int, _ rng: inout SeededGenerator) -> [[Input: SampleValue]] {
        (0..<n).map { _ in RandomExpr.sample(branch: branch, using: &rng) }
    }

    /// The compiled evaluator agrees with the plain tree walk on random well-typed trees.
    func testCompiledValuesMatchReferenceOnRandomTrees() throws {
        var compared = 0
        for seed in 0..<1500 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            let branch = Branch.allCases[Int(seed % 3)]
            let e = RandomExpr.typed(branch: branch, depth: 2 + Int(seed % 4), using: &rng)
            let rows = samples(branch, 8, &rng)
            let result = try CompiledLoss<Double>(e, branch: branch).evaluate(batch(rows, branch: branch))
            for (r, s) in rows.enumerated() {
                let expected = try e.reference(s).scalarValue!
                let got = result.values[r]
                if expected.isFinite != got.isFinite || expected.isNaN != got.isNaN {
                    XCTFail("seed \(seed) row \(r): \(e.infix) reference \(expected), compiled \(got)")
                } else if expected.isFinite {
                    XCTAssertTrue(isClose(expected, got, relative: 1e-9, absolute: 1e-12), "seed \(seed) row \(r): \(e.infix) reference \(expected), compiled \(got)")
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 8000)
    }

    /// Reverse-mode gradients against central finite differences of the reference, in Double.
    func assertGradientsMatchFiniteDifferences(_ e: Expr, _ branch: Branch, _ rows: [[Input: SampleValue]], label: String,
                                               file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try CompiledLoss<Double>(e, branch: branch).evaluate(batch(rows, branch: branch))
        for (r, s) in rows.enumerated() {
            for v in branch.inputs {
                let count: Int
                if case .vector(let xs) = s[v]! { count = xs.count } else { count = 1 }
                for c in 0..<count {
                    func shifted(_ delta: Double) throws -> Double {
                        var t = s
                        switch t[v]! {
                        case .scalar(let a): t[v] = .scalar(a + delta)
                        case .vector(var xs): xs[c] += delta; t[v] = .vector(xs)
                        }
                        return try e.reference(t).scalarValue!
                    }
                    let base: Double
                    if case .vector(let xs) = s[v]! { base = xs[c] } else { base = s[v]!.scalarValue! }
                    let h = 1e-6 * max(1, abs(base))
                    let (up, down) = (try shifted(h), try shifted(-h))
                    let numeric = (up - down) / (2 * h)
                    // Rounding in f itself bounds what a difference quotient can resolve.
                    let roundoff = 4e-16 * max(abs(up), abs(down)) / h
                    let k = branch.type(of: v) == .vector ? r * count + c : r
                    let analytic = result.gradients[v]![k]
                    guard numeric.isFinite else { continue }
                    XCTAssertTrue(isClose(analytic, numeric, relative: 1e-5, absolute: 1e-6 + roundoff),
                                  "\(label) d/d\(v.name)[\(c)] row \(r): analytic \(analytic), numeric \(numeric)", file: file, line: line)
                }
            }
        }
    }

    func testEveryPrimitiveGradient() throws {
        var rng = SeededGenerator(seed: 11)
        for op in UnaryOp.allCases {
            // Each primitive applied to an affine function of the inputs, away from kinks.
            let text: String
            let branch: Branch
            switch op {
            case .softmax: (text, branch) = ("dot(y + 0.5, softmax(x * (w + 1)))", .softmax)
            case .log, .sqrt: (text, branch) = ("\(op.name)(x * x + w + 0.1)", .sigmoid)
            case .abs, .relu: (text, branch) = ("\(op.name)(x + 5) * w", .sigmoid)
            default: (text, branch) = ("\(op.name)(x * (1 + w)) * (1 + y)", .sigmoid)
            }
            let e = try Expr.parse(text, branch: branch)
            try assertGradientsMatchFiniteDifferences(e, branch, samples(branch, 12, &rng), label: op.name)
        }
        for (op, text) in [("+", "i + u * e"), ("-", "i - u * e"), ("*", "i * u * e"), ("/", "i / u / e")] {
            try assertGradientsMatchFiniteDifferences(try Expr.parse(text, branch: .reg), .reg, samples(.reg, 12, &rng), label: op)
        }
        let dot = try Expr.parse("dot(x * w, y + x)", branch: .softmax)
        try assertGradientsMatchFiniteDifferences(dot, .softmax, samples(.softmax, 12, &rng), label: "dot")
    }

    func testKnownLossGradients() throws {
        var rng = SeededGenerator(seed: 12)
        for loss in KnownLoss.named {
            for b in loss.branches {
                try assertGradientsMatchFiniteDifferences(try loss.expr(branch: b), b, samples(b, 16, &rng), label: "\(loss.name)/\(b)")
            }
        }
    }

    func testGradientsOnRandomTrees() throws {
        for seed in 0..<300 as Range<UInt64> {
            var rng = SeededGenerator(seed: 1000 + seed)
            let branch = Branch.allCases[Int(seed % 3)]
            // Smooth operators only: finite differences are meaningless across kinks.
            let e = RandomExpr.typed(branch: branch, depth: 2 + Int(seed % 3), using: &rng)
            var smooth = true
            e.visit { node in
                if case .unary(let op, _) = node, [.abs, .relu, .sqrt, .log, .exp].contains(op) { smooth = false }
                if case .binary(.div, _, _) = node { smooth = false }
            }
            guard smooth else { continue }
            try assertGradientsMatchFiniteDifferences(e, branch, samples(branch, 4, &rng), label: "seed \(seed): \(e.infix)")
        }
    }

    func testFloatAgreesWithDouble() throws {
        var rng = SeededGenerator(seed: 5)
        for loss in KnownLoss.named {
            for b in loss.branches {
                let e = try loss.expr(branch: b)
                let doubles = batch(samples(b, 64, &rng), branch: b)
                let floats = LossBatch<Float>(rows: doubles.rows, classes: doubles.classes, inputs: doubles.inputs.mapValues { $0.map(Float.init) })
                let d = try CompiledLoss<Double>(e, branch: b).evaluate(doubles)
                let f = try CompiledLoss<Float>(e, branch: b).evaluate(floats)
                for r in 0..<doubles.rows {
                    XCTAssertTrue(isClose(Double(f.values[r]), d.values[r], relative: 1e-4, absolute: 1e-5), "\(loss.name): \(f.values[r]) vs \(d.values[r])")
                }
                for (v, g) in d.gradients {
                    for k in g.indices {
                        XCTAssertTrue(isClose(Double(f.gradients[v]![k]), g[k], relative: 1e-3, absolute: 1e-4), "\(loss.name) d/d\(v.name)[\(k)]")
                    }
                }
            }
        }
    }

    func testNonFiniteResultsAreReportedAsData() throws {
        let e = try Expr.parse("sqrt(-x)", branch: .sigmoid)
        let r = try CompiledLoss<Double>(e, branch: .sigmoid).evaluate(LossBatch(rows: 3, inputs: [.x: [-1, 0, 2], .y: [0, 0, 0], .w: [0, 0, 0]]))
        XCTAssertEqual(r.values[0], 1)
        XCTAssertTrue(r.values[2].isNaN)
        XCTAssertFalse(r.isFinite)
        // sqrt at 0: value 0, infinite gradient; at 2: NaN value and gradient.
        XCTAssertEqual(r.nonFiniteCount, 3)
        // The guards keep log(0), 1/0 and exp(1000) finite, as in the authors' code.
        let guarded = try Expr.parse("log(x - x) + 1 / (x - x) + exp(x * 1000)", branch: .sigmoid)
        let g = try CompiledLoss<Double>(guarded, branch: .sigmoid).evaluate(LossBatch(rows: 1, inputs: [.x: [1], .y: [0], .w: [0]]))
        XCTAssertTrue(g.isFinite, "\(g.values)")
    }

    func testLargeBatchesSplitAcrossCoresGiveTheSameAnswer() throws {
        var rng = SeededGenerator(seed: 9)
        let e = try Expr.resolve("cse-b-cls", branch: .sigmoid)
        let n = 100_003
        var x = [Float](), y = [Float](), w = [Float]()
        for _ in 0..<n {
            let positive = Int.random(in: 0..<10, using: &rng) == 0
            x.append(Float.random(in: -6...6, using: &rng))
            y.append(positive ? 1 : 0)
            w.append(positive ? Float.random(in: 0.1...1, using: &rng) : 0)
        }
        let loss = try CompiledLoss<Float>(e, branch: .sigmoid, gradientsFor: [.x])
        let all = try loss.evaluate(LossBatch(rows: n, inputs: [.x: x, .y: y, .w: w]))
        XCTAssertEqual(all.gradients.keys.sorted(), [.x])
        for k in stride(from: 0, to: n, by: 997) {
            let one = try loss.evaluate(LossBatch(rows: 1, inputs: [.x: [x[k]], .y: [y[k]], .w: [w[k]]]))
            XCTAssertEqual(all.values[k], one.values[0], "row \(k)")
            XCTAssertEqual(all.gradients[.x]![k], one.gradients[.x]![0], "row \(k)")
        }
    }

    /// log(softmax(x)) runs fused; at extreme logits the 1e-20 guard must still act as defined.
    func testFusedLogSoftmaxKeepsTheGuardAtExtremeLogits() throws {
        let e = try Expr.resolve("ce", branch: .softmax)
        let rows: [[Double]] = [[30, -30, 0], [0, 0, 0], [-80, 80, 1], [5, 5.5, -20]]
        for label in 0..<3 {
            for x in rows {
                let y = (0..<3).map { $0 == label ? 1.0 : 0.0 }
                let expected = try e.reference([.x: .vector(x), .y: .vector(y), .w: .scalar(1)]).scalarValue!
                let d = try CompiledLoss<Double>(e, branch: .softmax).evaluate(LossBatch(rows: 1, classes: 3, inputs: [.x: x, .y: y, .w: [1]]))
                XCTAssertEqual(d.values[0], expected, accuracy: 1e-12 * max(1, abs(expected)), "x \(x) label \(label)")
                let f = try CompiledLoss<Float>(e, branch: .softmax).evaluate(
                    LossBatch(rows: 1, classes: 3, inputs: [.x: x.map(Float.init), .y: y.map(Float.init), .w: [1]]))
                XCTAssertEqual(Double(f.values[0]), expected, accuracy: 1e-5 * max(1, abs(expected)), "Float, x \(x) label \(label)")
            }
        }
        // Saturated at -log(1e-20) when the label's probability is below the guard.
        let saturated = try CompiledLoss<Double>(e, branch: .softmax).evaluate(
            LossBatch(rows: 1, classes: 3, inputs: [.x: [30, -30, 0], .y: [0, 1, 0], .w: [1]]))
        XCTAssertEqual(saturated.values[0], -log(exp(-60.0) + 1e-20), accuracy: 1e-9)
        XCTAssertLessThan(abs(saturated.gradients[.x]![1]), 1e-5, "the guard flattens the loss below it")
        var rng = SeededGenerator(seed: 21)
        let wide = (0..<6).map { _ in RandomExpr.sample(branch: .softmax, using: &rng) }.map { s -> [Input: SampleValue] in
            var t = s
            if case .vector(let xs) = s[.x]! { t[.x] = .vector(xs.map { $0 * 12 }) }
            return t
        }
        try assertGradientsMatchFiniteDifferences(try Expr.resolve("focal", branch: .softmax), .softmax, wide, label: "focal, wide logits")
    }

    func testSharedSubtreesAreComputedOnce() throws {
        let b = try CompiledLoss<Float>(Expr.resolve("cse-b-cls", branch: .sigmoid), branch: .sigmoid)
        let tree = try Expr.resolve("cse-b-cls", branch: .sigmoid)
        XCTAssertLessThan(b.operationCount, tree.size)
    }

    func testBadBatchesAreRejectedWithReasons() throws {
        let loss = try CompiledLoss<Double>(Expr.resolve("ce", branch: .softmax), branch: .softmax)
        XCTAssertThrowsError(try loss.evaluate(LossBatch(rows: 2, classes: 3, inputs: [.x: [1, 2, 3], .y: [1, 0, 0, 0, 1, 0]]))) {
            XCTAssertTrue("\($0)".contains("input 'x' has 3 numbers, expected 6 (2 rows x 3 classes)"), "\($0)")
        }
        XCTAssertThrowsError(try loss.evaluate(LossBatch(rows: 1, classes: 3, inputs: [.x: [1, 2, 3]]))) {
            XCTAssertTrue("\($0)".contains("missing input 'y'"), "\($0)")
        }
    }
}
