import Foundation
import XCTest

/// The Slurm executor against a real single-node Slurm (.ci/run starts one with
/// scripts/slurm_local.sh): a search whose evaluations run as Slurm jobs ends with the hall of
/// fame of the same search run locally. Where no Slurm answers, the test is skipped with a
/// message, except in CI (CI=true), where that is a failure.
final class SlurmIntegrationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sinfo = Process()
        sinfo.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sinfo.arguments = ["sinfo", "-h", "-o", "%t"]
        let out = Pipe()
        sinfo.standardOutput = out
        sinfo.standardError = FileHandle.nullDevice
        var up = false
        if (try? sinfo.run()) != nil {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            sinfo.waitUntilExit()
            up = sinfo.terminationStatus == 0 && text.contains("idle")
        }
        if !up {
            let message = "no Slurm answers here (sinfo shows no idle node): start one with `bash scripts/slurm_local.sh start` (as root)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message); throw XCTSkip("failed: " + message) }
            throw XCTSkip(message)
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testASearchThroughSlurmEndsAsTheLocalOne() throws {
        // Deterministic: AP from the formula's length.
        let evaluator = #"n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#
        func search(_ name: String, _ extra: [String]) throws -> String {
            let out = folder.appendingPathComponent(name).path
            let r = try CLI.run(["search", "--branch", "reg", "--generations", "1", "--population", "2", "--top-k", "1", "--seed", "3",
                                 "--command", evaluator, "--out", out] + extra)
            XCTAssertEqual(r.status, 0, name + ": " + r.stderr + r.stdout)
            return try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8)
        }
        let local = try search("local", [])
        let slurm = try search("slurm", ["--executor", "slurm", "--jobs", "2"])
        XCTAssertEqual(slurm, local)
        // The jobs ran under Slurm: each evaluation folder holds its job's output file.
        let evaluations = folder.appendingPathComponent("slurm/evaluations")
        let logs = try FileManager.default.contentsOfDirectory(at: evaluations, includingPropertiesForKeys: nil).flatMap {
            try FileManager.default.contentsOfDirectory(atPath: $0.path).filter { $0.hasPrefix("slurm-") && $0.hasSuffix(".out") }
        }
        XCTAssertFalse(logs.isEmpty, "no slurm-JOBID.out in the evaluation folders")
    }
}
