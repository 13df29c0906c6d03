import Foundation
import XCTest

/// A signal in a later arm of the filter ablation stops it as in the first: each arm's search
/// takes the signals over (a regression: the second arm's search once missed them). The stopped
/// ablation goes on with `search --resume`: the interrupted arm from where it stopped, the arms
/// after it, and the table of all of them.
final class AblationInterruptTests: XCTestCase {
    func testASignalInTheSecondArmStopsTheAblation() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-ablation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["search", "--branch", "reg", "--ablate", "--max-evals", "6", "--generations", "50", "--population", "4",
                             "--command", #"sleep 0.5; echo '{"status": "ok", "ap": 0.5}' > result.json"#, "--out", out.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        func inSecondArm() -> Bool {
            let parts = seen.components(separatedBy: "== arm: cpv\n")
            return parts.count == 2 && parts[1].contains("] started")
        }
        while !inSecondArm() && Date() < deadline {
            seen += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGINT)
        seen += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("stopping: no new training starts"), stderr)
        XCTAssertFalse(seen.contains("== arm: cpv-mos"), "the ablation went on to the next arm")
        let table = out.appendingPathComponent("ablation.txt")
        XCTAssertEqual(try rows(table).map(\.first), ["none"], "the table of the arm that ended")
        let firstArm = try XCTUnwrap(try rows(table).first)

        let resumed = try CLI.run(["search", "--resume", out.path])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("== arm: cpv-mos\n"), resumed.stdout)
        let all = try rows(table)
        XCTAssertEqual(all.map(\.first), ["none", "cpv", "cpv-mos"])
        for row in all { XCTAssertEqual(row[2], "6", "each arm spends the budget: \(row)") }
        XCTAssertEqual(all[0][1], firstArm[1], "the arm that had ended screened nothing more")
    }

    /// The ablation table's rows, split into cells.
    func rows(_ table: URL) throws -> [[String]] {
        CLI.ablationTable(try String(contentsOf: table, encoding: .utf8)).split(separator: "\n")
            .filter { line in ["none ", "cpv ", "cpv-mos "].contains { line.hasPrefix($0) } }
            .map { $0.split(separator: " ").map(String.init) }
    }
}
