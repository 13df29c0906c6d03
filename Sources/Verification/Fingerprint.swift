import Foundation
import LossLanguage

/// A behavioural fingerprint: the hash of a loss's prediction gradients on a fixed seeded probe
/// batch, each rounded to `CPVOptions.fingerprintDigits` significant digits, and of whether each
/// value is finite. Equal fingerprints mean equivalent for training (AutoML-Zero's functional
/// equivalence check, AutoLoss-Zero's gradient equivalence): `a * b` and `b * a`, `-(-x)` and
/// `x` collide; `x` and `2 * x` do not. The values themselves do not count: training sees only
/// the gradient (w and y are detached data), so `giou` and `giou + 2`, and `ce` and `w + ce`,
/// train identically and must collide; only a value that is not finite matters (the trainer
/// stops there).
///
///     let f = Verifier().verify(try Expr.resolve("ce", branch: .softmax), branch: .softmax).fingerprint
///     print(f!.hex)   // 16 hex digits, the same on every run and machine
///
/// The hash is FNV-1a 64 (LossLanguage's `FNV1a`) over a fixed byte encoding of the branch and of each
/// rounded number: a tag byte (0 zero, 1 NaN, 2 +inf, 3 -inf, 4 finite), then for finite numbers
/// the decimal mantissa (Int64) and exponent (Int16), little-endian.
public struct Fingerprint: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 64-bit FNV-1a hash of the rounded values and gradients.
    public let value: UInt64

    /// A fingerprint read back (from a run store).
    public init(value: UInt64) { self.value = value }

    /// 16 lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public var description: String { hex }

    /// The fingerprint of an evaluation on the branch's fingerprint probe: each value's class
    /// (finite, NaN, +inf, -inf), then the gradient of each prediction input in the branch's order.
    init(branch: Branch, evaluation: LossEvaluation<Double>, options: CPVOptions) {
        var hasher = FNV1a()
        hasher.add(bytes: Array(branch.rawValue.utf8))
        for v in evaluation.values { hasher.add(byte: FNV1a.classByte(v)) }
        for input in branch.predictionInputs {
            hasher.add(bytes: [0xFF, input.rawValue])
            for g in evaluation.gradients[input] ?? [] { hasher.add(number: g, options: options) }
        }
        value = hasher.value
    }
}

extension FNV1a {
    /// The byte hashed for a number's class: 1 NaN, 2 +inf, 3 -inf, 4 finite (and 0 for a
    /// number that rounds to zero, in `add(number:)`).
    static func classByte(_ v: Double) -> UInt8 { v.isNaN ? 1 : v.isInfinite ? (v > 0 ? 2 : 3) : 4 }

    mutating func add(number v: Double, options: CPVOptions) {
        let rounded = Rounded(v, digits: options.fingerprintDigits, zeroFloor: options.fingerprintZeroFloor)
        add(byte: rounded == .zero ? 0 : Self.classByte(v))
        if case .finite(let mantissa, let exponent) = rounded {
            add(littleEndian: mantissa)
            add(littleEndian: exponent)
        }
    }
}

/// A number rounded to `digits` significant decimal digits: v ~ mantissa * 10^exponent with
/// 10^(digits-1) <= |mantissa| < 10^digits.
enum Rounded: Equatable {
    case zero, nan
    case infinity(positive: Bool)
    case finite(mantissa: Int64, exponent: Int16)

    init(_ v: Double, digits: Int, zeroFloor: Double) {
        if v.isNaN { self = .nan; return }
        if v.isInfinite { self = .infinity(positive: v > 0); return }
        if Swift.abs(v) < zeroFloor || v == 0 { self = .zero; return }
        var exponent = Int(log10(Swift.abs(v)).rounded(.down)) - digits + 1
        var mantissa = (v / pow(10, Double(exponent))).rounded()
        let limit = pow(10, Double(digits))
        // log10 may be off by one at exact powers of ten: renormalise.
        if Swift.abs(mantissa) >= limit { mantissa = (mantissa / 10).rounded(); exponent += 1 }
        if Swift.abs(mantissa) < limit / 10 { exponent -= 1; mantissa = (v / pow(10, Double(exponent))).rounded() }
        self = .finite(mantissa: Int64(mantissa), exponent: Int16(clamping: exponent))
    }
}
