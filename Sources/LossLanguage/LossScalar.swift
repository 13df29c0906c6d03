#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The floating-point types the evaluator runs in: Float for speed, Double for references and
/// gradient checks. Each supplies the elementary functions the primitives are built from.
public protocol LossScalar: BinaryFloatingPoint, Sendable {
    /// e^x.
    static func mExp(_ x: Self) -> Self
    /// The natural logarithm.
    static func mLog(_ x: Self) -> Self
    /// log(1 + x).
    static func mLog1p(_ x: Self) -> Self
    /// The sine.
    static func mSin(_ x: Self) -> Self
    /// The cosine.
    static func mCos(_ x: Self) -> Self
    /// The hyperbolic tangent.
    static func mTanh(_ x: Self) -> Self
    /// The error function.
    static func mErf(_ x: Self) -> Self
    /// The arc tangent.
    static func mAtan(_ x: Self) -> Self
    /// The square root.
    static func mSqrt(_ x: Self) -> Self
}

extension Double: LossScalar {
    /// libm's exp.
    @inline(__always) public static func mExp(_ x: Double) -> Double { exp(x) }
    /// libm's log.
    @inline(__always) public static func mLog(_ x: Double) -> Double { log(x) }
    /// libm's log1p.
    @inline(__always) public static func mLog1p(_ x: Double) -> Double { log1p(x) }
    /// libm's sin.
    @inline(__always) public static func mSin(_ x: Double) -> Double { sin(x) }
    /// libm's cos.
    @inline(__always) public static func mCos(_ x: Double) -> Double { cos(x) }
    /// libm's tanh.
    @inline(__always) public static func mTanh(_ x: Double) -> Double { tanh(x) }
    /// libm's erf.
    @inline(__always) public static func mErf(_ x: Double) -> Double { erf(x) }
    /// libm's atan.
    @inline(__always) public static func mAtan(_ x: Double) -> Double { atan(x) }
    /// The exact square root.
    @inline(__always) public static func mSqrt(_ x: Double) -> Double { x.squareRoot() }
}

/// Float runs on the vectorisable approximations of `FastFloat`; log1p is log(1 + x), used only
/// by softplus on (0, 1], where the difference is below Float's resolution of the sum.
extension Float: LossScalar {
    /// `FastFloat.exp`.
    @inline(__always) public static func mExp(_ x: Float) -> Float { FastFloat.exp(x) }
    /// `FastFloat.log`.
    @inline(__always) public static func mLog(_ x: Float) -> Float { FastFloat.log(x) }
    /// log(1 + x) through `FastFloat.log` (see above).
    @inline(__always) public static func mLog1p(_ x: Float) -> Float { FastFloat.log(1 + x) }
    /// `FastFloat.sin`.
    @inline(__always) public static func mSin(_ x: Float) -> Float { FastFloat.sin(x) }
    /// `FastFloat.cos`.
    @inline(__always) public static func mCos(_ x: Float) -> Float { FastFloat.cos(x) }
    /// `FastFloat.tanh`.
    @inline(__always) public static func mTanh(_ x: Float) -> Float { FastFloat.tanh(x) }
    /// `FastFloat.erf`.
    @inline(__always) public static func mErf(_ x: Float) -> Float { FastFloat.erf(x) }
    /// `FastFloat.atan`.
    @inline(__always) public static func mAtan(_ x: Float) -> Float { FastFloat.atan(x) }
    /// The exact square root.
    @inline(__always) public static func mSqrt(_ x: Float) -> Float { x.squareRoot() }
}

/// The primitives' definitions, one place for every evaluator (METHOD.md, "Definitions in the
/// authors' code"): eps = 1e-20 inside log and division, exp clamped at 88, and the S-curves
/// rescaled like the sigmoid (f(0) = 1/2, f'(0) = 1/4, range (0, 1)).
public enum Primitive {
    /// Added inside log and to a divisor, as the authors' code does.
    public static let eps = 1e-20
    /// exp's input is clamped here, as the authors' code does (e^88 is near Float's largest).
    public static let expClamp = 88.0
    /// softplus(x) is x itself above this, as PyTorch's F.softplus.
    public static let softplusThreshold = 20.0

