import Foundation

/// Hands one stage's trainings to the evaluator, `jobs` at a time (an external evaluator on
/// Slurm wants many; the built-in detector uses both cores by itself), and gives their results
/// back in the items' order, so that the search's course does not depend on which finished
/// first. Before each training starts it asks `mayStart` (the time limit, the budget); the first
/// refusal ends the batch, and the items not started get nil. The items it starts at once (the
/// first `jobs`) it hands to `starting` together before training them: the evaluator may send
/// them as one (a Slurm job array), with no waiting to see what else comes, and says when the
/// stage's trainings have `ended`.
struct StageScheduler {
    let jobs: Int
    /// The workers' busy time, for the search's utilisation.
    let workerTime = WorkerTime()

    func run<Item>(_ items: [Item], mayStart: (Int) -> Bool, starting: ([Item]) throws -> Void = { _ in }, ended: () -> Void = {},
                   train: @escaping @Sendable (Item) throws -> (result: EvaluationResult, elapsed: TimeInterval)) throws
        -> [(result: EvaluationResult, elapsed: TimeInterval)?] {
        // The first wave: every item that may start before any training ends.
        let firstWave = min(max(1, jobs), items.count)
        var wave = 0
        while wave < firstWave && mayStart(wave) { wave += 1 }
        let refused = wave < firstWave
        if wave > 1 { try starting(Array(items[..<wave])) }
        defer { if wave > 1 { ended() } }
        let slots = Slots(items.count)
        let limit = DispatchSemaphore(value: max(1, jobs))
        let group = DispatchGroup()
        for (k, item) in items.enumerated() {
            limit.wait()
            // The first wave was asked already (and the item after it, where it was refused).
            guard k < wave || (!refused && mayStart(k)) else { limit.signal(); break }
            group.enter()
            // A queue of its own, which Dispatch runs on its overcommitting pool (a thread at once,
            // kept for reuse): the default global queue on Linux adds a thread about once a second
            // while its threads block, so --jobs 16 took 16 s to start a stage's jobs. (Not a new
            // Thread per training: one that ends tears down oneDNN's OpenMP team with it, and that
            // corrupted the heap.)
            let box = UncheckedBox(item)
            let workerTime = workerTime
            DispatchQueue(label: "autoloss.training").async {
                let started = workerTime.started()
                defer { workerTime.ended(since: started); limit.signal(); group.leave() }
                do {
                    let done = try train(box.value)
                    slots.lock.lock(); slots.results[k] = done; slots.lock.unlock()
                } catch {
                    slots.lock.lock(); slots.error = error; slots.lock.unlock()
                }
            }
        }
        group.wait()
        if let error = slots.error { throw error }
        return slots.results
    }
}

/// The results of a batch, filled from the trainings' threads.
private final class Slots: @unchecked Sendable {
    var results: [(result: EvaluationResult, elapsed: TimeInterval)?]
    var error: Error?
    let lock = NSLock()
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}

/// A value handed to a training's thread, which alone reads it.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// How busy a scheduler's workers were: the seconds trainings ran, summed over the workers, from
/// the first training's start. A generational search's workers idle while a generation waits
/// for its slowest training and while the next one is screened.
final class WorkerTime: @unchecked Sendable {
    private var busy = 0.0
    private var first: Date?
    private let lock = NSLock()

    func started() -> Date {
        let now = Date()
        lock.lock()
        defer { lock.unlock() }
        if first == nil { first = now }
        return now
    }

    func ended(since start: Date) {
        let seconds = Date().timeIntervalSince(start)
        lock.lock()
        defer { lock.unlock() }
        busy += seconds
    }

    /// Busy worker-time over the worker-time `jobs` workers had since the first training
    /// started, 0-1; nil before any training.
    func utilisation(jobs: Int) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        guard let first else { return nil }
        let available = Double(max(1, jobs)) * Date().timeIntervalSince(first)
        return available > 0 ? min(1, busy / available) : nil
    }
}
