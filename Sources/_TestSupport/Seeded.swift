import LossLanguage

/// The tests' seeded generator: the library's SplitMix64; every random test names its seed.
public typealias SeededGenerator = SplitMix64

/// Relative closeness with an absolute floor, for numeric assertions.
public func isClose(_ a: Double, _ b: Double, relative: Double, absolute: Double = 1e-12) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return Swift.abs(a - b) <= max(absolute, relative * max(Swift.abs(a), Swift.abs(b)))
}
