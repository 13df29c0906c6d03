import Dispatch
import Foundation

/// Splitting elementwise and packing work over the cores with `DispatchQueue.concurrentPerform`
/// (portable: libdispatch on Linux, GCD on macOS). oneDNN runs its own OpenMP threads; the two
/// never overlap because every call here returns before the next oneDNN call starts.
///
/// Several trainings side by side (one process per core) should each be started with
/// `OMP_NUM_THREADS=1`: OpenMP reads it for oneDNN, and this width follows it, so that no process
/// spreads over the cores of another (oversubscribed OpenMP threads wait on each other at every
/// barrier: a 0.2 ms convolution was seen taking 80 ms on the loaded machine).
enum Parallel {
    /// The threads to use now: the cores this process may use (`ProcessorBudget`: the affinity
    /// mask, the cgroup quota, `OMP_NUM_THREADS`), fewer while other processes keep them busy
    /// (`ThreadWidth`).
    static var width: Int { ThreadWidth.current }

    /// Runs `body(i)` for `i` in `0..<count`, in parallel when there is more than one item.
    /// Items should be coarse (an image, a channel group): each is one task.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 || width == 1 {
            for i in 0..<count { body(i) }
        } else if count > 1 {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }

    /// Runs `body` over contiguous ranges covering `0..<count`, each at least `grain` long
    /// (below that the threading costs more than it saves); a few ranges per core so that a
    /// core slowed by other work does not hold up the rest.
    static func forRanges(_ count: Int, grain: Int = 16_384, _ body: (Range<Int>) -> Void) {
        let chunks = min(width * 4, count / max(grain, 1))
        if chunks <= 1 || width == 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
            body(start..<end)
        }
    }
}

/// A pointer that may cross into `concurrentPerform`'s closures; every task writes a disjoint part.
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    init(_ base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
}
