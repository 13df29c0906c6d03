import LossLanguage
import Verification
import XCTest

/// The standard and published losses must pass every check of every branch they exist in
/// (DESIGN.md, "Convergence property verification").
final class KnownLossVerificationTests: XCTestCase {
    func testEveryKnownLossPasses() throws {
        var verified = 0
        for loss in KnownLoss.all {
            for branch in loss.branches {
                let report = Verifier.verify(try loss.expr(branch: branch), branch: branch)
                XCTAssertTrue(report.accepted, "\(loss.name) (\(branch)) was rejected: \(report.firstFailure?.reason ?? "")")
                XCTAssertNotNil(report.fingerprint, loss.name)
                verified += 1
            }
        }
        XCTAssertEqual(verified, 13)  // focal has two forms
    }

    /// The robust losses of label noise (`KnownLoss.specialists`) pass too, in both classification
    /// branches: bounded, but their gradient still points every sample towards its label.
    func testEverySpecialistLossPasses() throws {
        var verified = 0
        for loss in KnownLoss.specialists {
            for branch in loss.branches {
                let report = Verifier.verify(try loss.expr(branch: branch), branch: branch)
                XCTAssertEqual(report.verdict, .pass, "\(loss.name) (\(branch)): \(report.findings.filter { $0.verdict != .pass })")
                XCTAssertNotNil(report.fingerprint, loss.name)
                verified += 1
            }
        }
        XCTAssertEqual(verified, 6)
    }

    func testNamedLossesRunTheirBranchChecks() throws {
        let expected: [(String, Branch, [String])] = [
            ("ce", .softmax, ["softmax-monotone", "softmax-convergence", "softmax-gradient"]),
            ("cse-b-cls", .sigmoid, ["sigmoid-negatives", "sigmoid-positive-convergence", "sigmoid-quality-ranking"]),
            ("giou", .reg, ["reg-rank-consistency", "reg-path-monotone", "reg-perfect-match", "reg-nonoverlap-gradient"]),
        ]
        for (name, branch, cpv) in expected {
            let report = Verifier.verify(try Expr.resolve(name, branch: branch), branch: branch)
            XCTAssertEqual(report.findings.map(\.check), ["well-typed", "finite", "not-constant", "uses-prediction"] + cpv, name)
            XCTAssertEqual(report.verdict, .pass, name)
        }
    }

    /// The plain IoU loss has no gradient for boxes that miss their GT: a warning, not a
    /// rejection; GIoU fixes exactly that.
    func testZeroGradientAtNoOverlapIsAWarning() throws {
        for name in ["iou", "log-iou"] {
            let report = Verifier.verify(try Expr.resolve(name, branch: .reg), branch: .reg)
            XCTAssertTrue(report.accepted, name)
            XCTAssertEqual(report.verdict, .warning, name)
            let finding = try XCTUnwrap(report.findings.first { $0.check == "reg-nonoverlap-gradient" })
            XCTAssertEqual(finding.verdict, .warning, name)
            XCTAssertTrue(finding.reason.contains("zero gradient for non-overlapping boxes"), finding.reason)
        }
        for name in ["giou", "cse-a-reg", "cse-b-reg"] {
            let report = Verifier.verify(try Expr.resolve(name, branch: .reg), branch: .reg)
            XCTAssertEqual(report.verdict, .pass, "\(name): \(report.findings)")
        }
    }

    /// CSE-Autoloss-B's positives have a finite optimum rising with the IoU (METHOD.md:
    /// sigmoid(x*) about 0.39, 0.61, 0.77, 0.90 at w = 0.1, 0.3, 0.5, 0.7): plain monotonicity
    /// would reject it, the quality-ranking rule accepts it and reports those optima.
    func testPublishedBLossHasRisingFiniteOptimum() throws {
        let report = Verifier.verify(try Expr.resolve("cse-b-cls", branch: .sigmoid), branch: .sigmoid)
        let ranking = try XCTUnwrap(report.findings.first { $0.check == "sigmoid-quality-ranking" })
        XCTAssertEqual(ranking.verdict, .pass)
        for score in ["0.378", "0.622", "0.777", "0.905"] {
            XCTAssertTrue(ranking.reason.contains("sigmoid \(score)"), ranking.reason)
        }
    }

    /// The same formula written in the authors' prefix form and in infix verifies the same.
    func testPrefixAndInfixFormsAgree() throws {
        let prefix = Verifier.verify(try Expr.parse("Neg(Dot(Y,Log(Softmax(X))))", branch: .softmax), branch: .softmax)
        let infix = Verifier.verify(try Expr.parse("-dot(y, log(softmax(x)))", branch: .softmax), branch: .softmax)
        XCTAssertEqual(prefix.findings, infix.findings)
        XCTAssertEqual(prefix.fingerprint, infix.fingerprint)
    }
}
