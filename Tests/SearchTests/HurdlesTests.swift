import Foundation
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

    /// result.json with rungs, as the worker writes it, read strictly.
    func testResultFilesWithRungs() {
        let twelve = "[" + Array(repeating: "0.1", count: 12).joined(separator: ",") + "]"
        let rung = "{\"fraction\": 0.25, \"stats\": \(twelve), \"hurdle\": 30}"
        let pruned = ResultFile.parse(Data("{\"status\": \"pruned\", \"stats\": \(twelve), \"rungs\": [\(rung)]}".utf8), seconds: 1)
        XCTAssertEqual(pruned.status, .pruned, pruned.reason)
        XCTAssertEqual(pruned.rungs?.first?.hurdle, 30)
        XCTAssertEqual(pruned.cost, 0.25)
        let ok = ResultFile.parse(Data("{\"status\": \"ok\", \"stats\": \(twelve), \"rungs\": [\(rung)]}".utf8), seconds: 1)
        XCTAssertEqual(ok.status, .ok)
        XCTAssertEqual(ok.rungs?.count, 1)
        for (text, reason) in [("{\"status\": \"pruned\", \"stats\": \(twelve)}", "without the \"rungs\""),
                               ("{\"status\": \"pruned\", \"rungs\": [\(rung)]}", "12 \"stats\""),
                               ("{\"status\": \"ok\", \"stats\": \(twelve), \"rungs\": [{\"fraction\": 2, \"stats\": \(twelve)}]}", "fraction in (0, 1)")] {
            let r = ResultFile.parse(Data(text.utf8), seconds: 1)
            XCTAssertEqual(r.status, .failed, text)
            XCTAssertTrue(r.reason.contains(reason), r.reason)
        }
    }
}
