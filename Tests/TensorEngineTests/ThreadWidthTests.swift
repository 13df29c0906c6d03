import Foundation
@testable import TensorEngine
import XCTest

/// Fewer threads while other processes keep the cores busy (`ThreadWidth`): the arithmetic of
/// the choice, /proc/stat read, and a real neighbour of busy processes seen by it.
final class ThreadWidthTests: XCTestCase {
    override func tearDown() {
        ThreadWidth.isAdaptive = false
        ThreadWidth.set(ProcessorBudget.cores)
    }

    func testTheWidthIsTheCoresTheOthersLeave() {
        XCTAssertEqual(ThreadWidth.target(cores: 2, othersBusy: 0), 2)
        XCTAssertEqual(ThreadWidth.target(cores: 2, othersBusy: 0.3), 2, "a light neighbour leaves both cores")
        XCTAssertEqual(ThreadWidth.target(cores: 2, othersBusy: 1.0), 1)
        XCTAssertEqual(ThreadWidth.target(cores: 2, othersBusy: 1.4), 1, "a busy loop beside one thread of ours")
        XCTAssertEqual(ThreadWidth.target(cores: 2, othersBusy: 7), 1, "never fewer than one")
        XCTAssertEqual(ThreadWidth.target(cores: 16, othersBusy: 4.2), 12)
        XCTAssertEqual(ThreadWidth.target(cores: 16, othersBusy: 0), 16)
    }

    func testProcStatIsReadAsBusySeconds() {
        // user nice system idle iowait irq softirq steal guest guest_nice, in ticks.
        let stat = "cpu  1000 50 200 9000 300 10 20 70 0 0\ncpu0 500 25 100 4500 150 5 10 35 0 0\nintr 1\n"
        XCTAssertEqual(CPUSample.machineBusySeconds(stat, ticksPerSecond: 100), 12.8)  // 1000 + 50 + 200 + 10 + 20
        XCTAssertNil(CPUSample.machineBusySeconds("intr 1\n", ticksPerSecond: 100))
        let earlier = CPUSample(machineBusy: 100, own: 10, time: 50)
        let later = CPUSample(machineBusy: 104, own: 12, time: 52)
        XCTAssertEqual(later.othersBusyCores(since: earlier), 1.0, "4 busy seconds in 2, 2 of them ours")
        XCTAssertNil(later.othersBusyCores(since: later))
        if FileManager.default.fileExists(atPath: "/proc/stat") { XCTAssertNotNil(CPUSample.now()) }
    }

    /// OpenMP keeps its thread count per thread: a width set on one thread reaches another at
    /// that thread's next `adapt()`, so that a search's next training, on another worker thread,
    /// runs as narrow as the last.
    func testAnotherThreadTakesTheWidthAtItsNextStep() throws {
        guard ProcessorBudget.cores > 1, _OpenMP.threads != nil else { throw XCTSkip("one core, or no OpenMP runtime loaded") }
        ThreadWidth.set(1)
        XCTAssertEqual(_OpenMP.threads, 1, "the thread that set it")
        final class Seen: @unchecked Sendable { var before = -1, after = -1 }
        let seen = Seen(), done = DispatchSemaphore(value: 0)
        let other = Thread {
            seen.before = _OpenMP.threads ?? -1
            ThreadWidth.adapt()
            seen.after = _OpenMP.threads ?? -1
            done.signal()
        }
        other.start()
        done.wait()
        XCTAssertEqual(seen.before, ProcessorBudget.cores, "a new thread starts at OpenMP's default")
        XCTAssertEqual(seen.after, 1, "and takes the width at its next step")
    }

    /// Two busy processes per core beside this one, sleeping: the width falls to 1 after the
    /// second look, a second apart; pinned (not adaptive), it stays.
    func testABusyNeighbourNarrowsTheWidth() throws {
        guard ProcessorBudget.cores > 1, FileManager.default.fileExists(atPath: "/proc/stat") else {
            throw XCTSkip("one core, or no /proc/stat: nothing to narrow")
        }
        let neighbours = try (0..<(2 * ProcessorBudget.cores)).map { _ -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "while :; do :; done"]
            try p.run()
            return p
        }
        defer { for p in neighbours { p.terminate(); p.waitUntilExit() } }
        ThreadWidth.isAdaptive = false
        let start = ProcessInfo.processInfo.systemUptime
        XCTAssertNil(ThreadWidth.adapt(now: start))
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertNil(ThreadWidth.adapt(now: start + 1.2), "not adaptive: pinned")
        XCTAssertEqual(ThreadWidth.current, ProcessorBudget.cores)

        ThreadWidth.isAdaptive = true
        var now = ProcessInfo.processInfo.systemUptime
        XCTAssertNil(ThreadWidth.adapt(now: now), "the first look only records")
        Thread.sleep(forTimeInterval: 1.2)
        now = ProcessInfo.processInfo.systemUptime
        XCTAssertEqual(ThreadWidth.adapt(now: now), 1)
        XCTAssertEqual(ThreadWidth.current, 1)
    }
}
