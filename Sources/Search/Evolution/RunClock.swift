import Foundation

/// Seconds since a search started, as its time limit, its hall of fame's times and its workers'
/// utilisation read them: the wall clock, or a virtual one (`--virtual-clock`), which the
/// scheduler moves to each simulated training's end, so that a search of 256 workers and
/// thousands of trainings of minutes each runs in seconds and gives the times it would take.
protocol RunClock: AnyObject, Sendable {
    var elapsed: TimeInterval { get }
}

/// The wall clock, from the search's start.
final class WallClock: RunClock {
    let started: Date
    init(started: Date) { self.started = started }
    var elapsed: TimeInterval { Date().timeIntervalSince(started) }
}

/// A clock that only moves when told: to the end of the simulated training that ends next.
final class VirtualClock: RunClock, @unchecked Sendable {
    private var now = 0.0
    private let lock = NSLock()

    var elapsed: TimeInterval {
        lock.lock()
        defer { lock.unlock() }
        return now
    }

    /// Moves the clock to `time` (never back).
    func advance(to time: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        now = max(now, time)
    }
}
