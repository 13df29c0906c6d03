import Foundation

/// The difference of two sample means with its confidence interval by Welch's t (unequal
/// variances, Welch–Satterthwaite degrees of freedom): what `autoloss confirm` says a loss
/// gains over the tuned baseline. With three seeds a side, t at 95 % is about 2.8, so an
/// interval is wide: a verdict of "better" needs a gap well above the seeds' spread.
public struct WelchInterval: Sendable, Equatable {
    /// mean(a) - mean(b).
    public var difference: Double
    /// The interval's lower end.
    public var low: Double
    /// The interval's upper end.
    public var high: Double
    /// The Welch–Satterthwaite degrees of freedom (infinite where both samples are constant).
    public var degreesOfFreedom: Double

    /// The interval at `level` (0.95: 95 %) for mean(a) - mean(b); nil where either sample has
    /// fewer than two values (no spread to measure).
    public init?(_ a: [Double], _ b: [Double], level: Double = 0.95) {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let va = sampleDeviation(a) * sampleDeviation(a) / Double(a.count)
        let vb = sampleDeviation(b) * sampleDeviation(b) / Double(b.count)
        difference = sampleMean(a) - sampleMean(b)
        let se = (va + vb).squareRoot()
        guard se > 0 else {
            (low, high, degreesOfFreedom) = (difference, difference, .infinity)
            return
        }
        degreesOfFreedom = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        let t = studentTQuantile(0.5 + level / 2, degreesOfFreedom: degreesOfFreedom)
        (low, high) = (difference - t * se, difference + t * se)
    }

    /// Where the interval lies against zero: above it (better), below it (worse), or across it.
    public var verdict: Verdict { low > 0 ? .better : (high < 0 ? .worse : .level) }

    /// Where an interval lies against zero.
    public enum Verdict: String, Sendable, Codable {
        /// The interval lies above 0.
        case better
        /// The interval holds 0.
        case level
        /// The interval lies below 0.
        case worse
    }
}

/// The quantile of Student's t with `df` degrees of freedom (any positive real): the t whose
/// lower tail holds `p`. Bisection on the distribution function, to 1e-12.
public func studentTQuantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
    precondition(p > 0 && p < 1 && df > 0, "a probability in (0, 1) and positive degrees of freedom")
    if p < 0.5 { return -studentTQuantile(1 - p, degreesOfFreedom: df) }
    var low = 0.0, high = 1.0
    while studentTCDF(high, degreesOfFreedom: df) < p { high *= 2 }
    for _ in 0..<200 where high - low > 1e-12 * max(1, high) {
        let mid = (low + high) / 2
        if studentTCDF(mid, degreesOfFreedom: df) < p { low = mid } else { high = mid }
    }
    return (low + high) / 2
}

/// Student's t distribution function: 1 - I_x(df/2, 1/2) / 2 for t >= 0, x = df / (df + t²).
public func studentTCDF(_ t: Double, degreesOfFreedom df: Double) -> Double {
    let tail = regularizedIncompleteBeta(df / (df + t * t), a: df / 2, b: 0.5) / 2
    return t >= 0 ? 1 - tail : tail
}

/// I_x(a, b), by its continued fraction (Lentz's method), on the side where it converges fast.
func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
    let logFront: Double = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
    let front = exp(logFront)
    let tiny = 1e-300
    var c = 1.0, d = 1 - (a + b) * x / (a + 1)
    d = 1 / (abs(d) < tiny ? tiny : d)
    var f = d
    for m in 1...300 {
        let m = Double(m)
        let even: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        let odd: Double = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        for numerator in [even, odd] {
            d = 1 + numerator * d
            d = 1 / (abs(d) < tiny ? tiny : d)
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            f *= c * d
        }
        if abs(c * d - 1) < 1e-15 { break }
    }
    return front * f / a
}
