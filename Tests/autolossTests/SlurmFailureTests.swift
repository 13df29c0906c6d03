import Foundation
import XCTest

/// The Slurm executor when the cluster behaves like one (`SlurmSupport`: a real single-node
/// Slurm): a job cancelled by someone else is retried, a job past its time limit is a time-out,
/// an invalid partition stops the search at the baseline with Slurm's message (and a resume with
/// a good partition mends it), SIGINT leaves no job of the run queued, and a search killed
/// outright adopts its jobs on resume instead of submitting them again.
final class SlurmFailureTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-slurmf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SlurmSupport.requireSlurm()
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// A search whose command logs each training as it starts, waits while `hold` exists,
    /// pauses, then writes an AP from the formula's length (deterministic).
    func search(_ name: String, pause: Double = 1.5, extra: [String] = []) -> (arguments: [String], log: String, out: String) {
        let log = folder.appendingPathComponent("\(name).log").path, out = folder.appendingPathComponent(name).path
        let command = "echo $AUTOLOSS_STAGE \"$(cat formula.txt)\" >> \(log); while [ -e \(hold.path) ]; do sleep 0.2; done; sleep \(pause); " +
            #"n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#
        return (["search", "--branch", "reg", "--generations", "1", "--population", "3", "--top-k", "1", "--seed", "4",
                 "--command", command, "--executor", "slurm", "--jobs", "2", "--out", out] + extra, log, out)
    }

    var hold: URL { folder.appendingPathComponent("hold") }

    func lines(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).sorted()
    }

    func hallOfFame(_ out: String) throws -> String { try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8) }

    /// The id of a job of this run that Slurm is running now (its folder's slurm.job) and whose
    /// command has begun: its line is in `log` (a job Slurm lists as running may not have
    /// started its script yet; cancelled then, it would log only once, when run again).
    func runningJob(_ out: String, logged log: String? = nil) -> String? {
        let evaluations = URL(fileURLWithPath: out).appendingPathComponent("evaluations")
        for dir in (try? FileManager.default.contentsOfDirectory(atPath: evaluations.path)) ?? [] {
            if let id = try? String(contentsOf: evaluations.appendingPathComponent("\(dir)/slurm.job"), encoding: .utf8) {
                let id = id.trimmingCharacters(in: .whitespacesAndNewlines)
                if let log {
                    let formula = (try? String(contentsOf: evaluations.appendingPathComponent("\(dir)/formula.txt"), encoding: .utf8)) ?? ""
                    let stage = dir.hasPrefix("mos-") ? "mos" : "proxy"
                    guard lines(log).contains("\(stage) \(formula.trimmingCharacters(in: .whitespacesAndNewlines))") else { continue }
                }
                if SlurmSupport.run(["squeue", "-h", "-t", "RUNNING", "-j", id]).out.contains(id) { return id }
            }
        }
        return nil
    }

    func testAJobCancelledBySomeoneElseIsRetried() throws {
        let quiet = search("quiet")
        XCTAssertEqual(try CLI.run(quiet.arguments).status, 0)
        let disturbed = search("disturbed")
        let process = try CLI.start(disturbed.arguments)
        var job: String?
        XCTAssertTrue(SlurmSupport.wait(60) { job = runningJob(disturbed.out, logged: disturbed.log); return job != nil })
        SlurmSupport.run(["scancel", try XCTUnwrap(job)])
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try hallOfFame(disturbed.out), try hallOfFame(quiet.out))
        XCTAssertGreaterThan(lines(disturbed.log).count, lines(quiet.log).count, "the cancelled job ran again")
    }

    func testAJobPastItsTimeLimitIsATimeOut() throws {
        let slow = search("slow", pause: 30, extra: ["--eval-timeout", "2"])
        let r = try CLI.run(slow.arguments)
        XCTAssertEqual(r.status, 3, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("timed out after 2 s (the time limit of one evaluation) (Slurm job "), r.stderr)
        XCTAssertTrue(SlurmSupport.wait(10) { !SlurmSupport.queuedJobNames().contains { $0.contains("-slow-") } }, "the job was cancelled")
    }

    func testAnInvalidPartitionStopsAtTheBaselineAndAResumeWithAGoodOneMendsIt() throws {
        let wrong = search("wrong", pause: 0, extra: ["--sbatch-arg", "--partition=nosuch"])
        let r = try CLI.run(wrong.arguments)
        XCTAssertEqual(r.status, 3, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("sbatch refused the job: sbatch: error: "), r.stderr)
        XCTAssertTrue(r.stderr.lowercased().contains("partition"), r.stderr)
        let mended = try CLI.run(["search", "--resume", wrong.out, "--sbatch-arg=--partition=debug"])
        XCTAssertEqual(mended.status, 0, mended.stdout + mended.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: wrong.out + "/hall-of-fame.json"))
    }

    /// An undisturbed run, and the same run sent `signal` while one of its jobs runs (the
    /// search's exit status returned), both with `pause`-second evaluations.
    func interrupted(by signal: Int32, name: String, pause: Double) throws -> (quiet: (arguments: [String], log: String, out: String),
                                                                             hit: (arguments: [String], log: String, out: String), status: Int32) {
        let quiet = search("quiet", pause: pause)
        XCTAssertEqual(try CLI.run(quiet.arguments).status, 0)
        let hit = search(name, pause: pause)
        let process = try CLI.start(hit.arguments)
        XCTAssertTrue(SlurmSupport.wait(60) { runningJob(hit.out) != nil })
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return (quiet, hit, process.terminationStatus)
    }

    func testSIGINTCancelsTheRunsJobsAndResumeEndsAsAnUndisturbedRun() throws {
        let (quiet, interrupted, status) = try interrupted(by: SIGINT, name: "interrupted", pause: 2)
        XCTAssertEqual(status, 130)
        XCTAssertFalse(SlurmSupport.queuedJobNames().contains { $0.contains("-interrupted-") }, "\(SlurmSupport.queuedJobNames())")
        let resumed = try CLI.run(["search", "--resume", interrupted.out])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try hallOfFame(interrupted.out), try hallOfFame(quiet.out))
    }

    func testAKilledSearchAdoptsItsRunningJobsOnResume() throws {
        let (quiet, killed, _) = try interrupted(by: SIGKILL, name: "killed", pause: 3)
        XCTAssertNotNil(runningJob(killed.out), "the job outlives the search")
        let resumed = try CLI.run(["search", "--resume", killed.out])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(lines(killed.log), lines(quiet.log), "each evaluation ran once")
        XCTAssertEqual(try hallOfFame(killed.out), try hallOfFame(quiet.out))
    }

    /// Ctrl-C of a resumed search while it waits for a job it adopted cancels that job, as it
    /// cancels its own (before, the job ran on unowned), and a later resume ends as an
    /// undisturbed run does.
    func testSIGINTWhileWaitingForAnAdoptedJobCancelsIt() throws {
        let quiet = search("quiet", pause: 0)
        XCTAssertEqual(try CLI.run(quiet.arguments).status, 0)
        try Data().write(to: hold)
        let orphaned = search("orphaned", pause: 0)
        let process = try CLI.start(orphaned.arguments)
        XCTAssertTrue(SlurmSupport.wait(60) { runningJob(orphaned.out, logged: orphaned.log) != nil })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertNotNil(runningJob(orphaned.out), "the job outlives the search")
        XCTAssertEqual(try CLI.interrupted(["search", "--resume", orphaned.out], after: 3), 130,
                       "the resumed search waits for the held job, and Ctrl-C ends it")
        XCTAssertTrue(SlurmSupport.wait(10) { !SlurmSupport.queuedJobNames().contains { $0.contains("-orphaned-") } },
                      "the adopted job was cancelled: \(SlurmSupport.queuedJobNames())")
        try FileManager.default.removeItem(at: hold)
        let resumed = try CLI.run(["search", "--resume", orphaned.out])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try hallOfFame(orphaned.out), try hallOfFame(quiet.out))
    }
}
