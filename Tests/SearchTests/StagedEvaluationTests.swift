import LossLanguage
import Search
import Verification
import XCTest

/// Checks read a prefix of their probe first and reject on it when the whole probe would fail
/// anyway: on random candidates, the verdicts equal those computed from the whole probe.
final class StagedEvaluationTests: XCTestCase {
    func testPrefixRejectionsAreExact() throws {
        let verifier = Verifier.standard
        for branch in Branch.allCases {
            let generator = try FormulaGenerator(branch: branch)
            let checks = verifier.checks(for: branch)
            var rng = SplitMix64(seed: 31)
            var compared = 0
            for _ in 0..<800 {
                let e = generator.generate(using: &rng)
                let staged = verifier.prepare(e, branch: branch)
                let whole = verifier.prepare(e, branch: branch)
                // Evaluating every probe up front leaves no prefix to stop at.
                for kind in ProbeKind.allCases { _ = whole.evaluation(kind) }
                let a = verifier.run(checks, on: staged, stopAtFirstFailure: false)
                let b = verifier.run(checks, on: whole, stopAtFirstFailure: false)
                XCTAssertEqual(a.map(\.verdict), b.map(\.verdict), "seed 31, \(branch): \(e)")
                XCTAssertEqual(a.map(\.check), b.map(\.check), "seed 31, \(branch): \(e)")
                compared += 1
            }
            XCTAssertEqual(compared, 800)
        }
    }
}
