import Foundation
import XCTest

/// A training's threads follow the cores the process may use (`taskset`, OMP_NUM_THREADS), and
/// the thread defaults autoloss sets for itself (OMP_WAIT_POLICY=passive, OMP_NUM_THREADS) do
/// not reach the commands it runs: an external trainer gets the user's environment.
final class ThreadBudgetTests: XCTestCase {
    let tiny = ["train", "--images", "4", "--epochs", "1", "--batch", "2", "--size", "64", "--eval-images", "2"]

    func threads(_ r: CLIResult) -> String? {
        r.stdout.split(separator: "\n").first { $0.hasPrefix("trained ") }.flatMap { line in
            line.range(of: #"\d+ threads?,"#, options: .regularExpression).map { String(line[$0]) }
        }
    }

    func testTheThreadsFollowTasksetAndOMPNumThreads() throws {
        let pinned = try CLI.run(URL(fileURLWithPath: "/usr/bin/taskset"), ["-c", "0", CLI.binary.path] + tiny)
        XCTAssertEqual(pinned.status, 0, pinned.stderr)
        XCTAssertEqual(threads(pinned), "1 thread,", pinned.stdout)
        let told = try CLI.run(tiny, environment: ["OMP_NUM_THREADS": "1"])
        XCTAssertEqual(threads(told), "1 thread,", told.stdout)
        guard ProcessInfo.processInfo.activeProcessorCount > 1 else { return }
        let free = try CLI.run(tiny)
        XCTAssertEqual(threads(free), "\(ProcessInfo.processInfo.activeProcessorCount) threads,", free.stdout)
    }

    func testTheCommandsRunGetTheUsersEnvironment() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let command = #"echo "${OMP_WAIT_POLICY:-unset} ${OMP_NUM_THREADS:-unset}" > env.txt; echo '{"status": "ok", "ap": 0.5}' > result.json"#
        // Neither set by the user: autoloss sets both for itself, and its command sees neither.
        let r = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["-u", "OMP_WAIT_POLICY", "-u", "OMP_NUM_THREADS", CLI.binary.path,
                                                                  "check-evaluator", "--command", command, "--stage", "proxy", "--out", folder.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let dir = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("proxy-") })
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent(dir + "/env.txt"), encoding: .utf8), "unset unset\n")
        // Set by the user: the command gets the user's values.
        let mine = try CLI.run(["check-evaluator", "--command", command, "--stage", "proxy", "--out", folder.path + "-2"],
                               environment: ["OMP_WAIT_POLICY": "active", "OMP_NUM_THREADS": "1"])
        defer { try? FileManager.default.removeItem(atPath: folder.path + "-2") }
        XCTAssertEqual(mine.status, 0, mine.stderr)
        XCTAssertEqual(try String(contentsOfFile: folder.path + "-2/" + dir + "/env.txt", encoding: .utf8), "active 1\n")
    }

    /// Trainings side by side share the cores: with two jobs each command gets half of them,
    /// although autoloss set OMP_NUM_THREADS for itself.
    func testTrainingsSideBySideShareTheCores() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-share-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let command = #"echo "${OMP_NUM_THREADS:-unset}" > env.txt; echo '{"status": "ok", "ap": 0.5}' > result.json"#
        let r = try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["-u", "OMP_NUM_THREADS", CLI.binary.path, "search", "--branch", "reg",
                                                                  "--evaluator", "external", "--command", command, "--generations", "1",
                                                                  "--population", "2", "--top-k", "1", "--jobs", "2", "--out", folder.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let evaluations = folder.appendingPathComponent("evaluations")
        let seen = try FileManager.default.contentsOfDirectory(atPath: evaluations.path).map {
            try String(contentsOf: evaluations.appendingPathComponent($0 + "/env.txt"), encoding: .utf8)
        }
        XCTAssertFalse(seen.isEmpty)
        let share = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        XCTAssertEqual(Set(seen), ["\(share)\n"])
    }
}
