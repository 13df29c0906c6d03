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
            XCTAssertEqual($0 as? SearchError, .storeExists(path: path), "\($0)")
        }
        let text = folder.appendingPathComponent("notes.txt").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunStore(opening: text)) { XCTAssertTrue("\($0)".contains("is not a run store"), "\($0)") }
        XCTAssertEqual(try String(contentsOfFile: text, encoding: .utf8), "hello", "nothing overwritten")
        XCTAssertThrowsError(try RunStore(opening: folder.appendingPathComponent("missing.sqlite").path))
    }

    /// A run killed while its store was being written leaves either no folder, or a folder with
    /// nothing but the store's draft (here an empty one, as SQLite leaves it before it writes a
    /// byte): resuming it says to start again, and starting again in that folder works. A
    /// store's file is never empty or without its configuration.
    func testAStoreStoppedWhileBeingWrittenIsStartedAgain() throws {
        let run = RunFolder(folder.appendingPathComponent("run"))
        try FileManager.default.createDirectory(at: run.url, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: RunStore.draftPath(run.storePath), contents: Data())
        XCTAssertThrowsError(try run.open()) {
            XCTAssertEqual("\($0)", "\(SearchError.notAStore(path: run.storePath, reason: "no such file: the run was stopped before its store was written; start it again with the same command"))")
        }
        var options = SearchOptions(branch: .reg)
        options.seed = 11
        _ = try run.create(options)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run.url.path).filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") },
                       [RunFolder.storeName], "the draft became the store")
        XCTAssertEqual(try run.open(readOnly: true).options(), options)
        // A folder holding anything else is not taken for a new run.
        let other = RunFolder(folder.appendingPathComponent("other"))
        try FileManager.default.createDirectory(at: other.url, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: other.url.appendingPathComponent("notes.txt").path, contents: Data("mine".utf8))
        XCTAssertThrowsError(try other.create(options)) { XCTAssertEqual($0 as? SearchError, .storeExists(path: other.url.path)) }
        XCTAssertThrowsError(try other.open()) { XCTAssertEqual("\($0)", "\(SearchError.notAStore(path: other.storePath, reason: "no such file"))") }
    }

    /// Schema 3 gives stage and baseline rows the time they were first recorded (the report's
    /// clock). A schema 2 store is left as it is by a reader (no times) and migrated by a writer:
    /// its old rows keep no time, new rows get one, a row written again keeps its first.
    func testSchema2StoresGetTimesWhenWritten() throws {
        let path = folder.appendingPathComponent("run.sqlite").path
        let store = try RunStore(creating: path, options: SearchOptions(branch: .reg))
        try store.record(CandidateRecord(generation: 0, slot: 0, formula: "1 - i / u", canonical: "1 - i / u", origin: "seed",
                                         stages: [StageRecord(stage: .cpv, passed: false, reason: "r", seconds: 0)]))
        try store.db.write { db in
            try db.execute(sql: """
                ALTER TABLE stages DROP COLUMN finished_at; ALTER TABLE baselines DROP COLUMN finished_at;
                UPDATE meta SET value = '2' WHERE key = 'schema_version'
                """)
        }
        func version(_ s: RunStore) throws -> String? {
            try s.db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'") }
        }
        let reader = try RunStore(opening: path, readOnly: true)
        XCTAssertEqual(try reader.stageTimes(), [])
        XCTAssertEqual(try version(reader), "2")
        XCTAssertEqual(try reader.candidates().count, 1)

        let writer = try RunStore(opening: path)
        XCTAssertEqual(try version(writer), "3")
        XCTAssertEqual(try writer.stageTimes(), [], "rows recorded before the migration have no time")
        let proxy = EvaluationResult(status: .ok, stats: Array(repeating: 0.3, count: 12), seconds: 9)
        try writer.record(StageRecord(stage: .proxy, passed: true, reason: "", result: proxy, seconds: 9), generation: 0, slot: 1)
        let first = try XCTUnwrap(writer.stageTimes().first)
        XCTAssertEqual(first.stage, .proxy)
        XCTAssertEqual(first.finishedAt, Date().timeIntervalSince1970, accuracy: 60)
        Thread.sleep(forTimeInterval: 0.01)
        try writer.record(StageRecord(stage: .proxy, passed: true, reason: "", result: proxy, seconds: 9), generation: 0, slot: 1)
        XCTAssertEqual(try writer.stageTimes(), [first], "written again, it keeps its first time")
    }
}
