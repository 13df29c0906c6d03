import Foundation
import XCTest

/// Issue 36 on a real single-node Slurm (`SlurmSupport`): the asynchronous schedule keeps its
/// 16 job slots filled while it has trainings to start (a job queued or running holds a slot;
/// the node has fewer CPUs, so most wait in the queue: the slots, not the node, are measured);
/// SIGINT leaves no job of the run behind; a search killed outright adopts its running jobs on
/// resume (not submitted again) and ends with a hall of fame.
final class AsyncSlurmTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-aslurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SlurmSupport.requireSlurm()
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testAnAsyncSearchKeepsItsSixteenSlotsBusy() throws {
        let out = folder.appendingPathComponent("busy").path
        let r = try CLI.run(["search", "--branch", "softmax", "--evaluator", "simulation", "--schedule", "async", "--executor", "slurm",
                             "--jobs", "16", "--generations", "8", "--population", "16", "--top-k", "4", "--seed", "2", "--json", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let done = try XCTUnwrap(r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.last { $0["event"] as? String == "done" })
        XCTAssertFalse((done["hall_of_fame"] as? [Any] ?? []).isEmpty)
        let busy = try XCTUnwrap(done["utilisation_while_starting"] as? Double, "\(done)")
        XCTAssertGreaterThanOrEqual(busy, 0.9, "slots busy between the first submission and the last")
    }

    /// The command logs each training as it starts, pauses, and writes an AP from the formula's
    /// length.
    func search(_ name: String) -> (arguments: [String], log: String, out: String) {
        let log = folder.appendingPathComponent("\(name).log").path, out = folder.appendingPathComponent(name).path
        let command = "echo $AUTOLOSS_STAGE \"$(cat formula.txt)\" >> \(log); sleep 3; " +
            #"n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#
        return (["search", "--branch", "reg", "--schedule", "async", "--generations", "2", "--population", "4", "--top-k", "1", "--seed", "4",
                 "--command", command, "--executor", "slurm", "--jobs", "4", "--out", out], log, out)
    }

    func lines(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The (stage, formula) lines of this run's jobs that Slurm runs now and whose command has
    /// begun (its line is in the log).
    func runningTrainings(_ out: String, log: String) -> [String] {
        let evaluations = URL(fileURLWithPath: out).appendingPathComponent("evaluations")
        return ((try? FileManager.default.contentsOfDirectory(atPath: evaluations.path)) ?? []).compactMap { dir in
            guard let id = try? String(contentsOf: evaluations.appendingPathComponent("\(dir)/slurm.job"), encoding: .utf8),
                  let formula = try? String(contentsOf: evaluations.appendingPathComponent("\(dir)/formula.txt"), encoding: .utf8) else { return nil }
            let line = "\(dir.hasPrefix("mos-") ? "mos" : "proxy") \(formula.trimmingCharacters(in: .whitespacesAndNewlines))"
            let job = id.trimmingCharacters(in: .whitespacesAndNewlines)
            guard lines(log).contains(line), SlurmSupport.run(["squeue", "-h", "-t", "RUNNING", "-j", job]).out.contains(job) else { return nil }
            return line
        }
    }

    func testSIGINTLeavesNoJobAndAKilledSearchAdoptsItsJobsOnResume() throws {
        let run = search("async")
        // Ctrl-C while jobs run: exit 130, none of the run's jobs left queued.
        var process = try CLI.start(run.arguments)
        XCTAssertTrue(SlurmSupport.wait(90) { !runningTrainings(run.out, log: run.log).isEmpty })
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertTrue(SlurmSupport.wait(10) { !SlurmSupport.queuedJobNames().contains { $0.contains("-async-") } },
                      "\(SlurmSupport.queuedJobNames())")
        // Resumed, then SIGKILL while its jobs run: they outlive it.
        process = try CLI.start(["search", "--resume", run.out])
        var running: [String] = []
        XCTAssertTrue(SlurmSupport.wait(90) {
            running = runningTrainings(run.out, log: run.log)
            return !running.isEmpty
        })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = lines(run.log)
        // Resumed again: it adopts them (their commands do not start again) and ends.
        let resumed = try CLI.run(["search", "--resume", run.out])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let after = lines(run.log)
        for line in running {
            XCTAssertEqual(after.filter { $0 == line }.count, before.filter { $0 == line }.count, "\(line) adopted, not run again")
        }
        let fame = try String(contentsOfFile: run.out + "/hall-of-fame.json", encoding: .utf8)
        XCTAssertTrue(fame.contains("formula"), fame)
    }
}

/// The asynchronous schedule through the command line, without Slurm: the filter ablation runs
/// its arms on it, each spending the budget, and the report reads its runs.
final class AsyncCommandTests: XCTestCase {
    func testTheAblationAndTheReportWorkWithTheAsyncSchedule() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-acmd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("ablation").path
        let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--schedule", "async", "--jobs", "3", "--ablate",
                             "--max-evals", "3", "--generations", "10", "--population", "4", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        try CLI.assertEachArmSpends("3", out: out)
        let report = try CLI.run(["report", out + "/cpv-mos"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("async"), "the report names the schedule: \(report.stdout.prefix(600))")
    }
}
