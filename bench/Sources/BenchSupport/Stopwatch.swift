import Dispatch

/// Wall time since it was started, on the monotonic clock (`DispatchTime`, which does not move
/// with the system clock).
///
/// ```swift
/// let watch = Stopwatch()
/// work()
/// print(watch.milliseconds)
/// ```
public struct Stopwatch {
    /// Nanoseconds of `DispatchTime.now()` when the watch was started.
    public let start: UInt64

    @inlinable public init() { start = DispatchTime.now().uptimeNanoseconds }

    @inlinable public var nanoseconds: UInt64 { DispatchTime.now().uptimeNanoseconds - start }
    @inlinable public var milliseconds: Double { Double(nanoseconds) / 1e6 }
    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// Median wall time in milliseconds of `body` over `repeats` runs after two warm-ups: the figure
/// every Swift benchmark reports (bench/_timing.py's `median_ms` is the same for the anchors).
@inlinable
public func measure(_ repeats: Int, _ body: () -> Void) -> Double {
    body()
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let watch = Stopwatch()
        body()
        times.append(watch.milliseconds)
    }
    return median(times)
}

/// The middle value of `values` (of an even count, the upper of the two middle ones, as
/// `median_ms` in bench/_timing.py takes it).
@inlinable
public func median(_ values: some Collection<Double>) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}
