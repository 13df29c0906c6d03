import Foundation

/// Weight initialisers. Every random one takes a generator, so a seed reproduces a network.
///
/// ```swift
/// var rng = SystemRandomNumberGenerator()
/// let w = Initialization.kaimingNormal(shape: [64, 32, 3, 3], using: &rng)   // std sqrt(2 / 288)
/// let b = Initialization.priorProbabilityBias(0.01)                          // -4.595
/// ```
public enum Initialization {
    /// Which fan sets Kaiming's variance: the input's (keeps forward activations' scale) or the
    /// output's (keeps backward gradients' scale; torchvision's ResNets use it).
    public enum Fan: Sendable {
        case fanIn, fanOut
    }

    /// Kaiming (He) normal: N(0, gain² / fan) with gain √2 for ReLU networks (He et al. 2015,
    /// "Delving Deep into Rectifiers", eq. 10; PyTorch's `kaiming_normal_`). For a weight of
    /// shape `[out, in, kh, kw]`, fan-in is `in·kh·kw`, fan-out `out·kh·kw`.
    public static func kaimingNormal(
        shape: [Int], fan: Fan = .fanIn, gain: Float = Float(2).squareRoot(),
        using generator: inout some RandomNumberGenerator
    ) -> Tensor {
        precondition(shape.count >= 2, "kaimingNormal: a weight has at least two dimensions, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        let fanValue = (fan == .fanIn ? shape[1] : shape[0]) * receptive
        let std = gain / Float(max(fanValue, 1)).squareRoot()
        return normal(shape: shape, mean: 0, standardDeviation: std, using: &generator)
    }

    /// N(mean, std²) samples (Box–Muller in Double; FCOS initialises its head convolutions with
    /// std 0.01).
    public static func normal(
        shape: [Int], mean: Float = 0, standardDeviation: Float,
        using generator: inout some RandomNumberGenerator
    ) -> Tensor {
        let count = shape.reduce(1, *)
        var scalars = [Float](repeating: 0, count: count)
        var k = 0
        while k < count {
            // u1 in (0, 1] so that log(u1) is finite.
            let u1 = 1 - Double.random(in: 0..<1, using: &generator)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            scalars[k] = mean + standardDeviation * Float(radius * Foundation.cos(2 * Double.pi * u2))
            if k + 1 < count {
                scalars[k + 1] = mean + standardDeviation * Float(radius * Foundation.sin(2 * Double.pi * u2))
            }
            k += 2
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The bias that makes a sigmoid classifier start at probability `p` for every class:
    /// b = -log((1 - p) / p) (Lin et al. 2017, "Focal Loss for Dense Object Detection", §4.1:
    /// without it the many negatives swamp the first iterations). `p = 0.01` gives -4.595.
    public static func priorProbabilityBias(_ p: Float) -> Float {
        precondition(p > 0 && p < 1, "priorProbabilityBias: p must lie in (0, 1), got \(p)")
        return Float(-Foundation.log((1 - Double(p)) / Double(p)))
    }
}
