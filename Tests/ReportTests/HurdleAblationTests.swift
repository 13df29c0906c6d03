import Foundation
import LossLanguage
import Report
import Search
import XCTest

/// The filter ablation's fourth arm (CPV + MOS + hurdles) and its clock in whole proxy trainings.
final class HurdleAblationTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-hurdle-ablation-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// The ablation's hurdles arm exists where hurdles can run (the built-in detector in this
    /// process), with the default rungs, and only there.
    func testTheAblationAddsAHurdlesArmForTheDetector() {
        var o = SearchOptions(branch: .reg)
        let detector = FilterAblation(options: o, folder: folder.appendingPathComponent("a")).arms
        XCTAssertEqual(detector.map(\.name), ["none", "cpv", "cpv-mos", "cpv-mos-hurdles"])
        XCTAssertEqual(detector.map(\.options.rungs), [nil, nil, nil, FilterAblation.defaultRungs])
        XCTAssertEqual(detector.map(\.options.usesMOS), [false, false, true, true])
        o.evaluator = .simulation
        XCTAssertEqual(FilterAblation(options: o, folder: folder.appendingPathComponent("b")).arms.map(\.name), ["none", "cpv", "cpv-mos"])
    }

    /// A pruned training costs its fraction in the arm's store as in its summary, and the table
    /// times an arm in whole trainings spent when it first reached plain evolution's best AP.
    func testTrainingsSpentAndTheSpeedUpInTrainings() throws {
        let store = try RunFolder(folder).create(SearchOptions(branch: .reg))
        var pruned = EvaluationResult(status: .pruned, stats: [0.1] + Array(repeating: 0, count: 11), seconds: 1, reason: "below")
        pruned.rungs = [EvaluationResult.Rung(fraction: 0.25, stats: pruned.stats, hurdle: 20)]
        let whole = EvaluationResult(status: .ok, stats: [0.5] + Array(repeating: 0, count: 11), seconds: 4)
        for (slot, (formula, result)) in [("e / i", pruned), ("1 - i / u", whole), ("-log(i / u)", pruned)].enumerated() {
            try store.record(CandidateRecord(generation: 0, slot: slot, formula: formula, canonical: formula, origin: "random",
                                             stages: [StageRecord(stage: .equivalence, passed: true, reason: "", seconds: 0)]))
            try store.record(StageRecord(stage: .proxy, passed: result.status == .ok, reason: result.reason, result: result,
                                         seconds: result.seconds), generation: 0, slot: slot)
        }
        let report = try RunReport(store: store)
        XCTAssertEqual(report.endings.map { "\($0.ending) \($0.count)" }, ["ended at a hurdle (0.25 of the proxy) 2", "proxy-evaluated 1"])
        let row = FilterAblation.Row(name: "cpv-mos-hurdles", report: report)
        XCTAssertEqual(row.proxyEvaluated, 3)
        XCTAssertEqual(row.spent, 1.5, accuracy: 1e-9)
        XCTAssertEqual(row.hallOfFame.entries.count, 1)
        let expr = try Expr.parse("1 - i / u", branch: .reg)
        let plain = FilterAblation.Row(name: "none", screened: 10, proxyEvaluated: 4, seconds: 100, hallOfFame: HallOfFame(entries: [
            HallOfFame.Entry(expr: expr, result: whole, generation: 0, elapsed: 90, spent: 3)]))
        let arm = FilterAblation.Row(name: "cpv-mos-hurdles", screened: 10, proxyEvaluated: 4, seconds: 100, hallOfFame: HallOfFame(entries: [
            HallOfFame.Entry(expr: expr, result: whole, generation: 0, elapsed: 30, spent: 1.5)]), spent: 2)
        let cells = FilterAblation.cells([plain, arm])
        XCTAssertEqual(cells[1], ["cpv-mos-hurdles", "10", "4", "2.00", "100.0", "50.00", "30.0", "3.0x", "1.50", "2.0x"])
        XCTAssertEqual(cells[0][3], "4.00", "without a hurdle every training is whole")
    }

    /// MOS as the proxy's first rung: each MOS training costs its fraction, and a proxy training,
    /// which goes on from it, the rest (a whole one 0.75 at a quarter; one pruned at that rung
    /// nothing more).
    func testMOSAsARungCountsItsFraction() throws {
        var o = SearchOptions(branch: .reg)
        o.mosRung = 0.25
        let store = try RunFolder(folder).create(o)
        let stats = [0.4] + Array(repeating: 0.0, count: 11)
        var pruned = EvaluationResult(status: .pruned, stats: stats, seconds: 1, reason: "below")
        pruned.rungs = [EvaluationResult.Rung(fraction: 0.25, stats: stats, hurdle: 50)]
        let whole = EvaluationResult(status: .ok, stats: [0.5] + Array(repeating: 0, count: 11), seconds: 4)
        let mos = EvaluationResult(status: .ok, stats: stats, seconds: 1)
        for (slot, (formula, proxy)) in [("e / i", nil), ("1 - i / u", whole), ("-log(i / u)", pruned)].enumerated() {
            try store.record(CandidateRecord(generation: 0, slot: slot, formula: formula, canonical: formula, origin: "random",
                                             stages: [StageRecord(stage: .mos, passed: true, reason: "", result: mos, seconds: 1)]))
            if let proxy {
                try store.record(StageRecord(stage: .proxy, passed: proxy.status == .ok, reason: proxy.reason, result: proxy, seconds: 1),
                                 generation: 0, slot: slot)
            }
        }
        let report = try RunReport(store: store)
        XCTAssertEqual(report.trainingsSpent, 3 * 0.25 + 0.75, accuracy: 1e-9)
        XCTAssertEqual(FilterAblation.Row(name: "cpv-mos", report: report).spent, 1.5, accuracy: 1e-9)
        XCTAssertEqual(Funnel.cost(of: pruned, stage: .proxy, options: o), 0)
        o.mosSeeds = 2
        XCTAssertEqual(Funnel.cost(of: mos, stage: .mos, options: o), 0.5)
        o.usesMOS = false
        XCTAssertEqual(Funnel.cost(of: whole, stage: .proxy, options: o), 1, "no MOS: the proxy training is whole")
    }

    /// Whole trainings to every arm's best AP: levels ascending, one per distinct best (named by
    /// the first arm holding it); an arm that never reached a level shows "-".
    func testTrainingsToEachArmsBest() throws {
        func row(_ name: String, _ found: [(String, Double, Double)]) throws -> FilterAblation.Row {
            let entries = try found.map { formula, ap, spent in
                HallOfFame.Entry(expr: try Expr.parse(formula, branch: .reg),
                                 result: EvaluationResult(status: .ok, stats: [ap] + Array(repeating: 0, count: 11), seconds: 1),
                                 generation: 0, elapsed: spent * 100, spent: spent)
            }
            return FilterAblation.Row(name: name, screened: 10, proxyEvaluated: 10, seconds: 1000, hallOfFame: HallOfFame(entries: entries))
        }
        let rows = [try row("none", [("1 - i / u", 0.50, 2), ("-log(i / u)", 0.55, 6)]),
                    try row("cpv", [("1 - i / u", 0.55, 3), ("-log(i / u)", 0.60, 9)]),
                    try row("cpv-mos", [("1 - i / u", 0.52, 1), ("-log(i / u)", 0.60, 4)])]
        let (header, cells) = FilterAblation.levels(rows)
        XCTAssertEqual(header, ["arm", "55.00 (none)", "60.00 (cpv)"])
        XCTAssertEqual(cells, [["none", "6.00", "-"], ["cpv", "3.00", "9.00"], ["cpv-mos", "4.00", "4.00"]])
        let text = FilterAblation(options: SearchOptions(branch: .reg), folder: folder).table(rows)
        XCTAssertTrue(text.contains("Whole proxy trainings to each arm's best AP"), text)
        XCTAssertTrue(text.contains("cpv-mos                  4.00         4.00"), text)
    }
}
