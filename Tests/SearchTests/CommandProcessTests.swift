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

    func waitFor(_ file: URL, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: file.path) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return FileManager.default.fileExists(atPath: file.path)
    }
}
