/// GroupNorm's backward pass. With x̂ = (x - μ)·r (r = 1/√(σ² + ε)), M the group's size and
/// g = dy·γ the gradient of x̂, the standard result (Ioffe & Szegedy 2015, §3, applied per group):
///
///     dx = r · (g - mean(g) - x̂ · mean(g·x̂)),   dγ[c] = Σ dy·x̂,   dβ[c] = Σ dy
///
/// is evaluated from two per-channel sums, s1 = Σ dy and s2 = Σ dy·x, so that dx is one fused
/// pass `dx = a·dy + b·x + c` per channel: two reading passes and one writing pass in all.
/// With the fused ReLU, dy is first masked where the output was clipped, the mask recomputed from
/// x with the forward pass's own scale and shift (so exactly the forward's mask).
extension GroupNorm {
    public func backward(_ gradient: Tensor) -> Tensor {
        let s = saved.pop("GroupNorm")
        let input = s.input
        precondition(gradient.shape == input.shape, "GroupNorm.backward: gradient \(gradient.shape) does not match \(input.shape)")
        let (n, c, h, w) = input.nchw
        let plane = h * w, perGroup = c / groups, size = perGroup * plane
        // Per-image partial sums of dγ and dβ, reduced over images after the parallel part.
        var gammaPartials = [Double](repeating: 0, count: n * c), betaPartials = gammaPartials
        let relu = fusedReLU
        let inputGradient = input.withPointer { x in
            gradient.withPointer { dy in
                weight.value.withPointer { gamma in bias.value.withPointer { beta in
                    gammaPartials.withUnsafeMutableBufferPointer { gp in
                        betaPartials.withUnsafeMutableBufferPointer { bp in
                            Tensor(uninitialized: input.shape) { dx in
                                let x = SendablePointer(x), dy = SendablePointer(dy), dx = SendablePointer(dx)
                                let gamma = SendablePointer(gamma), beta = SendablePointer(beta), gp = SendablePointer(gp.baseAddress!), bp = SendablePointer(bp.baseAddress!)
                                Parallel.forEach(n * groups) { task in
                                    let start = task * size, image = task / groups
                                    let firstChannel = (task % groups) * perGroup
                                    let mean = Double(s.mean[task]), r = Double(s.reciprocalStd[task])
                                    // The forward pass's per-channel scale and shift, for the ReLU's mask.
                                    let scale = { (channel: Int) in s.reciprocalStd[task] * gamma.base[channel] }
                                    let shift = { (channel: Int) in beta.base[channel] - s.mean[task] * scale(channel) }
                                    var sumG = 0.0, sumGXhat = 0.0
                                    for j in 0..<perGroup {
                                        let channel = firstChannel + j, offset = start + j * plane
                                        let (s1, s2) = relu
                                            ? _Reduce.maskedSums(dy.base + offset, x.base + offset, plane, scale: scale(channel), shift: shift(channel))
                                            : (_Reduce.sum(dy.base + offset, plane), _Reduce.dot(dy.base + offset, x.base + offset, plane))
                                        let dyXhat = r * (s2 - mean * s1)
                                        gp.base[image * c + channel] = dyXhat
                                        bp.base[image * c + channel] = s1
                                        sumG += Double(gamma.base[channel]) * s1
                                        sumGXhat += Double(gamma.base[channel]) * dyXhat
                                    }
                                    let m1 = sumG / Double(size), m2 = sumGXhat / Double(size)
                                    let b = Float(-r * r * m2), constant = Float(r * r * m2 * mean - r * m1)
                                    for j in 0..<perGroup {
                                        let a = Float(r) * gamma.base[firstChannel + j]
                                        let offset = start + j * plane
                                        _Reduce.affine(dx.base + offset, dy.base + offset, x.base + offset, plane, a: a, b: b, c: constant,
                                                       mask: relu ? (scale(firstChannel + j), shift(firstChannel + j)) : nil)
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
        var gammaGradient = [Float](repeating: 0, count: c), betaGradient = gammaGradient
        for channel in 0..<c {
            var gs = 0.0, bs = 0.0
            for image in 0..<n { gs += gammaPartials[image * c + channel]; bs += betaPartials[image * c + channel] }
            gammaGradient[channel] = Float(gs)
            betaGradient[channel] = Float(bs)
        }
        weight.gradient += Tensor(shape: [c], scalars: gammaGradient)
        bias.gradient += Tensor(shape: [c], scalars: betaGradient)
        return inputGradient
    }
}
