import Foundation

/// Group normalisation (Wu & He 2018, "Group Normalization", eq. 1-3; PyTorch's
/// `nn.GroupNorm`): the channels are split into `groups` groups and each group of each image is
/// normalised by its own mean and variance, then scaled and shifted per channel:
///
///     y[n,c,h,w] = (x[n,c,h,w] - μ[n,g]) / √(σ²[n,g] + ε) · γ[c] + β[c],   g = c / (C / groups)
///
/// with the biased variance σ². Unlike batch normalisation it does not depend on the batch, so
/// the detector behaves the same at batch 2 and 16 and in inference; FCOS uses it in its heads.
///
/// ```swift
/// let norm = GroupNorm(groups: 8, channels: 64)
/// let y = norm.forward(x, training: true)     // x: [N, 64, H, W]
/// ```
///
/// Statistics are accumulated in Double over Float partial sums (two passes: mean, then squared
/// deviations), one task per (image, group) spread over the cores.
///
/// `fusedReLU: true` applies max(y, 0) in the same pass, the GroupNorm + ReLU pair of every
/// detector block: the same values as `Sequential([GroupNorm(...), ReLU()])` with five fewer
/// passes over the tensor per step (the backward pass recomputes the ReLU's mask from the saved
/// input instead of reading a saved output).
public final class GroupNorm: Layer {
    public let groups: Int
    public let channels: Int
    public let epsilon: Float
    /// Whether a ReLU follows in the same pass.
    public let fusedReLU: Bool
    /// γ, `[channels]`, ones initially.
    public let weight: Parameter
    /// β, `[channels]`, zeros initially.
    public let bias: Parameter

    struct Saved {
        var input: Tensor
        var mean: [Float]            // [N * groups]
        var reciprocalStd: [Float]   // [N * groups]
    }
    var saved = _SavedStack<Saved>()

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, fusedReLU: Bool = false) {
        precondition(groups > 0 && channels % groups == 0,
                     "GroupNorm: \(channels) channels do not split into \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        self.fusedReLU = fusedReLU
        weight = Parameter(Tensor(repeating: 1, shape: [channels]), name: "weight")
        bias = Parameter(Tensor(zeros: [channels]), name: "bias")
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (n, c, h, w) = input.nchw
        precondition(c == channels, "GroupNorm: expected \(channels) channels, got input \(input.shape)")
        let plane = h * w, perGroup = c / groups, size = perGroup * plane
        var mean = [Float](repeating: 0, count: n * groups)
        var reciprocalStd = mean
        let relu = fusedReLU
        let output = input.withPointer { x in
            weight.value.withPointer { gamma in
                bias.value.withPointer { beta in
                    mean.withUnsafeMutableBufferPointer { meanBuffer in
                        reciprocalStd.withUnsafeMutableBufferPointer { rstdBuffer in
                            Tensor(uninitialized: input.shape) { y in
                                let x = SendablePointer(x), y = SendablePointer(y), gamma = SendablePointer(gamma), beta = SendablePointer(beta)
                                let means = SendablePointer(meanBuffer.baseAddress!), rstds = SendablePointer(rstdBuffer.baseAddress!)
                                Parallel.forEach(n * groups) { task in
                                    let start = task * size
                                    let m = Float(_Reduce.sum(x.base + start, size) / Double(size))
                                    let variance = _Reduce.sumOfSquaredDeviations(x.base + start, size, mean: m) / Double(size)
                                    let rstd = Float(1 / (variance + Double(epsilon)).squareRoot())
                                    means.base[task] = m
                                    rstds.base[task] = rstd
                                    let firstChannel = (task % groups) * perGroup
                                    for j in 0..<perGroup {
                                        let scale = rstd * gamma.base[firstChannel + j]
                                        let shift = beta.base[firstChannel + j] - m * scale
                                        let src = x.base + start + j * plane, dst = y.base + start + j * plane
                                        if relu {
                                            for k in 0..<plane { dst[k] = max(src[k] * scale + shift, 0) }
                                        } else {
                                            for k in 0..<plane { dst[k] = src[k] * scale + shift }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if training { saved.push(Saved(input: input, mean: mean, reciprocalStd: reciprocalStd)) }
        return output
    }

    public func clearSaved() { saved.removeAll() }
}
