import Foundation
import XCTest
import Search
import Report

final class SearchCommandTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-search-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// A slow, deterministic external evaluator: AP from the formula's length, after a pause
    /// long enough to be killed in.
    let evaluator = #"sleep 0.05; n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#

    func arguments(_ out: String) -> [String] {
        ["search", "--branch", "reg", "--generations", "3", "--population", "5", "--top-k", "2", "--seed", "3",
         "--command", evaluator, "--out", out]
    }

    /// A run killed with SIGKILL at any moment, resumed (or started again, where it was killed
    /// before its store was written), ends with the same hall of fame as a run never interrupted: the generational schedule, and the asynchronous one at one job
    /// (reproducible by seed: its record of arrivals replays on resume).
    func testKilledRunResumesToTheSameHallOfFame() throws {
        for schedule in [[], ["--schedule", "async"]] {
            let name = schedule.isEmpty ? "generational" : "async"
            let whole = folder.appendingPathComponent("whole-\(name)").path
            let done = try CLI.run(arguments(whole) + schedule)
            XCTAssertEqual(done.status, 0, done.stderr)
            let expected = try String(contentsOfFile: whole + "/hall-of-fame.json", encoding: .utf8)

            for delay in [0.4, 1.0] {
                let out = folder.appendingPathComponent("killed-\(name)-\(delay)").path
                let process = Process()
                process.executableURL = CLI.binary
                process.arguments = arguments(out) + schedule
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                Thread.sleep(forTimeInterval: delay)
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                // Killed before its store was written (a slow start), the run is started again,
                // in the folder it left.
                let begun = FileManager.default.fileExists(atPath: out + "/run.sqlite")
                let resumed = try CLI.run(begun ? ["search", "--resume", out] : arguments(out) + schedule)
                XCTAssertEqual(resumed.status, 0, resumed.stderr)
                XCTAssertEqual(try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8), expected, "\(name), killed after \(delay) s")
            }
        }
    }

    /// Looking at a run never stops it: `report` every 0.1 s beside the search, which ends with
    /// the hall of fame of an undisturbed run; a second search on the same folder is refused
    /// with the process that holds it.
    func testReadersBesideASearchLeaveItAlone() throws {
        let quiet = folder.appendingPathComponent("quiet").path
        XCTAssertEqual(try CLI.run(arguments(quiet)).status, 0)
        let expected = try String(contentsOfFile: quiet + "/hall-of-fame.json", encoding: .utf8)

        let out = folder.appendingPathComponent("watched").path
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments(out)
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        var reports = 0, refused = 0
        while process.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
            guard FileManager.default.fileExists(atPath: out + "/run.sqlite") else { continue }
            let r = try CLI.run(["report", out, "--json"])
            if r.status == 0 { reports += 1 } else if process.isRunning { XCTFail("report failed beside the search: \(r.stderr)") }
            if refused == 0 && process.isRunning {
                let second = try CLI.run(["search", "--resume", out])
                if second.status == 2 && second.stderr.contains("run folder in use by process \(process.processIdentifier)") { refused += 1 }
                else if process.isRunning { XCTFail("a second writer was not refused: \(second.status) \(second.stderr)") }
            }
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        XCTAssertGreaterThan(reports, 3, "reports made while the search ran")
        XCTAssertEqual(refused, 1)
        XCTAssertEqual(try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8), expected)
    }

    /// A line as each training starts and ends, with the AP or the first line of the reason it
    /// failed, also when the output goes to a pipe.
    func testEachTrainingIsShownAsItStartsAndEnds() throws {
        let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--generations", "2", "--population", "4",
                             "--top-k", "2", "--out", folder.appendingPathComponent("lines").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let started = lines.filter { $0.contains("] started  ") }
        let ended = lines.filter { $0.hasPrefix("[") && $0.contains("] AP ") }
        XCTAssertEqual(lines.filter { $0.hasPrefix("[mos   baseline] started  1 - i / u + (e - u) / e") }.count, 1)
        XCTAssertGreaterThanOrEqual(started.count, 2 + 2 * 4, "the baseline's two trainings and each generation's MOS")
        XCTAssertEqual(ended.count, started.count + lines.filter { $0.contains(" from the ") }.count)
        let log = try String(contentsOf: folder.appendingPathComponent("lines/search.log"), encoding: .utf8)
        XCTAssertTrue(log.contains(started[0]), "search.log holds the lines too")

        let failing = try CLI.run(["search", "--branch", "reg", "--generations", "1", "--population", "2", "--command",
                                   "echo 'CUDA out of memory' >&2; exit 1", "--out", folder.appendingPathComponent("failing").path])
        XCTAssertTrue(failing.stdout.contains("[mos   baseline] failed in "), failing.stdout)
        XCTAssertTrue(failing.stdout.contains("the evaluator command exited with status 1: CUDA out of memory"), failing.stdout)
    }

    /// While trainings run, a status line comes at least every interval (15 s; 1 s here), also
    /// into a pipe: nothing goes silent between a training's start and end.
    func testStatusLinesWhileTrainingsRun() throws {
        let slow = #"sleep 2.5; echo '{"status": "ok", "ap": 0.5}' > result.json"#
        let r = try CLI.run(["search", "--branch", "reg", "--generations", "1", "--population", "1", "--top-k", "1", "--no-mos",
                             "--command", slow, "--out", folder.appendingPathComponent("status").path],
                            environment: ["AUTOLOSS_STATUS_SECONDS": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        for who in ["[proxy baseline]", "[proxy g0 #0]"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("\(who) running, 0:0") }, "a status line for \(who): \(r.stdout)")
        }
    }

    /// A time limit is a limit: a training that would end after it (at its stage's pace so far)
    /// does not start, unless --allow-overrun; nor does a MOS training whose generation's proxy
    /// trainings would then end after it. Proxy trainings here take 3 s, MOS 0.2 s, and the
    /// limit of 6 s comes after the baseline's trainings: without MOS, the first proxy training
    /// of a generation would end after it; with MOS, the first MOS training would leave it no time.
    func testNoTrainingStartsThatWouldEndAfterTheTimeLimit() throws {
        let paced = #"if [ "$AUTOLOSS_STAGE" = proxy ]; then sleep 3; else sleep 0.2; fi; echo '{"status": "ok", "ap": 0.5}' > result.json"#
        func search(_ name: String, _ extra: [String]) throws -> CLIResult {
            try CLI.run(["search", "--branch", "reg", "--generations", "5", "--population", "2", "--top-k", "1", "--time-limit", "0.1",
                         "--command", paced, "--out", folder.appendingPathComponent(name).path] + extra)
        }
        let limited = try search("limited", ["--no-mos"])
        XCTAssertEqual(limited.status, 0, limited.stderr)
        XCTAssertFalse(limited.stdout.contains("[proxy g0"), limited.stdout)
        XCTAssertTrue(limited.stdout.contains("stopped: time limit of 0.1 minutes: a proxy training (~3 s here) would end after it"), limited.stdout)
        let withMOS = try search("mos", [])
        XCTAssertEqual(withMOS.status, 0, withMOS.stderr)
        XCTAssertFalse(withMOS.stdout.contains("g0 #"), "no MOS training that no proxy training could follow: \(withMOS.stdout)")
        XCTAssertTrue(withMOS.stdout.contains("stopped: time limit of 0.1 minutes: a MOS training (~0 s here) and a proxy training after it (~3 s here, reckoned 4 s) would end after it"),
                      withMOS.stdout)
        let overrun = try search("overrun", ["--allow-overrun"])
        XCTAssertEqual(overrun.status, 0, overrun.stderr)
        XCTAssertTrue(overrun.stdout.contains("[proxy g0 #"), overrun.stdout)
    }

    /// SIGINT (or SIGTERM) during an external training: a message, the training's process group
    /// ended, the hall of fame so far printed, exit 130 (143); resumed, the run ends as an
    /// uninterrupted one. The command hangs while the marker file exists.
    func testASignalStopsTheSearchCleanly() throws {
        let marker = folder.appendingPathComponent("hang").path, pids = folder.appendingPathComponent("pids").path
        let command = "if [ -f \(marker) ]; then sleep 30 & echo $! >> \(pids); wait; fi; " + evaluator
        func arguments(_ out: String) -> [String] {
            ["search", "--branch", "reg", "--generations", "2", "--population", "3", "--top-k", "1", "--seed", "3",
             "--command", command, "--out", folder.appendingPathComponent(out).path]
        }
        let quiet = try CLI.run(arguments("quiet"))
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        for (signalNumber, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let out = "stopped-\(signalNumber)"
            FileManager.default.createFile(atPath: marker, contents: nil)
            try? FileManager.default.removeItem(atPath: pids)
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = arguments(out)
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: pids) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            kill(process.processIdentifier, signalNumber)
            let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, code, stderr)
            XCTAssertTrue(stderr.contains("stopping: no new training starts"), stderr)
            XCTAssertTrue(stdout.contains("Hall of fame"), stdout)
            XCTAssertTrue(stdout.contains("continue with --resume"), stdout)
            let sleeper = try XCTUnwrap(Int32(try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n")[0]))
            var gone = false
            for _ in 0..<40 where !gone {
                gone = kill(sleeper, 0) != 0
                if !gone { Thread.sleep(forTimeInterval: 0.05) }
            }
            XCTAssertTrue(gone, "the training's process \(sleeper) outlived the search")
            try FileManager.default.removeItem(atPath: marker)
            let resumed = try CLI.run(["search", "--resume", folder.appendingPathComponent(out).path])
            XCTAssertEqual(resumed.status, 0, resumed.stderr)
            XCTAssertEqual(try String(contentsOfFile: folder.appendingPathComponent(out + "/hall-of-fame.json").path, encoding: .utf8),
                           try String(contentsOfFile: folder.appendingPathComponent("quiet/hall-of-fame.json").path, encoding: .utf8))
        }
    }

    /// A baseline that cannot be evaluated stops the search at once, exit 3, with the reason
    /// and where the command's whole output is.
    func testAFailingBaselineStopsTheSearch() throws {
        let r = try CLI.run(["search", "--branch", "reg", "--generations", "2", "--command", "echo 'CUDA out of memory' >&2; exit 1",
                             "--out", folder.appendingPathComponent("failing").path])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("the baseline giou could not be evaluated at the mos stage, so the search stops"), r.stderr)
        XCTAssertTrue(r.stderr.contains("CUDA out of memory (all of it in "), r.stderr)
        XCTAssertFalse(r.stdout.contains("[mos   g0"), "no candidate trained: \(r.stdout)")
    }

    /// check-evaluator trains the baseline at both stages through the command: a valid result
    /// exits 0, an AP in percent is refused with the reason and exits 1.
    func testCheckEvaluator() throws {
        let good = try CLI.run(["check-evaluator", "--command", #"echo '{"status": "ok", "ap": 0.4}' > {dir}/result.json; echo trained"#,
                                "--out", folder.appendingPathComponent("good").path])
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
        XCTAssertEqual(good.stdout.components(separatedBy: "valid result: AP 40.00 (AP only)").count, 3, good.stdout)
        XCTAssertTrue(good.stdout.contains("-- stdout.txt\n   trained"), good.stdout)
        let percent = try CLI.run(["check-evaluator", "--command", #"echo '{"status": "ok", "ap": 37}' > result.json"#,
                                   "--out", folder.appendingPathComponent("percent").path])
        XCTAssertEqual(percent.status, 1)
        XCTAssertTrue(percent.stdout.contains("FAILED: result.json: \"ap\": 37.0 is outside [0, 1]: write AP as a fraction (0.37), not in percent"),
                      percent.stdout)
    }

    /// check-evaluator as the way to train one pair several times through a detector: only the
    /// proxy stage, once per seed (candidate.json's seed), with the mean and sample deviation.
    func testCheckEvaluatorTrainsOneStageWithSeveralSeeds() throws {
        // AP = seed / 10, read from candidate.json.
        let command = #"s=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seed"])' {dir}/candidate.json); echo "{\"status\": \"ok\", \"ap\": 0.$s}" > {dir}/result.json"#
        let r = try CLI.run(["check-evaluator", "--stage", "proxy", "--seeds", "1,2,4", "--baseline", "cse-b-reg", "--mode", "sigmoid",
                             "--command", command, "--out", folder.appendingPathComponent("seeds").path])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertFalse(r.stdout.contains("== mos stage"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "== proxy stage, seed").count, 4, r.stdout)
        XCTAssertTrue(r.stdout.contains("proxy stage: AP 23.33 ± 15.28 over 3 seeds (10.00, 20.00, 40.00)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("on the baseline cse-b-reg"), r.stdout)
    }

    /// A reg search on the built-in detector ranks by the proxy's first rung unless told
    /// otherwise (`--mos-rung preset`), says so, and keeps it in its store; a bad value is refused.
    func testTheRegBranchRanksByTheProxysFirstRungByDefault() throws {
        for (choice, expected) in [(nil, 0.25), ("preset", nil)] as [(String?, Double?)] {
            let out = folder.appendingPathComponent("mos-\(choice ?? "default")").path
            let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "detector", "--schedule-scale", "0.005", "--generations", "1",
                                 "--population", "2", "--top-k", "1", "--out", out] + (choice.map { ["--mos-rung", $0] } ?? []))
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try RunStore(opening: out + "/run.sqlite").options().mosRung, expected)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/checkpoints"), "an ended run keeps no checkpoint")
            XCTAssertTrue(r.stdout.contains(expected == nil ? "MOS: the MOS preset" : "MOS: the proxy training's first rung (0.25 of its schedule)"), r.stdout)
        }
        let bad = try CLI.run(["search", "--branch", "reg", "--mos-rung", "quarter", "--out", folder.appendingPathComponent("bad").path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--mos-rung 'quarter': give a fraction of the proxy schedule (e.g. 0.25) or preset"), bad.stderr)
    }

    /// `--sbatch-arg` takes values that begin with a dash, as sbatch's own arguments do.
    func testSbatchArgumentsMayBeginWithADash() throws {
        let out = folder.appendingPathComponent("slurm").path
        let r = try CLI.run(["search", "--branch", "reg", "--generations", "1", "--population", "2", "--executor", "slurm",
                             "--sbatch-arg", "--gres=gpu:1", "--sbatch-arg", "--partition=gpu", "--command", evaluator, "--jobs", "2",
                             "--out", out, "--max-evals", "1"])
        // No Slurm here: the submissions fail, but the options were taken as given.
        XCTAssertNotEqual(r.status, 2, r.stderr)
        XCTAssertEqual(try RunStore(opening: out + "/run.sqlite", readOnly: true).options().executor,
                       .slurm(arguments: ["--gres=gpu:1", "--partition=gpu"], jobs: 2))
    }

    /// `report` ranks a run as its search did, ties included (this evaluator gives many equal
    /// APs): one ranking, `HallOfFame.top`, for both.
    func testReportRanksARunAsItsSearchDid() throws {
        let out = folder.appendingPathComponent("ranked").path
        let done = try CLI.run(arguments(out))
        XCTAssertEqual(done.status, 0, done.stderr)
        let report = try CLI.run(["report", out, "--json"])
        XCTAssertEqual(report.status, 0, report.stderr)
        func ranking(_ list: Any?) throws -> [String] {
            try XCTUnwrap(list as? [[String: Any]]).map { "\($0["formula"]!) \($0["ap"]!) \($0["generation"]!)" }
        }
        let searched = try ranking(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/hall-of-fame.json"))))
        let reported = try ranking((try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["hall_of_fame"])
        XCTAssertEqual(reported, searched)
        XCTAssertGreaterThan(Set(searched.map { $0.split(separator: " ").dropLast().last! }).count, 0)
        XCTAssertLessThan(Set(searched.map { $0.split(separator: " ").dropLast().last! }).count, searched.count, "the run has ties to break")
    }

    /// --from-scratch: no candidate is one of the branch's known losses put in as a seed (a
    /// default run's first ones are), the report says so, and a resume keeps it.
    func testFromScratchStartsWithoutTheKnownLosses() throws {
        var seeded: [String] = []
        for scratch in [false, true] {
            let out = folder.appendingPathComponent("scratch-\(scratch)").path
            let done = try CLI.run(["search", "--branch", "sigmoid", "--evaluator", "simulation", "--generations", "2", "--population", "6",
                                    "--out", out] + (scratch ? ["--from-scratch"] : []))
            XCTAssertEqual(done.status, 0, done.stderr)
            let store = try RunStore(opening: out + "/run.sqlite")
            let first = try store.candidates().filter { $0.generation == 0 }.map(\.origin)
            XCTAssertFalse(first.isEmpty)
            if scratch {
                XCTAssertFalse(first.contains("seed"), "\(first)")
                XCTAssertFalse(try store.options().seedWithKnownLosses)
            } else {
                seeded = first
            }
            let report = try CLI.run(["report", out])
            XCTAssertEqual(report.stdout.contains("; from scratch"), scratch, report.stdout)
        }
        XCTAssertTrue(seeded.contains("seed"), "\(seeded)")
        let again = try CLI.run(["search", "--resume", folder.appendingPathComponent("scratch-false").path, "--from-scratch"])
        XCTAssertEqual(again.status, 2, again.stderr)
        XCTAssertTrue(again.stderr.contains("--resume cannot change --from-scratch"), again.stderr)
    }

    /// `report` names the formulas without parents that the proxy-trained candidates descend
    /// from, worked by hand here from the store's parent links: each root a parentless candidate,
    /// the counts per root those of the proxy-trained candidates whose ancestry reaches it.
    func testTheReportSaysWhichFirstFormulasTheTrainedLossesDescendFrom() throws {
        let out = folder.appendingPathComponent("lineage").path
        let done = try CLI.run(["search", "--branch", "sigmoid", "--evaluator", "simulation", "--generations", "4", "--population", "8",
                                "--from-scratch", "--seed", "5", "--out", out])
        XCTAssertEqual(done.status, 0, done.stderr)
        let candidates = try RunStore(opening: out + "/run.sqlite", readOnly: true).candidates()
        var parents: [String: [String]] = [:]
        for c in candidates where parents[c.formula] == nil { parents[c.formula] = c.parents }
        func roots(_ f: String) -> Set<String> {
            let ps = parents[f] ?? []
            return ps.isEmpty ? [f] : ps.reduce(into: Set<String>()) { $0.formUnion(roots($1)) }
        }
        let trained = candidates.filter { $0.stage(.proxy) != nil }
        XCTAssertGreaterThan(trained.count, 1)
        var expected: [String: Int] = [:]
        for c in trained { for r in roots(c.formula) { expected[r, default: 0] += 1 } }
        XCTAssertTrue(expected.keys.allSatisfy { r in candidates.contains { $0.formula == r && $0.parents.isEmpty } })
        XCTAssertTrue(trained.contains { !$0.parents.isEmpty }, "some trained loss was bred")

        let lineages = try RunReport(store: RunStore(opening: out + "/run.sqlite", readOnly: true)).lineages
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: lineages.map { ($0.root, $0.descendants) }), expected)
        XCTAssertEqual(lineages.map(\.descendants), lineages.map(\.descendants).sorted(by: >))
        let report = try CLI.run(["report", out])
        let line = "lineage: the \(trained.count) proxy-trained candidates descend from \(expected.count == 1 ? "1 formula" : "\(expected.count) formulas") without parents: "
            + lineages.prefix(3).map { "\($0.root) (\($0.descendants))" }.joined(separator: ", ")
        XCTAssertTrue(report.stdout.contains(line), "\(line)\n\(report.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(try CLI.run(["report", out, "--json"]).stdout.utf8)) as? [String: Any]
        let listed = try XCTUnwrap(json?["lineages"] as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["root"] as? String }, lineages.map(\.root))
        XCTAssertEqual(try CLI.run(["report", out, "--html"]).status, 0)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<p class=\"note\" id=\"lineage\">Lineage: the \(trained.count) proxy-trained candidates descend from"), "the page says it too")
    }

    /// The environment's failures exit 3 with one line naming the file and the cause, never
    /// SQLite's or Foundation's own text.
    func testEnvironmentFailuresExit3WithTheFileAndTheCause() throws {
        let underAFile = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--out", "/etc/passwd/run"])
        XCTAssertEqual(underAFile.status, 3, underAFile.stderr)
        XCTAssertEqual(underAFile.stderr, "error: /etc/passwd/run: cannot create the run folder: Not a directory\n")

        let corrupt = folder.appendingPathComponent("corrupt")
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/schema1-reg-run")
        try FileManager.default.copyItem(at: fixture, to: corrupt)
        XCTAssertEqual(try CLI.run(["report", corrupt.path]).status, 0)
        let store = try FileHandle(forWritingTo: corrupt.appendingPathComponent("run.sqlite"))
        try store.seek(toOffset: 3 * 4096)
        store.write(Data(repeating: 0xFF, count: 8192))
        try store.close()
        let report = try CLI.run(["report", corrupt.path])
        XCTAssertEqual(report.status, 3, report.stderr)
        XCTAssertEqual(report.stderr, "error: \(corrupt.path)/run.sqlite: the run store is corrupt (database disk image is malformed)\n")
        XCTAssertFalse(report.stderr.contains("SQLite error"))
    }

    func testBadInputIsRefusedAndNothingIsOverwritten() throws {
        let existing = folder.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: true)
        try "mine".write(to: existing.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["search", "--branch", "detr"], "detr"),
            (["search"], "give --branch"),
            (["search", "--branch", "softmax", "--partner", "ce"], "partner loss 'ce' for the reg slot"),
            (["search", "--branch", "reg", "--generations", "0"], "error: --generations 0: must be at least 1"),
            (["search", "--branch", "reg", "--max-evals", "0"], "error: --max-evals 0: must be at least 1"),
            (["search", "--branch", "reg", "--evaluator", "external"], "error: --evaluator external: needs a command to run (--command CMD)"),
            (["search", "--branch", "reg", "--schedule-scale", "9"], "error: --schedule-scale 9.0: must be in (0, 4]"),
            (["search", "--branch", "reg", "--init-seed", "first"], "--init-seed first: give a whole number, or 'seed'"),
            (["search", "--branch", "reg", "--evaluator", "simulation", "--init-seed", "seed"],
             "error: --init-seed: the built-in detector's trainings only (--evaluator detector)"),
            (["search", "--branch", "reg", "--mode", "reg"], "error: --mode reg: must be softmax or sigmoid"),
            (["search", "--branch", "softmax", "--mode", "sigmoid"], "error: --mode sigmoid: a softmax search trains in softmax mode"),
            (["search", "--branch", "softmax", "--mos-seeds", "0"], "error: --mos-seeds 0: must be between 1 and 16"),
            (["search", "--branch", "softmax", "--evaluator", "simulation", "--mos-seeds", "2"],
             "error: --mos-seeds: the built-in detector's MOS only (--evaluator detector)"),
            (["search", "--branch", "softmax", "--mos-rung", "1"], "error: --mos-rung 1.0: must be a fraction of the proxy schedule"),
            (["search", "--branch", "softmax", "--evaluator", "simulation", "--mos-rung", "0.5"],
             "error: --mos-rung: the built-in detector's proxy training only (--evaluator detector)"),
            (["search", "--branch", "reg", "--rungs", "0.5,0.25"], "error: --rungs 0.5,0.25: give ascending fractions"),
            (["search", "--branch", "reg", "--evaluator", "simulation", "--rungs", "0.5"],
             "error: --rungs: hurdles need the built-in detector, which scores a training at its rungs (--evaluator detector)"),
            (["search", "--branch", "reg", "--hurdle-margin", "200"], "error: --hurdle-margin 200.0: must be between 0 and 100 AP points"),
            (["search", "--branch", "reg", "--jobs", "0"], "error: --jobs 0: must be between 1 and 1024"),
            (["search", "--branch", "reg", "--evaluator", "external", "--command", "true", "--eval-timeout", "0"],
             "error: --eval-timeout 0.0: must be a positive number of seconds"),
            (["search", "--branch", "reg", "--data", "/no/such/folder"], "error: --data /no/such/folder: /no/such/folder: no such dataset folder"),
            (["search", "--branch", "reg", "--tuned-baseline", "/no/such/tuning"],
             "error: search options: --tuned-baseline /no/such/tuning: cannot read /no/such/tuning: tune the baseline into that folder first (autoloss tune-baseline --out /no/such/tuning)"),
            (["search", "--branch", "reg", "--out", existing.path], "exists: choose a new --out folder, or continue that run with --resume"),
            (["search", "--branch", "reg", "--ablate", "--out", existing.path],
             "exists: choose a new --out folder for the ablation, or continue it with --resume"),
            (["search", "--resume", existing.path], "is not a run store"),
            (["search", "--resume", existing.appendingPathComponent("notes.txt").path], "is not a run store"),
            (["report", existing.path], "is not a run store"),
        ]
        for (args, expected) in cases {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), "\(args): expected '\(expected)' in \(r.stderr)")
        }
        XCTAssertEqual(try String(contentsOf: existing.appendingPathComponent("notes.txt"), encoding: .utf8), "mine")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: existing.path), ["notes.txt"])
    }

    func testProgressAsJSONLines() throws {
        let r = try CLI.run(["search", "--branch", "softmax", "--partner", "-log(i / u)", "--evaluator", "simulation", "--generations", "2", "--population", "4", "--json",
                             "--out", folder.appendingPathComponent("j").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let events = try r.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(events.map { $0["event"] as! String }, ["generation", "generation", "done"])
        XCTAssertNotNil(events[0]["cpv_rejected"] as? Double)
        XCTAssertFalse((events[2]["hall_of_fame"] as! [Any]).isEmpty)
        for event in events {
            let u = try XCTUnwrap(event["utilisation"] as? Double, "\(event)")
            XCTAssertTrue(u > 0 && u <= 1, "\(u)")
        }
    }

    /// "time left" follows the nearest budget: here the 30-second limit, not 1000 generations.
    func testTimeLeftFollowsTheNearestBudget() throws {
        let r = try CLI.run(["search", "--branch", "softmax", "--evaluator", "simulation", "--generations", "1000", "--population", "4",
                             "--top-k", "1", "--max-evals", "2", "--time-limit", "0.5", "--out", folder.appendingPathComponent("t").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = (r.stdout + r.stderr).split(separator: "\n").filter { $0.hasPrefix("gen ") }
        XCTAssertFalse(lines.isEmpty, r.stdout + r.stderr)
        for line in lines {
            let left = try XCTUnwrap(line.split(separator: "~").last?.split(separator: " ").first, String(line))
            let parts = left.split(separator: ":").compactMap { Int($0) }  // M:SS
            XCTAssertEqual(parts.count, 2, String(line))
            XCTAssertLessThanOrEqual(parts.reduce(0) { $0 * 60 + $1 }, 30, String(line))
        }
    }

    func testAblationRunsThreeArmsOnOneBudget() throws {
        let out = folder.appendingPathComponent("ablation").path
        let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--ablate", "--max-evals", "3", "--generations", "3", "--population", "4", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        try CLI.assertEachArmSpends("3", out: out)
        // The baseline is trained once and shared: every arm's store holds the same figures.
        let baselines = try ["none", "cpv", "cpv-mos"].map { arm in
            try XCTUnwrap(try RunStore(opening: "\(out)/\(arm)/run.sqlite").baseline(name: "giou", stage: .proxy), arm)
        }
        XCTAssertEqual(baselines[0], baselines[2])
        XCTAssertEqual(baselines[1], baselines[2])
        XCTAssertNotNil(baselines[0].ap)
        let again = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--ablate", "--max-evals", "3", "--out", out])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
    }

    /// On the built-in detector the ablation's fourth arm trains with its rungs (each proxy
    /// training scored there and judged by its hurdle), the baseline with them too, and the other
    /// arms without: each arm's evaluator is made for its own options.
    func testTheHurdlesArmScoresItsRungs() throws {
        let out = folder.appendingPathComponent("ablation-detector").path
        let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "detector", "--ablate", "--max-evals", "2", "--generations", "2",
                             "--population", "3", "--top-k", "2", "--schedule-scale", "0.005", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        for arm in FilterAblation.armNames {
            let store = try RunStore(opening: "\(out)/\(arm)/run.sqlite")
            let proxied = try store.candidates().compactMap { $0.stage(.proxy)?.result }
            XCTAssertFalse(proxied.isEmpty, arm)
            let hurdles = arm == "cpv-mos-hurdles"
            for result in proxied {
                XCTAssertEqual(result.rungs?.map(\.fraction) ?? [], hurdles ? Array(FilterAblation.defaultRungs.prefix(result.rungs?.count ?? 0)) : [], arm)
                XCTAssertEqual(result.rungs?.first?.hurdle != nil, hurdles, arm)
            }
            XCTAssertEqual(try store.baseline(name: "giou", stage: .proxy)?.rungs?.map(\.fraction), FilterAblation.defaultRungs, "the baseline, shared")
        }
    }
}
