import Foundation
import XCTest

/// The Slurm executor against a real single-node Slurm (`SlurmSupport`): a search whose
/// evaluations run as Slurm jobs ends with the hall of fame of the same search run locally, with
/// an external command and with the built-in detector (each job runs `autoloss evaluate`).
final class SlurmIntegrationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SlurmSupport.requireSlurm()
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// The hall of fame of a one-generation search run into folder `name`.
    func search(_ name: String, _ options: [String]) throws -> String {
        let out = folder.appendingPathComponent(name).path
        let r = try CLI.run(["search", "--branch", "reg", "--generations", "1", "--population", "3", "--top-k", "1", "--seed", "3",
                             "--out", out] + options)
        XCTAssertEqual(r.status, 0, name + ": " + r.stderr + r.stdout)
        return try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8)
    }

    func testASearchThroughSlurmEndsAsTheLocalOne() throws {
        // Deterministic: AP from the formula's length.
        let evaluator = ["--command", #"n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#]
        let local = try search("local", evaluator)
        let slurm = try search("slurm", evaluator + ["--executor", "slurm", "--jobs", "2"])
        XCTAssertEqual(slurm, local)
        // The jobs ran under Slurm: each evaluation folder holds its job's output file.
        let evaluations = folder.appendingPathComponent("slurm/evaluations")
        let logs = try FileManager.default.contentsOfDirectory(at: evaluations, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix("slurm-") }.flatMap {  // an array's own log sits beside the folders
                try FileManager.default.contentsOfDirectory(atPath: $0.path).filter { $0.hasPrefix("slurm-") && $0.hasSuffix(".out") }
            }
        XCTAssertFalse(logs.isEmpty, "no slurm-JOBID.out in the evaluation folders")
        // Job ids reach search.log (and the store, with each result).
        let log = try String(contentsOfFile: folder.appendingPathComponent("slurm/search.log").path, encoding: .utf8)
        XCTAssertTrue(log.contains("(Slurm job "), log)
    }

    /// `confirm` through Slurm, its batches as job arrays, prints the table it prints locally.
    func testAConfirmationThroughSlurmEndsAsTheLocalOne() throws {
        let script = folder.appendingPathComponent("train.py")
        try ConfirmCommandTests.evaluator.write(to: script, atomically: true, encoding: .utf8)
        func confirm(_ name: String, _ extra: [String]) throws -> String {
            let r = try CLI.run(["confirm", "--mode", "softmax", "--losses", "cse-a-cls", "--evaluator", "external", "--command", "python3 \(script.path)",
                                 "--weights", "1,2", "--fixed-grid", "--seeds", "1,2", "--horizons", "1,2",
                                 "--out", folder.appendingPathComponent(name).path] + extra)
            XCTAssertEqual(r.status, 0, name + ": " + r.stderr)
            return r.stdout
        }
        let local = try confirm("local", [])
        XCTAssertEqual(try confirm("slurm", ["--executor", "slurm", "--jobs", "2"]), local)
        let evaluations = folder.appendingPathComponent("slurm/evaluations")
        let arrays = try FileManager.default.contentsOfDirectory(atPath: evaluations.path).filter { $0.hasPrefix("slurm-") && $0.hasSuffix(".log") }
        XCTAssertFalse(arrays.isEmpty, "the tuning's batches go as job arrays")
    }

    /// The built-in proxy detector on Slurm: each job runs the worker on its candidate folder.
    func testADetectorSearchThroughSlurmEndsAsTheLocalOne() throws {
        let data = folder.appendingPathComponent("shapes").path
        XCTAssertEqual(try CLI.run(["data", "shapes", "--out", data, "--train", "6", "--val", "3", "--size", "64"]).status, 0)
        let detector = ["--data", data, "--schedule-scale", "0.05", "--no-mos"]
        let local = try search("local", detector)
        let slurm = try search("slurm", detector + ["--executor", "slurm", "--jobs", "2"])
        XCTAssertEqual(slurm, local)
        let evaluations = folder.appendingPathComponent("slurm/evaluations")
        let folders = try FileManager.default.contentsOfDirectory(atPath: evaluations.path).filter { !$0.hasPrefix("slurm-") }
        let meta = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: evaluations.appendingPathComponent("\(folders[0])/candidate.json"))) as? [String: Any])
        XCTAssertNotNil((meta["evaluator"] as? [String: Any])?["detector"], "\(meta)")
    }
}
