/// Branch-free Float elementary functions (Cephes' polynomials and range reductions), written
/// so that LLVM vectorises the evaluator's loops around them: libm calls cannot be vectorised,
/// and they were 90 % of the time of a compiled loss. Accuracy: within a few ulp of Double
/// references over the ranges the tests sweep (FastFloatTests). Special values follow libm:
/// NaN stays NaN, overflow gives inf.
public enum FastFloat {
    /// e^x.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        // Comparisons, not min/max, so that NaN clamps to a number here (the integer conversion
        // below must never see NaN) and is restored at the end.
        let low = x > -87.33654 ? x : -87.33654
        let c = low < 88.37626 ? low : 88.37626
        let fx = (c * 1.44269504088896341).rounded(.toNearestOrEven)
        let r = (c - fx * 0.693359375) - fx * -2.12194440e-4
        let z = r * r
        var y: Float = 1.9875691500e-4
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * z + r + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (Int32(fx) &+ 127) &<< 23))
        var result = y * scale
        result = x < -87.33654 ? 0 : result
        result = x > 88.72283 ? .infinity : result
        return x != x ? x : result
    }

    /// The natural logarithm.
    @inlinable @inline(__always)
    public static func log(_ input: Float) -> Float {
        // Subnormals: scale into the normal range first.
        let tiny = input < Float.leastNormalMagnitude
        let x = tiny ? input * 8388608 : input
        let bits = x.bitPattern
        var e = Float(Int32(bitPattern: bits >> 23) &- 126) - (tiny ? 23 : 0)
        var m = Float(bitPattern: (bits & 0x807F_FFFF) | 0x3F00_0000)
        let small = m < 0.707106781186547524
        e = small ? e - 1 : e
        m = small ? m + m - 1 : m - 1
        let z = m * m
        var y: Float = 7.0376836292e-2
        y = y * m - 1.1514610310e-1
        y = y * m + 1.1676998740e-1
        y = y * m - 1.2420140846e-1
        y = y * m + 1.4249322787e-1
        y = y * m - 1.6668057665e-1
        y = y * m + 2.0000714765e-1
        y = y * m - 2.4999993993e-1
        y = y * m + 3.3333331174e-1
        y = y * m * z
        y += e * -2.12194440e-4
        y += -0.5 * z
        var result = m + y + e * 0.693359375
        result = input == .infinity ? .infinity : result
        result = input == 0 ? -.infinity : result
        result = input < 0 ? .nan : result
        return input != input ? input : result
    }

    /// The hyperbolic tangent.
    @inlinable @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let s = x * x
        var p: Float = -5.70498872745e-3
        p = p * s + 2.06390887954e-2
        p = p * s - 5.37397155531e-2
        p = p * s + 1.33314422036e-1
        p = p * s - 3.33332819422e-1
        let near = p * s * x + x
        let far = 1 - 2 / (exp(2 * a) + 1)
        let signed = x < 0 ? -far : far
        return a > 0.625 ? signed : near
    }

    /// The arc tangent.
    @inlinable @inline(__always)
    public static func atan(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let big = a > 2.414213562373095
        let mid = a > 0.4142135623730950
        let t = big ? -1 / a : (mid ? (a - 1) / (a + 1) : a)
        let base: Float = big ? Float.pi / 2 : (mid ? Float.pi / 4 : 0)
        let z = t * t
        var p: Float = 8.05374449538e-2
        p = p * z - 1.38776856032e-1
        p = p * z + 1.99777106478e-1
        p = p * z - 3.33329491539e-1
        let y = base + (p * z * t + t)
        return x < 0 ? -y : y
    }

    /// sin and cos share one reduction to [-pi/4, pi/4]; `quarterTurns` 0 gives sin, 2 gives cos.
    @inlinable @inline(__always)
    public static func sinCos(_ x: Float, quarterTurns: Int32) -> Float {
        // Beyond 2^23 a Float has no fraction left; the reduction then only keeps the result finite.
        let magnitude = Swift.abs(x)
        let a: Float = magnitude < 8_388_608 ? magnitude : 8_388_608  // NaN too
        var j = Int32(a * 1.27323954473516)
        j = (j &+ 1) & ~1
        let y = Float(j)
        let r = ((a - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8
        let z = r * r
        var ps: Float = -1.9515295891e-4
        ps = ps * z + 8.3321608736e-3
        ps = ps * z - 1.6666654611e-1
        let sinR = ps * z * r + r
        var pc: Float = 2.443315711809948e-5
        pc = pc * z - 1.388731625493765e-3
        pc = pc * z + 4.166664568298827e-2
        let cosR = pc * z * z - 0.5 * z + 1
        // Octant of |x| (+ pi/2 for cos): 0 sin, 2 cos, 4 -sin, 6 -cos.
        let octant = (j &+ quarterTurns) & 7
        var v = (octant & 2) != 0 ? cosR : sinR
        v = (octant & 4) != 0 ? -v : v
        // sin is odd, cos even.
        v = (quarterTurns == 0 && x < 0) ? -v : v
        return Swift.abs(x).isFinite ? v : .nan
    }

    /// The sine.
    @inlinable @inline(__always) public static func sin(_ x: Float) -> Float { sinCos(x, quarterTurns: 0) }
    /// The cosine.
    @inlinable @inline(__always) public static func cos(_ x: Float) -> Float { sinCos(x, quarterTurns: 2) }

    /// erf to 1.5e-7 absolute (Abramowitz and Stegun 7.1.26): enough for the scaled erf,
    /// (1 + erf(.)) / 2, which is the only place the primitives use it.
    @inlinable @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let t = 1 / (1 + 0.3275911 * a)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let y = 1 - p * t * exp(-a * a)
        return x < 0 ? -y : y
    }
}
