import Foundation
import XCTest
@testable import Search
import Detection
import LossLanguage

/// Issue 38, items 3, 5 and 13: an evaluator command's process as the search runs, ends and
/// adopts it. The evaluation ends when the command's process does (a background child it left
/// is ended, not waited for); its output goes to the folder's files as it comes, not through
/// memory; a resumed search adopts a process only when it is provably the command it started.
final class CommandProcessTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-process-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    var pair: LossPair {
        LossPair(classification: try! Expr.resolve("cse-a-cls", branch: .softmax), mode: .softmax,
                 regression: try! Expr.resolve("giou", branch: .reg))
    }

    let result = #"echo '{"status": "ok", "ap": 0.3}' > result.json"#

    /// The one candidate folder the evaluations here write.
    func candidateFolder() throws -> URL {
        try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).first)
    }

    /// Whether `pid` names a process that runs (a zombie, waiting to be reaped, does not).
    func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.range(of: ") ", options: .backwards) else { return false }
        return stat[close.upperBound...].first != "Z"
        #else
        return true
        #endif
    }

    /// Waits up to `seconds` for `pid` to end.
    func ended(_ pid: Int32, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning(pid) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return !isRunning(pid)
    }

    func pid(in file: URL) throws -> Int32 {
        try XCTUnwrap(Int32(try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    // MARK: Item 5: the evaluation ends with the command's process

    /// `train.py & ...`: a child left in the background kept the pipes (and a descriptor of
    /// Foundation's) open, so the evaluation waited for it, and past the time limit threw the
    /// valid result away as timed out. Now the result is read when the command exits, and the
    /// child, a stray of its process group, is ended.
    func testABackgroundChildNeitherHoldsNorOutlivesTheEvaluation() throws {
        let command = LocalProcessExecutor(command: "sleep 30 & echo $! > child.pid; " + result, workDirectory: folder, timeout: 8)
        let started = Date()
        let r = command.evaluate(pair, searched: .reg, stage: .mos, seed: 1)
        XCTAssertEqual(r.status, .ok, r.reason)
        XCTAssertLessThan(Date().timeIntervalSince(started), 6, "not held until the child ended")
        let child = try pid(in: try candidateFolder().appendingPathComponent("child.pid"))
        XCTAssertTrue(ended(child, within: 5), "the stray child was ended")
    }

    /// A daemonised child (its own session, so out of the command's process group) hung the
    /// search while it ran. It is found by the token in its environment and ended too.
    func testADaemonisedChildDoesNotHangTheEvaluation() throws {
        let command = LocalProcessExecutor(command: "setsid sleep 30 & echo $! > child.pid; " + result, workDirectory: folder)
        let started = Date()
        let r = command.evaluate(pair, searched: .reg, stage: .mos, seed: 1)
        XCTAssertEqual(r.status, .ok, r.reason)
        XCTAssertLessThan(Date().timeIntervalSince(started), 6, "not held until the daemon ended")
        #if os(Linux)
        let child = try pid(in: try candidateFolder().appendingPathComponent("child.pid"))
        XCTAssertTrue(ended(child, within: 5), "the daemon, found by its token, was ended")
        #endif
    }

    /// The command starts with every signal at its default, whatever autoloss ignores (SIGPIPE,
    /// and SIGINT, SIGTERM and SIGHUP while a search runs): an ignored SIGTERM outlives the
    /// stop request's SIGTERM, an ignored SIGPIPE turns `yes | head` into an error.
    func testTheCommandDoesNotInheritIgnoredSignals() throws {
        #if os(Linux)
        let ignored = [SIGPIPE, SIGTERM, SIGINT, SIGHUP]
        let previous = ignored.map { signal($0, SIG_IGN) }
        defer { for (s, handler) in zip(ignored, previous) { signal(s, handler) } }
        let command = LocalProcessExecutor(command: "awk '/^SigIgn/ {print $2}' /proc/self/status > ignored.txt; " + result, workDirectory: folder)
        XCTAssertEqual(command.evaluate(pair, searched: .reg, stage: .mos, seed: 1).status, .ok)
        let text = try String(contentsOf: try candidateFolder().appendingPathComponent("ignored.txt"), encoding: .utf8)
        let mask = try XCTUnwrap(UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16))
        for s in ignored { XCTAssertEqual(mask & (1 << UInt64(s - 1)), 0, "signal \(s) ignored in the command (SigIgn \(text))") }
        #endif
    }

    // MARK: Item 13: the output streams to the folder's files

    /// 150 MB on stdout cost 300 MB of memory (read whole, then copied into a String) before it
    /// was written out; now it goes to stdout.txt as it comes, and the reason of a failure is
    /// the end of stderr.txt.
    func testOutputGoesToTheFilesNotThroughMemory() throws {
        #if os(Linux)
        @Sendable func residentMB() -> Double {
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
        }
        let size = 150_000_000
        let command = LocalProcessExecutor(command: "head -c \(size) /dev/zero; seq 1 3000 >&2; exit 4", workDirectory: folder)
        let before = residentMB()
        final class Peak: @unchecked Sendable { var value = 0.0; var done = false; let lock = NSLock() }
        let peak = Peak()
        let sampler = Thread {
            while true {
                peak.lock.lock()
                let done = peak.done
                peak.value = max(peak.value, residentMB())
                peak.lock.unlock()
                if done { break }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        sampler.start()
        let r = command.evaluate(pair, searched: .reg, stage: .mos, seed: 1)
        peak.lock.lock()
        peak.done = true
        let grew = peak.value - before
        peak.lock.unlock()
        XCTAssertLessThan(grew, 50, "the output went through memory: \(Int(grew)) MB more")
        let dir = try candidateFolder()
        let written = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("stdout.txt").path)[.size] as? Int
        XCTAssertEqual(written, size)
        XCTAssertEqual(r.status, .failed)
        XCTAssertTrue(r.reason.contains("exited with status 4: 2998 | 2999 | 3000 (all of it in"), r.reason)
        #endif
    }

    // MARK: Item 3: adoption only of what is provably the command's

    /// A folder an interrupted search left: its command.txt (so `adopt` considers it), and
    /// command.pid as `pidLine` gives it.
    func interruptedFolder(pidLine: String) throws -> (CandidateCommand, URL, String) {
        let command = CandidateCommand(command: "sleep 1; " + result, workDirectory: folder)
        let request = EvaluationRequest(pair: pair, searched: .reg, stage: .mos, seed: 1)
        let (prepared, dir, shellCommand) = command.prepared(request, jobs: 1)
        XCTAssertNil(command.write(prepared, command: shellCommand, in: dir))
        try Data(pidLine.utf8).write(to: CandidateFolder(dir).pidFile)
        return (command, dir, shellCommand)
    }

    /// Runs `adopt` on a thread; what it returned and after how long, or nil if it was still
    /// waiting after `seconds` (then `stop` is left alone: a search that waits on a process
    /// that is not its own must never be asked to signal it).
    func adopt(_ command: CandidateCommand, _ dir: URL, _ shellCommand: String, stop: StopRequest, within seconds: Double)
        -> (result: EvaluationResult?, seconds: Double)? {
        final class Answer: @unchecked Sendable { var value: (EvaluationResult?, Double)?; let done = DispatchSemaphore(value: 0) }
        let answer = Answer()
        Thread {
            let started = Date()
            let r = command.adopt(dir, command: shellCommand, stop: stop, since: started)
            answer.value = (r, Date().timeIntervalSince(started))
            answer.done.signal()
        }.start()
        guard answer.done.wait(timeout: .now() + seconds) == .success, let value = answer.value else { return nil }
        return (value.0, value.1)
    }

    /// After a SIGKILL of the search its command ended, and its pid went to another program: the
    /// resumed search waited on that program and, on Ctrl-C, ended its whole process group.
    /// A pid file is only believed with the process's start time and the token in its
    /// environment; a stale one (the bare pid of an older autoloss, or a start time or token
    /// that differs) is not waited on and not signalled.
    func testAStalePidIsNeitherWaitedOnNorSignalled() throws {
        let token = "stale-\(UUID().uuidString)"
        let stranger = Process()
        stranger.executableURL = URL(fileURLWithPath: "/bin/sleep")
        stranger.arguments = ["60"]
        stranger.environment = ["AUTOLOSS_RUN_TOKEN": token]
        try stranger.run()
        defer { stranger.terminate() }
        let pid = stranger.processIdentifier
        for line in ["\(pid)\n", "\(pid) 1 \(token)\n", "\(pid) 999999999 \(token)\n"] {
            let (command, dir, shellCommand) = try interruptedFolder(pidLine: line)
            let stop = StopRequest()
            DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { stop.request(signal: SIGINT) }
            let adopted = adopt(command, dir, shellCommand, stop: stop, within: 10)
            XCTAssertNotNil(adopted, "returned (\(line.dropLast()))")
            XCTAssertNil(adopted?.result, "nothing adopted: the evaluation runs anew (\(line.dropLast()))")
            XCTAssertLessThan(adopted?.seconds ?? 99, 1, "not waited on (\(line.dropLast()))")
            Thread.sleep(forTimeInterval: 0.3)
            XCTAssertTrue(isRunning(pid), "the unrelated process was not signalled (\(line.dropLast()))")
            try FileManager.default.removeItem(at: dir)
        }
    }

    /// A pid file that names process 1 (or 0, or a negative number, whose signal reaches every
    /// process or a group) is never waited on; no stop is requested here, so that a regression
    /// waits rather than signals.
    func testPidOneIsNeverWaitedOn() throws {
        for line in ["1\n", "1 1 x\n", "0\n", "-1 5 x\n"] {
            let (command, dir, shellCommand) = try interruptedFolder(pidLine: line)
            let adopted = adopt(command, dir, shellCommand, stop: StopRequest(), within: 3)
            XCTAssertNotNil(adopted, "not waited on: \(line.dropLast())")
            XCTAssertNil(adopted?.result)
            try FileManager.default.removeItem(at: dir)
        }
    }

    /// The command's own pid file proves it: the process that holds it, with its start time and
    /// token, is waited for and its result taken; a stop request while waiting ends it.
    func testTheCommandsOwnProcessIsAdopted() throws {
        #if os(Linux)
        for stopping in [false, true] {
            let hold = folder.appendingPathComponent("hold")
            try Data().write(to: hold)
            let command = LocalProcessExecutor(command: "while [ -e \(hold.path) ]; do sleep 0.05; done; " + result, workDirectory: folder)
            let first = StopRequest()
            let request = EvaluationRequest(pair: pair, searched: .reg, stage: .mos, seed: stopping ? 2 : 1)
            let (_, dir, shellCommand) = command.command.prepared(request, jobs: 1)
            // The first evaluation runs on a thread, standing for the search that is killed: its
            // command goes on, and a second search adopts it.
            Thread { _ = command.evaluate(request, context: EvaluationContext(stop: first)) }.start()
            XCTAssertTrue(waitFor(CandidateFolder(dir).pidFile))
            let line = try String(contentsOf: CandidateFolder(dir).pidFile, encoding: .utf8)
            let pid = try XCTUnwrap(line.split(whereSeparator: \.isWhitespace).first.flatMap { Int32(String($0)) })
            let stop = StopRequest()
            if stopping {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { stop.request(signal: SIGINT) }
            } else {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { try? FileManager.default.removeItem(at: hold) }
            }
            let adopted = try XCTUnwrap(adopt(command.command, dir, shellCommand, stop: stop, within: 15))
            XCTAssertGreaterThan(adopted.seconds, 0.3, "waited for the command")
            if stopping {
                XCTAssertEqual(adopted.result?.status, .failed)
                XCTAssertTrue(adopted.result?.reason.contains("stopped while waiting for the command (process \(pid))") == true, adopted.result?.reason ?? "")
                XCTAssertTrue(ended(pid, within: 1), "the adopted command was ended")
                try? FileManager.default.removeItem(at: hold)
            } else {
                XCTAssertEqual(adopted.result?.status, .ok, adopted.result?.reason ?? "")
            }
            first.request(signal: SIGTERM)
        }
        #endif
    }

    func waitFor(_ file: URL, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: file.path) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return FileManager.default.fileExists(atPath: file.path)
    }
}
