/// Clipping by the global gradient norm, PyTorch's `clip_grad_norm_`: when the Euclidean norm
/// of all gradients together exceeds `maxNorm`, every gradient is scaled by
/// maxNorm / (norm + 1e-6). One bad batch (a huge loss from a candidate formula) then moves
/// the weights no further than a normal one, while the direction is kept.
///
/// ```swift
/// let norm = GradientClipping.clipGlobalNorm(net.parameters, maxNorm: 35)
/// if !norm.isFinite { /* stop: the loss produced NaN or Inf gradients */ }
/// ```
public enum GradientClipping {
    /// Clips in place and returns the norm before clipping (accumulated in Double). A
    /// non-finite norm leaves the gradients untouched: the caller decides to stop.
    @discardableResult
    public static func clipGlobalNorm(_ parameters: [Parameter], maxNorm: Float) -> Double {
        precondition(maxNorm > 0, "clipGlobalNorm: maxNorm must be positive")
        let norm = globalNorm(parameters)
        guard norm.isFinite else { return norm }
        let coefficient = Double(maxNorm) / (norm + 1e-6)
        if coefficient < 1 {
            for p in parameters { p.gradient = p.gradient * Float(coefficient) }
        }
        return norm
    }

    /// √(Σ over parameters of Σ gradient²).
    public static func globalNorm(_ parameters: [Parameter]) -> Double {
        parameters.reduce(0) { $0 + $1.gradient.squaredNorm() }.squareRoot()
    }
}
