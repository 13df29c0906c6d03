import LossLanguage

/// SplitMix64 for building probe batches. Private to Verification, and its uniforms use only
/// exact arithmetic, so that probes (and with them every fingerprint) are the same on every
/// machine and stay fixed whatever other modules change.
struct ProbeRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [a, b), from the top 53 bits.
    mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * (Double(next() >> 11) * 0x1p-53)
    }

    /// A bell-shaped number with mean 0 and standard deviation `sd` (Irwin-Hall: the sum of 12
    /// uniforms, minus 6): exact arithmetic, unlike Box-Muller's log and cos.
    mutating func bell(sd: Double) -> Double {
        var s = 0.0
        for _ in 0..<12 { s += uniform(0, 1) }
        return (s - 6) * sd
    }

    /// Uniform in 0..<n.
    mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
