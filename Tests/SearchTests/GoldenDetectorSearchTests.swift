import Detection
import Foundation
import LossLanguage
import Search
import XCTest

/// Behaviour kept through refactors: a short detector search (tiny schedules on the shapes
/// scenes) gives the hall of fame recorded by the autoloss of ac84ee0, before the redesign of
/// issue 13, number for number, but one: the AP50 of the seeded baseline (generation 0), which
/// ac84ee0 read back from its store through JSONSerialization, 1 ulp off (4.1455530168401467);
/// the store now keeps results as Codable values, read back exactly (4.1455530168401458, the
/// training's own number).
///
/// oneDNN picks its kernels by the processor's vector width; at these sizes the record came out
/// the same on AVX-512 and with DNNL_MAX_CPU_ISA=AVX2 (what an AVX2 processor runs).
final class GoldenDetectorSearchTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func tinyEvaluator() -> DetectorEvaluator {
        let evaluator = DetectorEvaluator(data: "shapes")
        for stage in TrainingStage.allCases {
            var s = TrainingSchedule(size: 64, batchSize: 3, epochs: 2, learningRate: 0.01)
            s.trainImages = 12
            s.evalImages = 3
            s.evaluateOn = .train
            evaluator.schedules[stage] = s
        }
        return evaluator
    }

    /// The run as text: baselines, then the hall of fame (AP to 17 digits, generation, formula).
    static func text(of summary: SearchSummary) -> String {
        func number(_ v: Double?) -> String { v.map { String(format: "%.17g", $0) } ?? "-" }
        var lines = ["baseline mos \(number(summary.baselineMOS?.ap)) proxy \(number(summary.baselineProxy?.ap))"]
        for e in summary.hallOfFame.top(10) {
            lines.append("\(number(e.result.ap)) \(number(e.result.figures["ap50"])) gen \(e.generation) \(e.expr.infix)")
        }
        lines.append("generated \(summary.funnel.generated) proxy \(summary.funnel.proxyEvaluated)")
        return lines.joined(separator: "\n") + "\n"
    }

    func testATinyDetectorSearchGivesTheRecordedHallOfFame() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-golden-det-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var o = SearchOptions(branch: .sigmoid)
        o.evaluator = .detector(data: "shapes")
        o.seed = 5
        o.generations = 3
        o.population = 4
        o.topK = 2
        o.topP = 2
        let store = try RunStore(creating: folder.appendingPathComponent("run.sqlite").path, options: o)
        let summary = try Evolution(options: o, store: store, evaluator: Self.tinyEvaluator()).run()
        let text = Self.text(of: summary)
        // The seeded baseline's entry comes back from the store: the same numbers its training gave.
        let focal = try Expr.resolve("focal", branch: .sigmoid).canonicalString(in: .sigmoid)
        let entry = try XCTUnwrap(summary.hallOfFame.entries.first { $0.expr.canonicalString(in: .sigmoid) == focal })
        XCTAssertEqual(entry.result.stats, summary.baselineProxy?.stats)
        let recorded = Self.fixtures.appendingPathComponent("golden-detector-sigmoid.txt")
        if ProcessInfo.processInfo.environment["AUTOLOSS_RECORD_GOLDEN"] == "1" {
            try text.write(to: recorded, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(text, try String(contentsOf: recorded, encoding: .utf8))
    }

}
