import Detection
import Foundation

/// A search's wall-clock budget (`SearchOptions.timeLimitMinutes`): a limit, so no training
/// starts that would end after it at the pace of its stage's trainings so far (unless
/// `allowOverrun`), and a generation's MOS stage leaves its proxy trainings their time.
final class TimeLimit: @unchecked Sendable {
    let clock: any RunClock
    let minutes: Double?
    let allowOverrun: Bool
    /// How long each stage's trainings take here.
    let pace = StagePace()
    /// What the run's plan predicted a training of each stage takes (`--fit-minutes`), the pace
    /// until the stage's first training has ended.
    let planned: PlannedSeconds?
    /// Set when a training was not started because it would have ended after the limit.
    private(set) var stoppedBeforeLimit: String?
    private let lock = NSLock()

    init(_ options: SearchOptions, clock: any RunClock) {
        self.clock = clock
        minutes = options.timeLimitMinutes
        allowOverrun = options.allowOverrun == true
        planned = options.planned
    }

    /// "the proxy training", "the 4 proxy trainings".
    static func proxyTrainings(_ n: Int) -> String { n == 1 ? "the proxy training" : "the \(n) proxy trainings" }

    /// How much longer than its pace so far a proxy training is reckoned when a generation asks
    /// whether its proxy stage still fits.
    static let proxyReserve = 1.25

    /// The seconds a training at `stage` takes here: the mean so far, else the plan's.
    func seconds(_ stage: TrainingStage) -> Double? {
        pace.mean(stage) ?? planned.map { stage == .mos ? $0.mos : $0.proxy }
    }

    /// What a generation's plan is measured with: the seconds left before the limit, a MOS
    /// training's, and a proxy training's as reckoned (a quarter longer than its pace so far: one
    /// loss's proxy trainings spread 124-160 s on one machine, and losses differ; `TimeFit`
    /// keeps a quarter of its minutes free for the same reason). Nil where nothing is planned:
    /// no limit, `allowOverrun`, or no pace yet.
    private var reckoning: (left: Double, mos: Double, pace: Double, proxy: Double)? {
        guard !allowOverrun, let minutes, let mos = seconds(.mos), let pace = seconds(.proxy) else { return nil }
        return (minutes * 60 - elapsed, mos, pace, Self.proxyReserve * pace)
    }

    /// How many of a generation's `wanted` proxy trainings, on `jobs` workers, can still end
    /// before the limit after one MOS training, each as `reckoning` reckons it: `wanted` where
    /// nothing is planned. Where none can, the run ends (`exhausted` says why).
    func proxyTrainingsThatFit(_ wanted: Int, jobs: Int) -> Int {
        guard wanted > 0, let minutes, let r = reckoning else { return wanted }
        let waves = ((r.left - r.mos) / r.proxy).rounded(.down)
        let fit = waves >= 1 ? min(wanted, Int(min(waves, Double(wanted))) * max(1, jobs)) : 0
        if fit == 0 {
            lock.lock()
            stoppedBeforeLimit = String(format: "time limit of %@ minutes: a MOS training (~%.0f s here) and a proxy training after it (~%.0f s here, reckoned %.0f s) would end after it",
                                        Evolution.minutes(minutes), r.mos, r.pace, r.proxy)
            lock.unlock()
        }
        return fit
    }

    /// Whether a generation's next MOS training may start: its `proxyTrainings` after it
    /// (`proxyTrainingsThatFit`) still end before the limit. A MOS training whose candidate has no
    /// time left to reach the proxy stage is time lost: on a machine slower or busier than
    /// planned the generation trains fewer MOS candidates instead.
    func mosLeavesProxyTime(proxyTrainings: Int, jobs: Int) -> Bool {
        guard proxyTrainings > 0, let r = reckoning else { return true }
        let waves = (proxyTrainings + max(1, jobs) - 1) / max(1, jobs)
        return r.mos + Double(waves) * r.proxy <= r.left
    }

    /// Whether a training at `stage` can be judged against the limit: its seconds are known
    /// (`seconds`), or there is no limit to keep.
    func knowsLength(_ stage: TrainingStage) -> Bool { minutes == nil || allowOverrun || seconds(stage) != nil }

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
