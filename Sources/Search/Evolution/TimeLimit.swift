import Detection
import Foundation

/// A search's wall-clock budget (`SearchOptions.timeLimitMinutes`): a limit, so no training
/// starts that would end after it at the pace of its stage's trainings so far (unless
/// `allowOverrun`).
final class TimeLimit: @unchecked Sendable {
    let clock: any RunClock
    let minutes: Double?
    let allowOverrun: Bool
    /// How long each stage's trainings take here.
    let pace = StagePace()
    /// Set when a training was not started because it would have ended after the limit.
    private(set) var stoppedBeforeLimit: String?
    private let lock = NSLock()

    init(_ options: SearchOptions, clock: any RunClock) {
        self.clock = clock
        minutes = options.timeLimitMinutes
        allowOverrun = options.allowOverrun == true
    }

    var elapsed: TimeInterval { clock.elapsed }

    var isUp: Bool { minutes.map { elapsed >= $0 * 60 } ?? false }

    /// Whether a training at `stage` may start now: the limit is not reached, and at the
    /// stage's pace the training would end before it (else the reason is kept for `exhausted`).
    func mayStart(_ stage: TrainingStage) -> Bool {
        if isUp { return false }
        guard !allowOverrun, let minutes, let seconds = pace.mean(stage), elapsed + seconds > minutes * 60 else { return true }
        lock.lock()
        stoppedBeforeLimit = String(format: "time limit of %@ minutes: a %@ training (~%.0f s here) would end after it",
                                    Evolution.minutes(minutes), stage.rawValue, seconds)
        lock.unlock()
        return false
    }

    /// Why the run ends for its time limit, or nil.
    var exhausted: String? {
        lock.lock()
        defer { lock.unlock() }
        if let reason = stoppedBeforeLimit { return reason }
        if let minutes, elapsed >= minutes * 60 { return "time limit of \(Evolution.minutes(minutes)) minutes reached" }
        return nil
    }
}

/// The mean seconds of a stage's trainings so far (from any thread).
final class StagePace: @unchecked Sendable {
    private var sums: [TrainingStage: (seconds: Double, count: Int)] = [:]
    private let lock = NSLock()

    func add(_ seconds: Double, stage: TrainingStage) {
        guard seconds > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let s = sums[stage] ?? (0, 0)
        sums[stage] = (s.seconds + seconds, s.count + 1)
    }

    func mean(_ stage: TrainingStage) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        return sums[stage].map { $0.seconds / Double($0.count) }
    }
}
