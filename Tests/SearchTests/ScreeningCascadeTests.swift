import LossLanguage
import Search
import Verification
import XCTest
import _TestSupport

/// The cascade sends each candidate to the first stage that removes it, and counts.
final class ScreeningCascadeTests: XCTestCase {
    func stage(_ outcome: ScreeningOutcome) -> Stage? {
        if case .rejected(let s, _, _) = outcome { return s }
        return nil
    }

    func testStagesInOrder() throws {
        var cascade = ScreeningCascade(verifier: .standard, branch: .reg)
        let giou = try Expr.resolve("giou", branch: .reg)
        guard case .accepted = cascade.screen(giou) else { return XCTFail("giou was not accepted") }
        XCTAssertEqual(stage(cascade.screen(try Expr.parse("1 - i/u + (e - u)/e", branch: .reg))), .dedup)
        XCTAssertEqual(stage(cascade.screen(try Expr.parse("(e - u)/e - i/u + 1", branch: .reg))), .dedup)
        XCTAssertEqual(stage(cascade.screen(try Expr.parse("u / u", branch: .reg))), .validity)
        XCTAssertEqual(stage(cascade.screen(try Expr.parse("i / u", branch: .reg))), .cpv)
        // Same behaviour, another canonical form: a / a is not simplified (false at a = 0).
        XCTAssertEqual(stage(cascade.screen(try Expr.parse("1 - i/u + (e - u)/e * (e / e)", branch: .reg))), .equivalence)
        let counts = cascade.counts
        XCTAssertEqual(counts.screened, 6)
        XCTAssertEqual(counts.accepted, 1)
        XCTAssertEqual(counts.rejected, [.dedup: 2, .validity: 1, .cpv: 1, .equivalence: 1])
        XCTAssertEqual(counts.rejectedByCheck, ["not-constant": 1, "reg-rank-consistency": 1])
        XCTAssertEqual(counts.reached(.validity), 6)
        XCTAssertEqual(counts.reached(.cpv), 3)
        XCTAssertEqual(counts.reached(.equivalence), 2)
    }

    /// Cascades sharing their seen sets (one per thread) deduplicate across each other.
    func testSharedSeenSets() throws {
        let forms = SeenSet<String>(), prints = SeenSet<Fingerprint>()
        var a = ScreeningCascade(verifier: .standard, branch: .softmax, canonicalForms: forms, fingerprints: prints)
        var b = ScreeningCascade(verifier: .standard, branch: .softmax, canonicalForms: forms, fingerprints: prints)
        let ce = try Expr.resolve("ce", branch: .softmax)
        guard case .accepted = a.screen(ce) else { return XCTFail("ce was not accepted") }
        XCTAssertEqual(stage(b.screen(ce)), .dedup)
        XCTAssertEqual(a.counts.merged(with: b.counts).screened, 2)
        XCTAssertEqual(forms.count, 1)
    }

    /// Random candidates: every one ends somewhere, the counts add up, and a seed gives the
    /// same funnel.
    func testRandomCandidatesFunnel() throws {
        for branch in Branch.allCases {
            let generator = try FormulaGenerator(branch: branch)
            var funnels: [ScreeningCounts] = []
            for _ in 0..<2 {
                var rng = SplitMix64(seed: 99)
                var cascade = ScreeningCascade(verifier: .standard, branch: branch)
                for _ in 0..<400 { cascade.screen(generator.generate(using: &rng)) }
                var c = cascade.counts
                XCTAssertEqual(c.screened, 400)
                XCTAssertEqual(c.accepted + c.rejected.values.reduce(0, +), 400, "seed 99, \(branch)")
                c.nanoseconds = [:]
                funnels.append(c)
            }
            XCTAssertEqual(funnels[0], funnels[1], "seed 99, \(branch)")
        }
    }
}
