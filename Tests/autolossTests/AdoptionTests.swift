import Foundation
import XCTest

/// A search killed outright (SIGKILL) leaves its external training running; `--resume` adopts
/// it: waits for it and takes its result instead of training again, and, stopped itself while
/// it waits, ends that training as it ends its own. Local executor; the Slurm executor's
/// adoption is in SlurmFailureTests.
final class AdoptionTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-adopt-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// A search whose command logs each training as it starts, waits while `hold` exists, pauses
    /// a second, then writes an AP from the formula's length (deterministic). Quoted: a formula's
    /// `*` would expand to the candidate folder's files, which differ with the moment (command.pid
    /// comes and goes).
    func search(_ name: String, generations: Int = 2) -> (arguments: [String], log: String, out: String) {
        let log = folder.appendingPathComponent("\(name).txt").path, out = folder.appendingPathComponent(name).path
        let command = "echo $AUTOLOSS_STAGE \"$(cat formula.txt)\" >> \(log); while [ -e \(hold.path) ]; do sleep 0.1; done; sleep 1; " +
            #"n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#
        return (["search", "--branch", "reg", "--generations", "\(generations)", "--population", "2", "--top-k", "1", "--seed", "5",
                 "--command", command, "--out", out], log, out)
    }

    var hold: URL { folder.appendingPathComponent("hold") }

    func trainings(_ log: String) throws -> [String] { try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init).sorted() }
    func hallOfFame(_ out: String) throws -> String { try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8) }

    /// The search's running commands' process ids (the first field of their folders' command.pid).
    func commandPids(_ out: String) -> [Int32] {
        pidFiles(out).compactMap { file in
            (try? String(contentsOf: file, encoding: .utf8)).flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) } }
        }.filter { kill($0, 0) == 0 }
    }

    /// The command.pid files of a run's candidate folders.
    func pidFiles(_ out: String) -> [URL] {
        let evaluations = URL(fileURLWithPath: out).appendingPathComponent("evaluations")
        return ((try? FileManager.default.contentsOfDirectory(atPath: evaluations.path)) ?? []).map {
            evaluations.appendingPathComponent("\($0)/command.pid")
        }.filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Whether `pid` runs: a zombie, ended and waiting for init to reap it, does not.
    func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        #if os(Linux)
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.range(of: ") ", options: .backwards).map { stat[$0.upperBound...].first != "Z" } ?? false
        #else
        return true
        #endif
    }

    /// Starts `arguments`, waits until `log` shows a training started and the search has
    /// written its command.pid (what a resume adopts by: a search killed between starting the
    /// command and writing it, microseconds, leaves a training the resume runs again), and
    /// SIGKILLs the search.
    func killWhileTraining(_ arguments: [String], log: String, out: String) throws {
        let process = try CLI.start(arguments)
        XCTAssertTrue(CLI.waitForFile(log, seconds: 20))
        let deadline = Date().addingTimeInterval(20)
        while pidFiles(out).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGKILL of the search while an external training runs, then --resume: the orphaned
    /// training is waited for and its complete result.json taken, so the resumed run trains
    /// what an undisturbed one trains, each once.
    func testResumeAdoptsWhatAKilledSearchsCommandFinished() throws {
        let quiet = search("quiet")
        XCTAssertEqual(try CLI.run(quiet.arguments).status, 0)
        let killed = search("killed")
        try killWhileTraining(killed.arguments, log: killed.log, out: killed.out)
        let resumed = try CLI.run(["search", "--resume", killed.out])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try trainings(killed.log), try trainings(quiet.log))
        XCTAssertEqual(try hallOfFame(killed.out), try hallOfFame(quiet.out))
    }

    /// Ctrl-C of a resumed search while it waits for an orphaned training ends that training
    /// (before, it ran on unowned), exits 130, and a later resume still ends as an undisturbed
    /// run does.
    func testSIGINTWhileWaitingForAnAdoptedCommandEndsIt() throws {
        let quiet = search("quiet", generations: 1)
        XCTAssertEqual(try CLI.run(quiet.arguments).status, 0)
        try Data().write(to: hold)
        let orphaned = search("orphaned", generations: 1)
        try killWhileTraining(orphaned.arguments, log: orphaned.log, out: orphaned.out)
        let orphans = commandPids(orphaned.out)
        XCTAssertFalse(orphans.isEmpty, "the training outlives the search")
        XCTAssertEqual(try CLI.interrupted(["search", "--resume", orphaned.out], after: 2), 130,
                       "the resumed search waits for the held training, and Ctrl-C ends it")
        XCTAssertEqual(orphans.filter(isRunning), [], "the adopted training was ended")
        try FileManager.default.removeItem(at: hold)
        let resumed = try CLI.run(["search", "--resume", orphaned.out])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try hallOfFame(orphaned.out), try hallOfFame(quiet.out))
    }

    /// SIGKILL of the search, then of its training, and the training's pid goes to another
    /// program: the resumed search waited on that program (here for a minute) and, on Ctrl-C,
    /// ended its process group. Now the pid file is believed only with the process's start
    /// time and its token: the resumed search trains anew and leaves the stranger alone.
    func testAReusedPidIsNeitherWaitedOnNorSignalled() throws {
        let quiet = search("quiet", generations: 1)
        XCTAssertEqual(try CLI.run(quiet.arguments).status, 0)
        try Data().write(to: hold)
        let killed = search("killed", generations: 1)
        try killWhileTraining(killed.arguments, log: killed.log, out: killed.out)
        let orphans = commandPids(killed.out)
        XCTAssertFalse(orphans.isEmpty, "the training outlives the search")
        for pid in orphans { kill(-pid, SIGKILL) }
        try FileManager.default.removeItem(at: hold)
        // The stranger, in a process group of its own as the training was, takes its pid.
        let stranger = Process()
        stranger.executableURL = URL(fileURLWithPath: "/bin/sleep")
        stranger.arguments = ["60"]
        try stranger.run()
        defer { stranger.terminate() }
        for file in pidFiles(killed.out) {
            var fields = try String(contentsOf: file, encoding: .utf8).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            fields[0] = "\(stranger.processIdentifier)" + (fields.count == 1 ? "\n" : "")
            try fields.joined(separator: " ").write(to: file, atomically: true, encoding: .utf8)
        }
        let resumed = try CLI.start(["search", "--resume", killed.out])
        let deadline = Date().addingTimeInterval(30)
        while resumed.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        let waited = resumed.isRunning
        if waited { kill(resumed.processIdentifier, SIGINT) }
        resumed.waitUntilExit()
        XCTAssertFalse(waited, "the resumed search waited on the stranger")
        XCTAssertEqual(resumed.terminationStatus, 0)
        XCTAssertTrue(stranger.isRunning, "the stranger was not signalled")
        XCTAssertEqual(try hallOfFame(killed.out), try hallOfFame(quiet.out))
    }
}
