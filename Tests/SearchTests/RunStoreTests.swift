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
        let store = try RunStore(creating: path, config: Data(#"{"seed": 3}"#.utf8))
        try store.record(CandidateRecord(generation: 0, slot: 1, formula: "1 - i / u", canonical: "1 - i / u", fingerprint: "ab12",
                                         parents: [], origin: "seed"))
        try store.record(StageRecord(stage: .cpv, passed: true, reason: "", seconds: 0.001), generation: 0, slot: 1)
        try store.record(StageRecord(stage: .proxy, passed: true, reason: "", figures: ["ap": 31.5, "ap50": 50.25], seconds: 90),
                         generation: 0, slot: 1)
        try store.recordBaseline(name: "giou", stage: .mos, figures: ["ap": 12], seconds: 20)

        let reopened = try RunStore(opening: path)
        XCTAssertEqual(String(decoding: try reopened.config(), as: UTF8.self), #"{"seed": 3}"#)
        let all = try reopened.candidates()
        XCTAssertEqual(all.count, 1)
        XCTAssertEqual(all[0].stages.map(\.stage), [.cpv, .proxy])
        XCTAssertEqual(all[0].stages[1].figures, ["ap": 31.5, "ap50": 50.25])
        XCTAssertEqual(try reopened.baseline(name: "giou", stage: .mos), ["ap": 12])
    }

    func testRefusesToOverwriteOrOpenForeignFiles() throws {
        let path = folder.appendingPathComponent("run.sqlite").path
        _ = try RunStore(creating: path, config: Data("{}".utf8))
        XCTAssertThrowsError(try RunStore(creating: path, config: Data("{}".utf8))) {
            XCTAssertTrue("\($0)".contains("exists: choose a new --out folder"), "\($0)")
        }
        let text = folder.appendingPathComponent("notes.txt").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunStore(opening: text)) { XCTAssertTrue("\($0)".contains("is not a run store"), "\($0)") }
        XCTAssertEqual(try String(contentsOfFile: text, encoding: .utf8), "hello", "nothing overwritten")
        XCTAssertThrowsError(try RunStore(opening: folder.appendingPathComponent("missing.sqlite").path))
    }
}
