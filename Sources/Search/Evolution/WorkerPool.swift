import Foundation

/// Up to `jobs` pieces of work at once, each handed back as it ends: what both schedules run
/// their trainings on. On threads (the wall clock), or against a `VirtualClock`: each piece runs
/// at once, on the caller's thread, and is taken to end `duration(output)` seconds after it was
/// handed over, the clock moving to each end in turn, so that the schedule's course is what
/// `jobs` workers would give with those durations, without waiting for them.
///
/// Used from one thread, the scheduler's; the work itself runs on threads of its own.
final class WorkerPool<Output>: @unchecked Sendable {
    /// A piece of work that ended: its id, what it gave, and the clock's time when it ended.
    struct Completion {
        let id: Int
        let outcome: Result<Output, Error>
        let endedAt: TimeInterval
    }

    let jobs: Int
    let clock: any RunClock
    /// Against a virtual clock: the clock, and what each piece takes of it.
    private let virtual: (clock: VirtualClock, duration: (Output) -> TimeInterval)?
    /// Pieces handed over and not yet handed back.
    private(set) var running = 0
    /// Ended, in the order they ended (threads), not yet handed back.
    private var ended: [Completion] = []
    /// Virtual: handed over, with the time each ends and the order they were handed over.
    private var pending: [(end: TimeInterval, order: Int, completion: Completion)] = []
    private var order = 0
    private let lock = NSLock()
    private let endedSignal = DispatchSemaphore(value: 0)
    /// Where the workers' busy time goes.
    let workerTime: WorkerTime

    /// On threads, timed by `clock` (the wall clock).
    init(jobs: Int, clock: any RunClock, workerTime: WorkerTime) {
        self.jobs = max(1, jobs)
        self.clock = clock
        self.workerTime = workerTime
        virtual = nil
    }

    /// Against `clock`, each piece taking `duration(output)` seconds of it (a failed one none).
    init(jobs: Int, virtual clock: VirtualClock, workerTime: WorkerTime, duration: @escaping (Output) -> TimeInterval) {
        self.jobs = max(1, jobs)
        self.clock = clock
        self.workerTime = workerTime
        virtual = (clock, duration)
    }

    var isFull: Bool { running >= jobs }

    /// Starts `work` on a free worker (the caller keeps `running` below `jobs`).
    func submit(_ id: Int, _ work: @escaping @Sendable () throws -> Output) {
        let start = clock.elapsed
        running += 1
        workerTime.started(at: start)
        if let virtual {
            let outcome = Result { try work() }
            let seconds = (try? outcome.get()).map(virtual.duration) ?? 0
            workerTime.add(from: start, to: start + seconds)
            pending.append((start + seconds, order, Completion(id: id, outcome: outcome, endedAt: start + seconds)))
            order += 1
            return
        }
        // A queue of its own, which Dispatch runs on its overcommitting pool (a thread at once,
        // kept for reuse): the default global queue on Linux adds a thread about once a second
        // while its threads block, so 16 jobs took 16 s to start. (Not a new Thread per
        // training: one that ends tears down oneDNN's OpenMP team with it, and that corrupted
        // the heap.)
        let box = UncheckedBox(work)
        let clock = clock
        DispatchQueue(label: "autoloss.training").async { [self] in
            let outcome = Result { try box.value() }
            let end = clock.elapsed
            workerTime.add(from: start, to: end)
            lock.lock()
            ended.append(Completion(id: id, outcome: outcome, endedAt: end))
            lock.unlock()
            endedSignal.signal()
        }
    }

    /// The next piece to end (waiting for it); with `expected`, that piece, which the caller
    /// handed over and has not had back (the others that end first are kept for later). Nil
    /// when nothing runs.
    func next(expected: Int? = nil) -> Completion? {
        guard running > 0 else { return nil }
        if let virtual {
            let k: Int
            if let expected, let i = pending.firstIndex(where: { $0.completion.id == expected }) {
                k = i
            } else {
                k = pending.indices.min { (pending[$0].end, pending[$0].order) < (pending[$1].end, pending[$1].order) }!
            }
            let done = pending.remove(at: k)
            virtual.clock.advance(to: done.end)
            running -= 1
            return done.completion
        }
        while true {
            lock.lock()
            let k = expected.flatMap { e in ended.firstIndex { $0.id == e } } ?? (expected == nil && !ended.isEmpty ? 0 : nil)
            if let k {
                let done = ended.remove(at: k)
                lock.unlock()
                running -= 1
                return done
            }
            lock.unlock()
            endedSignal.wait()
        }
    }
}

/// A value handed to a worker's thread, which alone reads it.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
