import Foundation
import XCTest
@testable import Search

final class RunStoreTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testRecordsSurviveReopening() throws {
        let path = folder.appendingPathComponent("run.sqlite").path
        var options = SearchOptions(branch: .reg)
        options.seed = 3
        options.evaluator = .external(command: "train.sh {dir}")
        options.executor = .slurm(arguments: ["--gres=gpu:1"], jobs: 4)
        let store = try RunStore(creating: path, options: options)
        try store.record(CandidateRecord(generation: 0, slot: 1, formula: "1 - i / u", canonical: "1 - i / u", fingerprint: "ab12",
                                         parents: [], origin: "seed"))
        try store.record(StageRecord(stage: .cpv, passed: true, reason: "", seconds: 0.001), generation: 0, slot: 1)
        let proxy = EvaluationResult(status: .ok, stats: [0.375, 0.5, -1] + Array(repeating: 0.1, count: 9), seconds: 90)
        try store.record(StageRecord(stage: .proxy, passed: true, reason: "", result: proxy, seconds: 90), generation: 0, slot: 1)
        let mos = EvaluationResult(status: .failed, seconds: 20, reason: "CUDA out of memory")
        try store.recordBaseline(name: "giou", stage: .mos, result: mos)

        let reopened = try RunStore(opening: path)
        XCTAssertEqual(try reopened.options(), options)
        let all = try reopened.candidates()
        XCTAssertEqual(all.count, 1)
        XCTAssertEqual(all[0].stages.map(\.stage), [.cpv, .proxy])
        XCTAssertEqual(all[0].stages[1].result, proxy)
        XCTAssertEqual(all[0].stages[1].figures, ["ap": 37.5, "ap50": 50])
        XCTAssertNil(all[0].stages[0].result)
        XCTAssertEqual(try reopened.baseline(name: "giou", stage: .mos), mos)
        XCTAssertEqual(try reopened.result(.baseline(name: "giou"), stage: .mos), mos)
        XCTAssertEqual(try reopened.result(.candidate(canonical: "1 - i / u"), stage: .proxy), proxy)
        XCTAssertNil(try reopened.result(.candidate(canonical: "1 - i / u"), stage: .mos))
    }

    func testRefusesToOverwriteOrOpenForeignFiles() throws {
        let path = folder.appendingPathComponent("run.sqlite").path
        _ = try RunStore(creating: path, options: SearchOptions(branch: .reg))
        XCTAssertThrowsError(try RunStore(creating: path, options: SearchOptions(branch: .reg))) {
            XCTAssertTrue("\($0)".contains("exists: choose a new --out folder"), "\($0)")
        }
        let text = folder.appendingPathComponent("notes.txt").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunStore(opening: text)) { XCTAssertTrue("\($0)".contains("is not a run store"), "\($0)") }
        XCTAssertEqual(try String(contentsOfFile: text, encoding: .utf8), "hello", "nothing overwritten")
        XCTAssertThrowsError(try RunStore(opening: folder.appendingPathComponent("missing.sqlite").path))
    }
}
