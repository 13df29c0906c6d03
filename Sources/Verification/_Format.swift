import Foundation

/// Numbers in reasons: short, and the same on every machine.
enum Format {
    /// Up to 3 significant digits, no trailing zeros: 0.1, 2.5, -10, 1.2e-05.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == v.rounded(), Swift.abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%.3g", v)
    }

    /// A fraction as a percentage: "97.5 %".
    static func percent(_ f: Double) -> String {
        String(format: "%.1f %%", f * 100)
    }
}
