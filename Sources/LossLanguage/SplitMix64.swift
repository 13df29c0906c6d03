/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
/// 2014): a tiny generator whose every output is a pure function of its seed. Every random choice
/// in autoloss (search, synthetic data, tests) takes one, so that a seed reproduces a run bit for
/// bit. Its own `unit()`, `below(_:)` and `normal()` are plain arithmetic, unlike the standard
/// library's `random(in:)`, whose algorithm is not promised to stay the same across Swift versions.
///
/// ```swift
/// var rng = SplitMix64(seed: 42)
/// let u = rng.unit()          // in [0, 1)
/// let k = rng.below(6)        // in 0..<6
/// ```
public struct SplitMix64: RandomNumberGenerator, Hashable, Sendable {
    private var state: UInt64

    /// The generator for a seed (the state starts one golden-ratio step past it).
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// The generator whose internal state is `state` (the data layer's convention).
    public init(state: UInt64) { self.state = state }

    /// The internal state, for `init(state:)` to continue from (a training's checkpoint).
    public var currentState: UInt64 { state }

    /// A generator for the `index`-th item of stream `stream` under `seed`: items are independent
    /// of each other, so item 17 is generated without generating items 0 to 16.
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mixer = SplitMix64(state: seed ^ 0x5851_F42D_4C95_7F2D)
        state = mixer.next() ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        state = next() ^ (index &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform in 0..<n (multiply-shift; the bias, below n / 2^64, is immaterial here).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "below(\(n)): n must be positive")
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// An index drawn with probability proportional to `weights`.
    public mutating func pick(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = unit() * total
        for (k, w) in weights.enumerated() {
            target -= w
            if target < 0 { return k }
        }
        return weights.count - 1
    }

    /// Approximately standard normal: the centred sum of four uniforms (Irwin-Hall), scaled to
    /// unit variance. Plain arithmetic, so it is the same on every platform (no libm).
    public mutating func normal() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.7320508075688772
    }
}
