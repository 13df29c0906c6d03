import Foundation

/// Hands one stage's trainings to the evaluator, `jobs` at a time (an external evaluator on
/// Slurm wants many; the built-in detector uses both cores by itself), and gives their results
/// back in the items' order, so that the search's course does not depend on which finished
/// first. Before each training starts it asks `mayStart` (the time limit, the budget); the first
/// refusal ends the batch, and the items not started get nil. The items it starts at once (the
/// first `jobs`) it hands to `starting` together before training them: the evaluator may send
/// them as one (a Slurm job array), with no waiting to see what else comes, and says when the
/// stage's trainings have `ended`.
///
/// The generational schedule's: a stage starts when the one before it has ended, so its
/// workers wait for the slowest training of each (`WorkerPool.utilisation` says how much).
struct StageScheduler {
    let jobs: Int
    /// The wall clock, or a virtual one, on which each training takes its result's seconds
    /// (`VirtualDurations` drew them).
    let clock: any RunClock
    /// The workers' busy time over every stage, for the search's utilisation.
    let workerTime = WorkerTime()

    init(jobs: Int, clock: any RunClock = WallClock(started: Date())) {
        self.jobs = max(1, jobs)
        self.clock = clock
    }

    /// The workers' busy time over the time they had, so far (`WorkerTime`).
    var utilisation: Double? { workerTime.utilisation(jobs: jobs, now: clock.elapsed) }
    /// The same while trainings were still being started (`WorkerTime.utilisationWhileStarting`).
    var utilisationWhileStarting: Double? { workerTime.utilisationWhileStarting(jobs: jobs) }

    /// A pool for one stage's trainings, on this scheduler's clock.
    func pool() -> WorkerPool<EvaluationResult> {
        if let clock = clock as? VirtualClock {
            return WorkerPool(jobs: jobs, virtual: clock, workerTime: workerTime) { $0.seconds }
        }
        return WorkerPool(jobs: jobs, clock: clock, workerTime: workerTime)
    }

    func run<Item>(_ items: [Item], mayStart: (Int) -> Bool, starting: ([Item]) throws -> Void = { _ in }, ended: () -> Void = {},
                   train: @escaping @Sendable (Item) throws -> EvaluationResult) throws
        -> [(result: EvaluationResult, elapsed: TimeInterval)?] {
        // The first wave: every item that may start before any training ends.
        let firstWave = min(jobs, items.count)
        var wave = 0
        while wave < firstWave && mayStart(wave) { wave += 1 }
        let refused = wave < firstWave
        if wave > 1 { try starting(Array(items[..<wave])) }
        defer { if wave > 1 { ended() } }
        let pool = pool()
        var results: [(result: EvaluationResult, elapsed: TimeInterval)?] = Array(repeating: nil, count: items.count)
        var failure: Error?
        var k = 0, closed = false
        while true {
            // As workers free: the first wave (asked already), then each item asked as it comes;
            // the first refusal (or one in the first wave) starts no more.
            while !pool.isFull && k < items.count && !closed {
                if k >= wave && (refused || !mayStart(k)) {
                    closed = true
                    break
                }
                let item = UncheckedBox(items[k])
                pool.submit(k) { try train(item.value) }
                k += 1
            }
            guard let done = pool.next() else { break }
            switch done.outcome {
            case .success(let r): results[done.id] = (r, done.endedAt)
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return results
    }
}

/// How busy a search's workers were: the seconds trainings ran, summed over the workers,
/// against the worker-time they had from the first training's start. A generational search's
/// workers idle while a generation waits for its slowest training and while the next one is
/// screened.
final class WorkerTime: @unchecked Sendable {
    /// Each training's start and end on the run's clock.
    private var spans: [(start: TimeInterval, end: TimeInterval)] = []
    private var first: TimeInterval?
    private var lastStart: TimeInterval?
    private let lock = NSLock()

    func started(at time: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        if first == nil { first = time }
        lastStart = time
    }

    func add(from start: TimeInterval, to end: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        spans.append((start, end))
    }

    /// Busy worker-time over the worker-time `jobs` workers had from the first training's start
    /// until `now`, 0-1; nil before any training.
    func utilisation(jobs: Int, now: TimeInterval) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        guard let first else { return nil }
        return Self.share(spans, jobs: jobs, from: first, to: now)
    }

    /// The same between the first training's start and the last one's: how full the schedule
    /// kept its slots while it had trainings to start (the end, where the last ones finish with
    /// nothing left to start, aside). Nil before two trainings started apart.
    func utilisationWhileStarting(jobs: Int) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        guard let first, let lastStart else { return nil }
        return Self.share(spans, jobs: jobs, from: first, to: lastStart)
    }

    private static func share(_ spans: [(start: TimeInterval, end: TimeInterval)], jobs: Int, from: TimeInterval, to: TimeInterval) -> Double? {
        let available = Double(max(1, jobs)) * (to - from)
        guard available > 0 else { return nil }
        let busy = spans.reduce(0.0) { $0 + max(0, min($1.end, to) - max($1.start, from)) }
        return min(1, busy / available)
    }
}