    /// f(a) for an elementwise unary operator (softmax is a vector operator, see the evaluators).
    @inline(__always)
    public static func value<T: LossScalar>(_ op: UnaryOp, _ a: T) -> T {
        switch op {
        case .neg: return -a
        case .exp: return T.mExp(a > T(expClamp) ? T(expClamp) : a)
        case .log: return T.mLog(a + T(eps))
        case .abs: return Swift.abs(a)
        case .sqrt: return T.mSqrt(a)
        case .softmax: return 1  // one class: softmax of a single logit
        // PyTorch's F.softplus (beta 1, threshold 20), as the authors' code computes it: x itself
        // above 20 (where log1p(e^x) exceeds x by less than 2.1e-9, which a loss built as
        // softplus(x) - x would make its whole value); below, log1p(e^x) in the form that keeps
        // Float's resolution for x > 0.
        case .softplus: return a > T(softplusThreshold) ? a : (a > 0 ? a : 0) + T.mLog1p(T.mExp(-Swift.abs(a)))
        case .sigmoid: return 1 / (1 + T.mExp(-a))
        // (1 + (2/pi) gd0(pi a / 4)) / 2 with gd0(t) = 2 atan(tanh(t/2)) = 2 atan(e^t) - pi/2:
        // one exponential instead of tanh's exponential and division. A deliberate difference
        // from the authors' tanh form (README): exact in the far tails, where theirs rounds to 0.
        case .gd: return T(2 / Double.pi) * T.mAtan(T.mExp(T(Double.pi / 4) * a))
        case .alf: return alf(a)
        case .erf: return (1 + T.mErf(T(Double.pi.squareRoot() / 4) * a)) / 2
        case .erfc: return (1 - T.mErf(T(Double.pi.squareRoot() / 4) * a)) / 2
        case .tanh: return T.mTanh(a)
        case .relu: return a < 0 ? 0 : a
        case .sin: return T.mSin(a)
        case .cos: return T.mCos(a)
        }
    }

    /// Whether the operator's backward pass selects rather than multiplies (PyTorch's relu and
    /// clamp): a zero local derivative gives a zero contribution, whatever comes from above.
    /// For exp where it underflows to 0 this is a deliberate difference from the authors' code,
    /// whose exp backward multiplies (inf * 0 = NaN): we keep the limit (README).
    @inline(__always)
    public static func selectsGradient(_ op: UnaryOp) -> Bool { op == .relu || op == .exp }

    /// f'(a), given a and f(a).
    @inline(__always)
    public static func derivative<T: LossScalar>(_ op: UnaryOp, _ a: T, _ out: T) -> T {
        switch op {
        case .neg: return -1
        case .exp: return a <= T(expClamp) ? out : 0
        case .log: return 1 / (a + T(eps))
        // PyTorch's sgn(a): 0 at 0 and at NaN.
        case .abs: return a > 0 ? 1 : (a < 0 ? -1 : 0)
        case .sqrt: return T(0.5) / out
        case .softmax: return 0
        case .softplus: return a > T(softplusThreshold) ? 1 : 1 / (1 + T.mExp(-a))
        case .sigmoid: return out * (1 - out)
        case .gd:
            // 1/4 sech(t) = (1/2) E / (1 + E^2) with E = e^-|t| <= 1: no overflow, one division.
            let e = T.mExp(-Swift.abs(T(Double.pi / 4) * a))
            return T(0.5) * e / (1 + e * e)
        case .alf:
            let h = a / 2
            let r = 1 / T.mSqrt(1 + h * h)
            return T(0.25) * r * r * r
        case .erf: return T(0.25) * T.mExp(-T(Double.pi / 16) * a * a)
        case .erfc: return -T(0.25) * T.mExp(-T(Double.pi / 16) * a * a)
        case .tanh: return 1 - out * out
        // PyTorch's relu backward masks where relu(a) <= 0: NaN passes the gradient on.
        case .relu: return a <= 0 ? 0 : 1
        case .sin: return T.mCos(a)
        case .cos: return -T.mSin(a)
        }
    }

    /// (1 + h / sqrt(1 + h^2)) / 2 with h = a/2; beyond |h| = 1e15 the ratio is ±1 to working
    /// precision, and h^2 would overflow Float (and, past 1e154, Double: the authors' form gives
    /// 0.5 there, a deliberate difference, README).
    @inline(__always)
    static func alf<T: LossScalar>(_ a: T) -> T {
        let h = a / 2
        let ratio = Swift.abs(h) > T(1e15) ? (h > 0 ? 1 : -1) : h / T.mSqrt(1 + h * h)
        return (1 + ratio) / 2
    }

    /// a op b for an elementwise binary operator (dot is elementwise `*` before its class sum).
    @inline(__always)
    public static func value<T: LossScalar>(_ op: BinaryOp, _ a: T, _ b: T) -> T {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul, .dot: return a * b
        case .div: return a / (b + T(eps))
        }
    }
}
