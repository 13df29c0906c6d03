import Detection
import Foundation
import Search

/// The trainings under way and when the terminal last heard of the run: while trainings run,
/// a status line at least every `interval` seconds (DESIGN.md, "Search": a progress line during
/// long trainings, at least every 15 s), with the step, the loss, the speed and the time left
/// where the evaluator reports steps (the built-in detector), else how long it has run.
final class LiveStatus: @unchecked Sendable {
    private struct Running {
        var event: TrainingEvent
        var started: Date
        var latest: TrainingProgress?
    }

    let interval: TimeInterval
    private var running: [String: Running] = [:]
    private var lastLine = Date()
    private var stopped = false
    private let lock = NSLock()

    /// How a line names its training ("[proxy g2 #4]").
    let tag: @Sendable (TrainingEvent) -> String

    init(interval: TimeInterval = 15, tag: @escaping @Sendable (TrainingEvent) -> String = SearchRun.tag) {
        self.interval = interval
        self.tag = tag
    }

    /// Follows a training's start, steps and end.
    func record(_ e: TrainingEvent) {
        let key = "\(e.stage.rawValue)/\(e.generation ?? -1)/\(e.slot ?? -1)"
        lock.lock()
        defer { lock.unlock() }
        switch e.phase {
        case .started: running[key] = Running(event: e, started: Date())
        case .progress(let p): running[key]?.latest = p
        case .finished, .reused: running[key] = nil
        }
    }

    /// A line went out now.
    func wrote() {
        lock.lock()
        lastLine = Date()
        lock.unlock()
    }

    /// Checks every second, from a thread of its own, until `stop()`; `say` writes a line.
    func start(say: @escaping @Sendable (String) -> Void) {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                lock.lock()
                if stopped { lock.unlock(); return }
                let due = Date().timeIntervalSince(lastLine) >= interval
                let lines = due ? running.values.sorted { $0.started < $1.started }.map { Self.line($0, tag: tag($0.event)) } : []
                lock.unlock()
                for line in lines { say(line) }
            }
        }
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    /// On a terminal the status lines carry a bar; into a pipe or a file, plain text.
    static let onTerminal = isatty(STDOUT_FILENO) == 1

    /// "[proxy g2 #4] step 450/1000 (45%)  loss 1.234  210 img/s  2:05 in, ~1:20 left", with
    /// "[#########...........] " before the step on a terminal.
    private static func line(_ r: Running, tag: String) -> String {
        let elapsed = Date().timeIntervalSince(r.started)
        guard let p = r.latest else { return "\(tag) running, \(SearchRun.duration(elapsed)) in" }
        let fraction = Double(p.step) / Double(max(1, p.iterations))
        let filled = Int((fraction * 20).rounded(.down))
        let bar = onTerminal ? "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] " : ""
        return String(format: "%@ %@step %d/%d (%.0f%%)  loss %.4f  %.0f img/s  %@ in, ~%@ left", tag, bar, p.step, p.iterations,
                      100 * fraction, Double(p.smoothedLoss), p.imagesPerSecond,
                      SearchRun.duration(elapsed), SearchRun.duration(p.secondsLeft.isFinite ? p.secondsLeft : 0))
    }
}
