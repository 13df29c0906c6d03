import Foundation
import XCTest
import Search

/// Behaviour kept through refactors: the hall of fame of a short simulation search per branch,
/// recorded by the autoloss of ac84ee0 (before the redesign of issue 13), must come out byte for
/// byte; and a run folder written by that autoloss (schema 1, kept as a fixture) still reports
/// and resumes to the hall of fame of an uninterrupted run.
final class GoldenSearchTests: XCTestCase {
    var folder: URL!
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-golden-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func golden(_ branch: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent("golden/simulation-\(branch)-g4-s11.json"), encoding: .utf8)
    }

    func testSimulationSearchesGiveTheRecordedHallOfFame() throws {
        for branch in ["softmax", "sigmoid", "reg"] {
            let out = folder.appendingPathComponent(branch).path
            let r = try CLI.run(["search", "--branch", branch, "--evaluator", "simulation", "--generations", "4", "--seed", "11", "--out", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8), try golden(branch), branch)
        }
    }

    /// `report --json` of an old run folder ranks its hall of fame as its search wrote it; its
    /// JSON object.
    func reportRanksAsWritten(_ run: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let report = try CLI.run(["report", run.path, "--json"])
        XCTAssertEqual(report.status, 0, report.stderr, file: file, line: line)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let ranked = try XCTUnwrap(object["hall_of_fame"] as? [[String: Any]]).map { $0["formula"] as? String }
        let written = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("hall-of-fame.json"))) as? [[String: Any]])
        XCTAssertEqual(ranked, written.map { $0["formula"] as? String }, "report ranks the old run as its search did", file: file, line: line)
        return object
    }

    /// The fixture is the same reg search stopped after 2 of the 4 generations: resumed with
    /// `--generations 4`, it ends where the uninterrupted 4-generation run ends.
    func testARunFolderOfTheFirstSchemaReportsAndResumes() throws {
        let run = folder.appendingPathComponent("old-run")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("schema1-reg-run"), to: run)
        let object = try reportRanksAsWritten(run)
        XCTAssertEqual(object["baseline_ap"] as? Double, 82.6953125)

        let resumed = try CLI.run(["search", "--resume", run.path, "--generations", "4"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try String(contentsOf: run.appendingPathComponent("hall-of-fame.json"), encoding: .utf8), try golden("reg"))
    }

    /// A run folder that main wrote before candidate.json became an `EvaluationRequest` (an
    /// external evaluator's reg search, population 4, top-K 2, seed 11, stopped after 2 of 3
    /// generations; its evaluation folders hold candidate.json without a schema): it reports,
    /// and resumed with `--generations 3` it ends where an uninterrupted 3-generation run of
    /// this autoloss ends, its new evaluations written with the schema beside the old ones.
    func testARunFolderOfTheEvaluationRequestsPredecessorReportsAndResumes() throws {
        let run = folder.appendingPathComponent("main-run"), fresh = folder.appendingPathComponent("fresh")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("main-2026-11-29-external-reg"), to: run)
        _ = try reportRanksAsWritten(run)

        let command = #"n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 80 + 10))}" > result.json"#
        let resumed = try CLI.run(["search", "--resume", run.path, "--generations", "3"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let uninterrupted = try CLI.run(["search", "--branch", "reg", "--evaluator", "external", "--command", command, "--population", "4",
                                         "--top-k", "2", "--generations", "3", "--seed", "11", "--out", fresh.path])
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.stderr)
        XCTAssertEqual(try String(contentsOf: run.appendingPathComponent("hall-of-fame.json"), encoding: .utf8),
                       try String(contentsOf: fresh.appendingPathComponent("hall-of-fame.json"), encoding: .utf8))
        let evaluations = run.appendingPathComponent("evaluations")
        let schemas = try FileManager.default.contentsOfDirectory(atPath: evaluations.path).map { name in
            let data = try Data(contentsOf: evaluations.appendingPathComponent(name).appendingPathComponent("candidate.json"))
            return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["schema"] as? Int
        }
        XCTAssertEqual(schemas.filter { $0 == nil }.count, 12, "the old run's evaluations stay as they were")
        // A search's requests carry no confirmation setting: written at schema 2, the oldest that holds them.
        XCTAssertEqual(schemas.filter { $0 == 2 }.count, 6, "the third generation's, written by this autoloss")
    }
}
