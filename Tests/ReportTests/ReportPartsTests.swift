import Foundation
import LossLanguage
@testable import Report
import Search
import XCTest

/// The parts of the HTML report: MathML, the landscapes' numbers, the clock, the Pareto front,
/// the page of a store without times. (The page drawn by Chromium: autolossTests' ReportPageTests.)
final class ReportPartsTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-report-parts-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testMathMLTypesetsTheTree() throws {
        XCTAssertEqual(try Expr.parse("1 - i / u", branch: .reg).mathML,
                       "<math display=\"inline\"><mrow><mn>1</mn><mo>−</mo><mfrac><mrow><mi>i</mi></mrow><mrow><mi>u</mi></mrow></mfrac></mrow></math>")
        XCTAssertEqual(try Expr.parse("-dot(y, log(softmax(x)))", branch: .softmax).mathML,
                       "<math display=\"inline\"><mrow><mo>−</mo><mrow><mo>⟨</mo><mi>y</mi><mo>,</mo><mrow><mi>log</mi><mo>&#x2061;</mo>"
                       + "<mrow><mo>(</mo><mrow><mi>softmax</mi><mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow><mo>)</mo></mrow></mrow><mo>⟩</mo></mrow></mrow></math>")
        // Parentheses where the tree needs them, none elsewhere.
        XCTAssertEqual(try Expr.parse("(1 - sigmoid(x)) * y", branch: .sigmoid).mathML,
                       "<math display=\"inline\"><mrow><mrow><mo>(</mo><mrow><mn>1</mn><mo>−</mo><mrow><mi>σ</mi><mo>&#x2061;</mo>"
                       + "<mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow></mrow><mo>)</mo></mrow><mo>·</mo><mi>y</mi></mrow></math>")
        XCTAssertEqual(try Expr.parse("sqrt(exp(x))", branch: .sigmoid).mathML,
                       "<math display=\"inline\"><msqrt><msup><mi>e</mi><mrow><mi>x</mi></mrow></msup></msqrt></math>")
    }

    /// The landscapes are the known losses' values: CE and BCE are -log p_t at any w; GIoU along
    /// the path is 1 - IoU + (e - u) / e with the boxes' areas.
    func testLandscapesAreTheLossesValues() throws {
        for branch in [Branch.softmax, .sigmoid] {
            let loss = try KnownLoss(name: branch == .softmax ? "ce" : "bce")!.expr(branch: branch)
            let landscape = LossLandscape(branch: branch, losses: [.init(label: "ce", role: .baseline, expr: loss)])
            XCTAssertEqual(landscape.panels.count, LossLandscape.ious.count)
            for panel in landscape.panels {
                for p in panel.curves[0].points { XCTAssertEqual(p.y, -log(p.x), accuracy: 1e-9, "\(branch) at p_t \(p.x)") }
            }
        }
        let giou = try KnownLoss(name: "giou")!.expr(branch: .reg)
        let reg = LossLandscape(branch: .reg, losses: [.init(label: "giou", role: .baseline, expr: giou)])
        for p in reg.panels[0].curves[0].points {
            // Same-size squares side by side: e = 100 (100 + d), u = 2 * 100^2 - i.
            let d = 100 * (1 - p.x) / (1 + p.x)
            let e = 100 * (100 + d), u = 20_000 - 100 * (100 - d)
            XCTAssertEqual(p.y, 1 - p.x + (e - u) / e, accuracy: 1e-6, "IoU \(p.x)")
        }
        let listed = LossLandscape.losses(top: [giou], baseline: ("iou", try KnownLoss(name: "iou")!.expr(branch: .reg)), branch: .reg)
        XCTAssertEqual(listed.map(\.label), ["rank 1", "baseline iou", "cse-a-reg", "cse-b-reg"])
    }

    func store(times: Bool) throws -> RunStore {
        var o = SearchOptions(branch: .reg)
        o.generations = 2
        let store = try RunFolder(folder).create(o)
        let start = Date(timeIntervalSince1970: 1_000_000)
        if times { try store.markStarted(at: start) }
        for (g, slot, formula, ap) in [(0, 0, "1 - i / u", 0.30), (0, 1, "1 - i / u + (e - u) / e + 1 - i / u", 0.40),
                                       (1, 0, "-log(i / u)", 0.35), (1, 1, "1 - i / u + (e - u) / e", 0.40)] {
            let result = EvaluationResult(status: .ok, stats: [ap, ap, ap] + Array(repeating: 0, count: 9), seconds: 10)
            try store.record(CandidateRecord(generation: g, slot: slot, formula: formula, canonical: formula, origin: "seed",
                                             stages: [StageRecord(stage: .equivalence, passed: true, reason: "", seconds: 0)]))
            try store.record(StageRecord(stage: .proxy, passed: true, reason: "", result: result, seconds: 10), generation: g, slot: slot)
        }
        return store
    }

    /// Complexity against AP: the front keeps the smallest formula of each better AP; the best AP
    /// over time steps up at each better one.
    func testParetoFront() throws {
        let report = try RunReport(store: store(times: true))
        // Sizes 5 (AP 30 and 35), 11 (AP 40) and 17 (AP 40): the smaller of each better AP.
        XCTAssertEqual(report.paretoFront.map(\.formula), ["-log(i / u)", "1 - i / u + (e - u) / e"])
        XCTAssertEqual(report.paretoFront.map(\.size), [5, 11])
        XCTAssertEqual(report.bestOverTime.map(\.ap), [30, 40])
    }

    /// A store with times runs on the wall clock from the search's start; one without (a
    /// schema 2 store) on cumulative training seconds.
    func testTheClock() throws {
        let timed = try RunReport(store: store(times: true))
        XCTAssertTrue(timed.clock.isWallClock)
        let now = Date().timeIntervalSince1970 - 1_000_000
        XCTAssertEqual(timed.proxyPoints.first!.elapsed, now, accuracy: 60)
        XCTAssertEqual(timed.generationFunnels.map(\.counts), [[0, 0, 0, 0, 0, 0, 2], [0, 0, 0, 0, 0, 0, 2]])

        let untimed = RunClock(candidates: timed.candidates, times: [], baselineSeconds: 5)
        XCTAssertFalse(untimed.isWallClock)
        XCTAssertEqual(untimed.elapsed(generation: 0, slot: 0, stage: .proxy), 15)
        XCTAssertEqual(untimed.elapsed(generation: 1, slot: 1, stage: .proxy), 45)
        XCTAssertEqual(untimed.generationSeconds, [0: 20, 1: 20])
    }

    /// The page is made from the store alone, for a run still without proxy results too; the
    /// schema 1 fixture's (no times) says so on its time axis.
    func testThePageOfAnyStore() throws {
        let store = try store(times: false)
        let html = try ReportPage(folder: folder).html()
        XCTAssertTrue(html.contains("data-chart=\"best-ap\""))
        XCTAssertTrue(html.contains("id=\"hall-of-fame\""))
        XCTAssertFalse(html.contains("<script"), "no script")
        XCTAssertFalse(html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"), "nothing fetched")
        _ = store

        let empty = folder.appendingPathComponent("empty")
        _ = try RunFolder(empty).create(SearchOptions(branch: .sigmoid))
        let page = try ReportPage(folder: empty).html()
        XCTAssertTrue(page.contains("No candidate has a proxy AP yet."))
        XCTAssertThrowsError(try ReportPage(folder: folder.appendingPathComponent("nothing")).html())
    }
}
