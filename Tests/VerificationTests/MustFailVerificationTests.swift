import LossLanguage
import Verification
import XCTest

/// Losses that must be rejected, each with the check that must fail and words its reason must
/// contain (DESIGN.md: "the tests hold a list of losses that must fail, each with the reason").
final class MustFailVerificationTests: XCTestCase {
    struct Case {
        var formula: String
        var branch: Branch
        var check: String
        var words: [String]
        init(_ formula: String, _ branch: Branch, _ check: String, _ words: [String]) {
            self.formula = formula
            self.branch = branch
            self.check = check
            self.words = words
        }
    }

    static let cases: [Case] = [
        // Rises as the prediction improves.
        Case("dot(y, log(softmax(x)))", .softmax, "softmax-monotone", ["rises as the GT logit rises", "x_t ="]),
        Case("dot(y, softmax(x))", .softmax, "softmax-monotone", ["rises as the GT logit rises"]),
        Case("-(y * log(sigmoid(x)) + (1 - y) * log(sigmoid(x)))", .sigmoid, "sigmoid-negatives", ["negatives", "falls as x rises"]),
        Case("-log(sigmoid(x))", .sigmoid, "sigmoid-negatives", ["negatives", "falls as x rises"]),
        Case("log(sigmoid(x))", .sigmoid, "sigmoid-positive-convergence", ["w = 1", "rises as x rises"]),
        Case("-(y * log(1 - sigmoid(x)) + (1 - y) * log(1 - sigmoid(x)))", .sigmoid, "sigmoid-positive-convergence", ["w = 1", "rises as x rises"]),
        Case("i / u", .reg, "reg-rank-consistency", ["rises as the IoU rises", "Spearman"]),
        Case("e - u", .reg, "reg-rank-consistency", ["Spearman"]),
        // Constants.
        Case("2", .softmax, "not-constant", ["reads no input", "constant 2"]),
        Case("1 + 2", .reg, "not-constant", ["reads no input", "constant 3"]),
        Case("x - x", .sigmoid, "not-constant", ["constant", "value 0"]),
        Case("u / u", .reg, "not-constant", ["constant"]),
        // Ignore the prediction.
        Case("-log(w)", .softmax, "uses-prediction", ["ignores the prediction x", "reads only w"]),
        Case("y * w + 1", .sigmoid, "uses-prediction", ["ignores the prediction x", "reads only y, w"]),
        Case("w * (sigmoid(x) + sigmoid(-x))", .sigmoid, "uses-prediction", ["ignores the prediction x", "does not change"]),
        Case("dot(y, softmax(x)) * 0 + w", .softmax, "uses-prediction", ["ignores the prediction x", "does not change"]),
        // Not finite.
        Case("sqrt(-x)", .sigmoid, "finite", ["inf"]),
        Case("sqrt(x)", .sigmoid, "finite", ["NaN", "x = -30"]),
        Case("-dot(y, sqrt(-x))", .softmax, "finite", ["NaN", "logits"]),
        Case("log(i - u)", .reg, "finite", ["NaN"]),
        Case("log(x)", .sigmoid, "finite", ["NaN"]),
        Case(Array(repeating: "exp(exp(x))", count: 9).joined(separator: " * "), .sigmoid, "finite", ["inf", "x = 10"]),
        // Softmax: wrong gradient direction, no clear convergence.
        Case("-dot(y, log(softmax(x))) - 0.5 * dot(1 - y, x)", .softmax, "softmax-gradient", ["pushes the logit of class", "up"]),
        Case("-0.0001 * dot(y, softmax(x))", .softmax, "softmax-convergence", ["not clearly lower", "x_t = 10"]),
        // Sigmoid positives: the optimum does not follow the IoU.
        Case("-(y * ((2 * w - 1) * (2 * w - 1) * log(sigmoid(x)) + (1 - (2 * w - 1) * (2 * w - 1)) * log(1 - sigmoid(x))) + (1 - y) * log(1 - sigmoid(x)))",
             .sigmoid, "sigmoid-quality-ranking", ["optimum of positives", "falls as the IoU grows", "w = 0.1"]),
        Case("(1 - y) * softplus(x) + y * (sigmoid(x) - (1 - w)) * (sigmoid(x) - (1 - w))",
             .sigmoid, "sigmoid-quality-ranking", ["falls as the IoU grows"]),
        Case("(1 - y) * softplus(x) + y * (sigmoid(x) - 0.5 * w) * (sigmoid(x) - 0.5 * w)",
             .sigmoid, "sigmoid-positive-convergence", ["w = 1", "rises as x rises"]),
        // Regression: the perfect match is not the minimum.
        Case("(i / u - 0.5) * (i / u - 0.5)", .reg, "reg-perfect-match", ["perfect match is not the minimum"]),
        Case("-log(i / u) - e / u", .reg, "reg-path-monotone", ["rises as a box moves onto its GT"]),
    ]

    func testMustFailLossesFailWithTheirReason() throws {
        for c in Self.cases {
            let report = Verifier.verify(try Expr.parse(c.formula, branch: c.branch), branch: c.branch)
            XCTAssertFalse(report.accepted, "\(c.formula) should be rejected")
            guard let finding = report.findings.first(where: { $0.check == c.check }) else {
                XCTFail("\(c.formula): no finding of \(c.check); findings: \(report.findings)")
                continue
            }
            XCTAssertEqual(finding.verdict, .failure, "\(c.formula): \(c.check) did not fail: \(finding.reason)")
            for word in c.words {
                XCTAssertTrue(finding.reason.contains(word), "\(c.formula): reason lacks '\(word)': \(finding.reason)")
            }
        }
    }

    /// The first failure of a rejected loss is the cheapest check that catches it.
    func testValidityFailureStopsTheRun() throws {
        let report = Verifier.verify(try Expr.parse("sqrt(x)", branch: .sigmoid), branch: .sigmoid)
        XCTAssertEqual(report.findings.map(\.check), ["well-typed", "finite"])
        XCTAssertEqual(report.firstFailure?.check, "finite")
    }

    func testIllTypedTreeFailsWellTyped() {
        // Trees built in code can be ill typed; parsing would have refused these.
        let vector = Expr.unary(.log, .unary(.softmax, .input(.x)))
        let report = Verifier.verify(vector, branch: .softmax)
        XCTAssertEqual(report.findings.map(\.check), ["well-typed"])
        XCTAssertTrue(report.findings[0].reason.contains("class vector"), report.findings[0].reason)
        XCTAssertNil(report.fingerprint)
        let foreign = Verifier.verify(.binary(.div, .input(.i), .input(.x)), branch: .reg)
        XCTAssertTrue(foreign.findings[0].reason.contains("not an input of the reg branch"), foreign.findings[0].reason)
    }

    func testStopAtFirstFailure() throws {
        let e = try Expr.parse("i / u", branch: .reg)
        let full = Verifier.standard.verify(e, branch: .reg)
        let short = Verifier.standard.verify(e, branch: .reg, stopAtFirstFailure: true)
        XCTAssertGreaterThan(full.findings.filter { $0.verdict == .failure }.count, 1)
        XCTAssertEqual(short.findings.filter { $0.verdict == .failure }.count, 1)
        XCTAssertEqual(short.findings.last?.check, "reg-rank-consistency")
    }
}
