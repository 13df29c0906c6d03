import LossLanguage
import XCTest
@testable import Search

/// The hurdles' bars: the baseline's rung AP until there are top-P completed trainings, then the
/// higher of it and the weakest parent's rung AP, less the margin.
final class HurdlesTests: XCTestCase {
    func result(final ap: Double, rungs: [Double]) -> EvaluationResult {
        var r = EvaluationResult(status: .ok, stats: [ap / 100] + Array(repeating: 0, count: 11), seconds: 1)
        r.rungs = rungs.enumerated().map { k, a in EvaluationResult.Rung(fraction: [0.25, 0.5][k], stats: [a / 100]) }
        return r
    }

    func entry(_ formula: String, final ap: Double, rungs: [Double]) throws -> HallOfFame.Entry {
        HallOfFame.Entry(expr: try Expr.parse(formula, branch: .reg), result: result(final: ap, rungs: rungs), generation: 0)
    }

    func testBars() throws {
        let hurdles = Hurdles(rungs: 2, margin: 1, topP: 2)
        let baseline = result(final: 59, rungs: [40, 50])
        XCTAssertEqual(hurdles.bars(baseline: baseline, evaluated: []), [39, 49])
        // One completed training of the two parents there will be: the baseline alone.
        let a = try entry("1 - i / u", final: 60, rungs: [45, 52])
        XCTAssertEqual(hurdles.bars(baseline: baseline, evaluated: [a]), [39, 49])
        // Two: the weaker parent at each rung, where it is above the baseline.
        let b = try entry("e / i", final: 58, rungs: [38, 51])
        XCTAssertEqual(hurdles.bars(baseline: baseline, evaluated: [a, b]), [39, 50])
        // A better third one replaces b among the parents.
        let c = try entry("-log(i / u)", final: 61, rungs: [47, 55])
        XCTAssertEqual(hurdles.bars(baseline: baseline, evaluated: [a, b, c]), [44, 51])
        // Without a baseline result (it diverged) the parents alone, or no bar.
        XCTAssertEqual(Hurdles(rungs: 2, margin: 0.5, topP: 2).bars(baseline: nil, evaluated: []), [-0.5, -0.5])
    }

    func testCostCountsTheScheduleReached() {
        var r = result(final: 30, rungs: [30])
        XCTAssertEqual(r.cost, 1)
        r.status = .pruned
        XCTAssertEqual(r.cost, 0.25)
        XCTAssertNil(r.ap, "a pruned training has no final AP")
        XCTAssertEqual(r.rungAP(0), 30)
        XCTAssertNil(r.rungAP(1))
    }
}
