import Foundation
import Report
import Search
import Verification
import XCTest

/// The report of a run folder written by autoloss before the redesign (schema 1, the autolossTests
/// fixture): its funnel, baseline and MOS-proxy correlation as that autoloss and its scripts
/// gave them (`autoloss report`, bench/mos_vs_proxy.py of ac84ee0).
final class RunReportTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-report-\(UUID().uuidString)")
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("autolossTests/Fixtures/schema1-reg-run")
        try? FileManager.default.copyItem(at: fixture, to: folder)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testTheReportOfASchema1Run() throws {
        let report = try RunReport(store: RunFolder(folder).open())
        XCTAssertEqual(report.options.branch, .reg)
        XCTAssertEqual(report.options.evaluator, .simulation)
        XCTAssertEqual(report.candidates.count, 1178)
        XCTAssertEqual(report.endings.map { "\($0.ending) \($0.count)" }, [
            "passed mos 15", "proxy-evaluated 8", "rejected at cpv 656", "rejected at dedup 241", "rejected at equivalence 7",
            "rejected at mos 9", "rejected at validity 242",
        ])
        XCTAssertEqual(report.baselineProxy?.ap, 82.6953125)
        XCTAssertEqual(report.trainedAtBothStages.count, 8)
        XCTAssertEqual(try XCTUnwrap(report.mosProxyCorrelation), 0.73109243697479, accuracy: 1e-12)
        XCTAssertEqual(report.hallOfFame.top(1).first?.expr.infix, "log(e / i + 2)")
        XCTAssertTrue(report.failures.isEmpty)
    }

    /// A failed evaluation is counted apart from the rejections and listed with its reason.
    func testFailuresAreReportedWithTheirReasons() throws {
        let store = try RunFolder(folder.appendingPathComponent("new")).create(SearchOptions(branch: .reg))
        let failed = EvaluationResult(status: .failed, seconds: 1, reason: "the evaluator command exited with status 1: CUDA out of memory")
        try store.record(CandidateRecord(generation: 0, slot: 0, formula: "1 - i / u", canonical: "1 - i / u", origin: "seed",
                                         stages: [StageRecord(stage: .equivalence, passed: true, reason: "", seconds: 0)]))
        try store.record(StageRecord(stage: .mos, passed: false, reason: failed.reason, result: failed, seconds: 1), generation: 0, slot: 0)
        let report = try RunReport(store: store)
        XCTAssertEqual(report.endings.map { "\($0.ending) \($0.count)" }, ["failed at mos 1"])
        XCTAssertEqual(report.failures.map { "\($0.stage) \($0.formula): \($0.reason)" }, ["mos 1 - i / u: \(failed.reason)"])
    }

    func testSpearmanSharesTiedRanks() throws {
        XCTAssertEqual(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 0.8207826816681233, accuracy: 1e-12)
        XCTAssertEqual(ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])
        XCTAssertTrue(spearman([1, 1, 1], [1, 2, 3]).isNaN)
    }
}
