import Detection
import Foundation
import LossLanguage
import Search
import XCTest

/// Issue 38's findings about run and candidate folders, each through the built binary: a link
/// planted in a run folder is never written through, a finished run reads from read-only
/// storage, a refused resume writes nothing, `--resume` applies or refuses every option, and one
/// candidate folder is evaluated by one process at a time.
final class RunFolderSafetyTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-runfiles-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        // A read-only copy is made writable again to be removed.
        _ = try? CLI.run(URL(fileURLWithPath: "/bin/chmod"), ["-R", "u+w", folder.path])
        try? FileManager.default.removeItem(at: folder)
    }

    /// A finished simulation run (a second).
    func finishedRun(_ name: String, _ extra: [String] = []) throws -> String {
        let out = folder.appendingPathComponent(name).path
        let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--generations", "1", "--population", "4",
                             "--top-k", "2", "--out", out] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return out
    }

    /// A file outside the run folder that a link in it points at.
    func victim(_ name: String) throws -> URL {
        let url = folder.appendingPathComponent("victim-\(name)")
        try Data("precious\n".utf8).write(to: url)
        return url
    }

    func plant(_ file: String, in run: String, pointingAt target: URL) throws {
        let link = run + "/" + file
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
    }

    func assertUntouched(_ target: URL, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "precious\n", "written through \(what)", file: file, line: line)
    }

    func isLink(_ path: String) -> Bool { (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil }

    /// Item 4: the lock and the logs, appended to, refuse a link in their place (exit 3, the
    /// file named); the files written whole replace the link. Nothing outside is written.
    func testLinksInARunFolderAreNeverWrittenThrough() throws {
        let run = try finishedRun("run")
        for name in ["run.lock", "search.log"] {
            let target = try victim(name)
            try plant(name, in: run, pointingAt: target)
            let r = try CLI.run(["search", "--resume", run, "--generations", "2"])
            XCTAssertEqual(r.status, 3, "\(name): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("\(run)/\(name): a symbolic link"), "\(name): \(r.stderr)")
            assertUntouched(target, name)
            try FileManager.default.removeItem(atPath: run + "/" + name)
        }
        let confirmLog = try victim("confirm.log")
        try plant("confirm.log", in: run, pointingAt: confirmLog)
        let confirm = try CLI.run(["confirm", run, "--top", "1", "--seeds", "1", "--horizons", "1", "--weights", "1"])
        XCTAssertEqual(confirm.status, 3, confirm.stderr)
        XCTAssertTrue(confirm.stderr.contains("\(run)/confirm.log: a symbolic link"), confirm.stderr)
        assertUntouched(confirmLog, "confirm.log")
        try FileManager.default.removeItem(atPath: run + "/confirm.log")

        var targets: [String: URL] = [:]
        for name in ["hall-of-fame.json", "report.html"] {
            targets[name] = try victim(name)
            try plant(name, in: run, pointingAt: targets[name]!)
        }
        let resumed = try CLI.run(["search", "--resume", run, "--generations", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        for (name, target) in targets {
            assertUntouched(target, name)
            XCTAssertFalse(isLink(run + "/" + name), "\(name) is the run's own file again")
        }
        XCTAssertTrue(try String(contentsOfFile: run + "/hall-of-fame.json", encoding: .utf8).hasPrefix("["))
    }

    /// Item 4: a filter ablation's table and a candidate folder's result.json replace a link.
    func testAblationTableAndCandidateFilesReplaceLinks() throws {
        let ablation = folder.appendingPathComponent("ablation").path
        let first = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--ablate", "--max-evals", "2",
                                 "--population", "3", "--top-k", "1", "--out", ablation])
        XCTAssertEqual(first.status, 0, first.stderr)
        let table = try victim("ablation.txt")
        try plant("ablation.txt", in: ablation, pointingAt: table)
        let again = try CLI.run(["search", "--resume", ablation])
        XCTAssertEqual(again.status, 0, again.stderr)
        assertUntouched(table, "ablation.txt")
        XCTAssertFalse(isLink(ablation + "/ablation.txt"))

        let candidate = CandidateFolder(folder.appendingPathComponent("candidate"))
        let request = EvaluationRequest(pair: LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax,
                                                       regression: try Expr.resolve("giou", branch: .reg)),
                                        searched: .reg, stage: .mos, seed: 1, generation: 0, slot: 0,
                                        setup: EvaluationSetup(evaluator: .simulation))
        try candidate.write(request)
        let result = try victim("result.json")
        try plant("result.json", in: candidate.url.path, pointingAt: result)
        let evaluated = try CLI.run(["evaluate", candidate.url.path])
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
        assertUntouched(result, "result.json")
        XCTAssertFalse(isLink(candidate.resultFile.path))
        XCTAssertEqual(candidate.readResult().status, .ok)
        // Written again (the search writes a folder before each evaluation).
        var targets: [String: URL] = [:]
        for name in ["candidate.json", "formula.txt", "prefix.txt", "loss.py"] {
            targets[name] = try victim(name)
            try plant(name, in: candidate.url.path, pointingAt: targets[name]!)
        }
        try candidate.write(request)
        for (name, target) in targets {
            assertUntouched(target, name)
            XCTAssertFalse(isLink(candidate.url.path + "/" + name), name)
        }
        XCTAssertEqual(try candidate.request(), request)
    }

    /// Item 6: a finished run copied to read-only storage (no run.sqlite-shm beside the store,
    /// none can be made) reports as the original does; so does a killed run whose last
    /// results are still in its write-ahead log (run.sqlite-wal), which must not be lost.
    func testReportReadsARunOnReadOnlyStorage() throws {
        let finished = try finishedRun("finished")
        // A run killed mid-search: its store's newest pages are in run.sqlite-wal.
        let killed = folder.appendingPathComponent("killed").path
        let slow = #"sleep 0.05; n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#
        let search = try CLI.start(["search", "--branch", "reg", "--generations", "3", "--population", "5", "--top-k", "2",
                                    "--command", slow, "--out", killed])
        CLI.waitForFile(killed + "/report.html", seconds: 60)
        kill(search.processIdentifier, SIGKILL)
        search.waitUntilExit()
        for (name, run) in [("finished", finished), ("killed", killed)] {
            let copy = folder.appendingPathComponent("read-only-\(name)").path
            try FileManager.default.copyItem(atPath: run, toPath: copy)
            try? FileManager.default.removeItem(atPath: copy + "/run.sqlite-shm")
            let wal = (try? FileManager.default.attributesOfItem(atPath: copy + "/run.sqlite-wal")[.size] as? Int) ?? 0
            XCTAssertEqual(wal > 0, name == "killed", "\(name): run.sqlite-wal holds \(wal) bytes")
            XCTAssertEqual(try CLI.run(URL(fileURLWithPath: "/bin/chmod"), ["-R", "a-w", copy]).status, 0)
            let files = try FileManager.default.contentsOfDirectory(atPath: copy).sorted()
            for arguments in [["report"], ["report", "--json"]] {
                let expected = try CLI.run([arguments[0], run] + arguments.dropFirst())
                XCTAssertEqual(expected.status, 0, expected.stderr)
                let r = try readOnly([arguments[0], copy] + arguments.dropFirst(), folder: copy)
                XCTAssertEqual(r.status, 0, "\(name) \(arguments): \(r.stderr)")
                XCTAssertEqual(r.stdout, expected.stdout.replacingOccurrences(of: run, with: copy), "\(name) \(arguments)")
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: copy).sorted(), files, "\(name): nothing written")
        }
    }

    /// Runs the binary where `folder` cannot be written. Root writes whatever the permissions
    /// say (CI runs as root): there the folder is bound read-only in a private mount namespace,
    /// or, where mounts are not allowed, the command runs as nobody.
    func readOnly(_ arguments: [String], folder: String) throws -> CLIResult {
        if getuid() != 0 { return try CLI.run(arguments) }
        let fm = FileManager.default
        let probe = #"! touch "$1/.probe" 2>/dev/null"#
        if fm.isExecutableFile(atPath: "/usr/bin/unshare"),
           try CLI.run(URL(fileURLWithPath: "/usr/bin/unshare"), ["-m", "sh", "-c", #"mount --bind -o ro "$1" "$1" && "# + probe, "sh", folder]).status == 0 {
            return try CLI.run(URL(fileURLWithPath: "/usr/bin/unshare"),
                               ["-m", "sh", "-c", #"mount --bind -o ro "$1" "$1" && shift && exec "$@""#, "sh", folder, CLI.binary.path] + arguments)
        }
        let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]
        if fm.isExecutableFile(atPath: "/usr/bin/setpriv"),
           try CLI.run(URL(fileURLWithPath: "/usr/bin/setpriv"), nobody + ["sh", "-c", probe + #" && [ -x "$2" ]"#, "sh", folder, CLI.binary.path]).status == 0 {
            return try CLI.run(URL(fileURLWithPath: "/usr/bin/setpriv"), nobody + [CLI.binary.path] + arguments)
        }
        throw XCTSkip("running as root with neither a read-only bind mount (unshare -m) nor setpriv to drop to nobody: the folder cannot be made read-only for this process")
    }

    /// Item 7: a resume refused because another process writes the run (here this test holds
    /// its lock) leaves the store and the log as they were.
    func testARefusedResumeWritesNothing() throws {
        let run = try finishedRun("run")
        let before = try RunFolder(path: run).open(readOnly: true).options()
        let log = try String(contentsOfFile: run + "/search.log", encoding: .utf8)
        let lock = try RunFolder(path: run).lock()
        defer { lock.release() }
        let r = try CLI.run(["search", "--resume", run, "--generations", "2", "--jobs", "3", "--eval-timeout", "50"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("run folder in use by process \(getpid())"), r.stderr)
        XCTAssertEqual(try RunFolder(path: run).open(readOnly: true).options(), before)
        XCTAssertEqual(try String(contentsOfFile: run + "/search.log", encoding: .utf8), log)
    }

    /// Item 8: `--resume` takes budgets and where evaluations run; every other option of a new
    /// search is refused by name (exit 2), and the run is left as it was.
    func testResumeRefusesWhatItCannotChange() throws {
        let run = try finishedRun("run")
        let log = try String(contentsOfFile: run + "/search.log", encoding: .utf8)
        let cases: [[String]] = [
            ["--evaluator", "detector"], ["--command", "true"], ["--seed", "9"], ["--out", folder.appendingPathComponent("elsewhere").path],
            ["--population", "3"], ["--top-k", "1"], ["--top-p", "1"], ["--no-cpv"], ["--no-mos"], ["--data", "shapes"],
            ["--fit-minutes", "5"], ["--branch", "reg"],
        ]
        for extra in cases {
            let r = try CLI.run(["search", "--resume", run, "--generations", "2"] + extra)
            XCTAssertEqual(r.status, 2, "\(extra): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("cannot change \(extra[0]):"), "\(extra): \(r.stderr)")
        }
        XCTAssertEqual(try String(contentsOfFile: run + "/search.log", encoding: .utf8), log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("elsewhere").path))
    }

    /// Item 8: `--allow-overrun` on resume is applied with the time limit, as a budget. Proxy
    /// trainings take 2.5 s and MOS 0.1 s; a resumed generation's second proxy training would
    /// end after the 4.5 s limit: it starts only with `--allow-overrun` (without, the generation
    /// plans one from the start).
    func testResumeAppliesAllowOverrun() throws {
        let paced = #"if [ "$AUTOLOSS_STAGE" = proxy ]; then sleep 2.5; else sleep 0.1; fi; echo '{"status": "ok", "ap": 0.5}' > result.json"#
        let run = folder.appendingPathComponent("run").path
        let first = try CLI.run(["search", "--branch", "reg", "--generations", "1", "--population", "2", "--top-k", "2", "--command", paced,
                                 "--out", run])
        XCTAssertEqual(first.status, 0, first.stderr)
        var started: [String: Int] = [:]
        for (name, extra) in [("limited", [String]()), ("overrun", ["--allow-overrun"])] {
            let copy = folder.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: run, toPath: copy)
            let r = try CLI.run(["search", "--resume", copy, "--generations", "2", "--time-limit", "0.075"] + extra)
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            started[name] = r.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("[proxy g1 #") && $0.contains("started") }.count
        }
        XCTAssertEqual(started, ["limited": 1, "overrun": 2])
    }

    /// Budgets given with `--resume` replace the stored ones: the report shows them, and a
    /// later resume without budgets keeps them (it does not fall back to the first command's).
    func testBudgetsGivenOnResumeAreKept() throws {
        let run = try finishedRun("run")
        let second = try CLI.run(["search", "--resume", run, "--generations", "2", "--max-evals", "9"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("gen 2/2"), second.stdout)
        let report = try CLI.run(["report", run])
        XCTAssertTrue(report.stdout.contains("generations 2,"), report.stdout)
        let options = try RunFolder(URL(fileURLWithPath: run)).open(readOnly: true).options()
        XCTAssertEqual([options.generations, options.maxEvaluations], [2, 9])
        let third = try CLI.run(["search", "--resume", run])
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("gen 2/2"), third.stdout)
        XCTAssertFalse(third.stdout.contains("gen 3/"), third.stdout)
    }

    /// Item 9: a second `autoloss evaluate` of a folder being evaluated is refused (exit 2, the
    /// process that has it named) instead of writing result.json beside the first.
    func testOneCandidateFolderIsEvaluatedByOneProcessAtATime() throws {
        let candidate = CandidateFolder(folder.appendingPathComponent("candidate"))
        // The command says that it runs, then waits (5 s at most) for the test's word.
        let command = #"touch started; for i in $(seq 100); do [ -e go ] && break; sleep 0.05; done; echo '{"status": "ok", "ap": 0.5}' > result.json"#
        try candidate.write(EvaluationRequest(pair: LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax,
                                                             regression: try Expr.resolve("giou", branch: .reg)),
                                              searched: .reg, stage: .mos, seed: 1, generation: 0, slot: 0,
                                              setup: EvaluationSetup(evaluator: .external(command: command))))
        let first = try CLI.start(["evaluate", candidate.url.path])
        XCTAssertTrue(CLI.waitForFile(candidate.url.path + "/started", seconds: 60))
        let second = try CLI.run(["evaluate", candidate.url.path])
        _ = FileManager.default.createFile(atPath: candidate.url.path + "/go", contents: nil)
        first.waitUntilExit()
        XCTAssertEqual(second.status, 2, second.stderr)
        XCTAssertTrue(second.stderr.contains("candidate folder in use by process \(first.processIdentifier)"), second.stderr)
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(candidate.readResult().ap, 50, "AP in points")
    }
}
