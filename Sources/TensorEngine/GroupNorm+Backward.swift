/// GroupNorm's backward pass. With x̂ = (x - μ)·r (r = 1/√(σ² + ε)), M the group's size and
/// g = dy·γ the gradient of x̂, the standard result (Ioffe & Szegedy 2015, §3, applied per group):
///
///     dx = r · (g - mean(g) - x̂ · mean(g·x̂)),   dγ[c] = Σ dy·x̂,   dβ[c] = Σ dy
///
/// is evaluated from two per-channel sums, s1 = Σ dy and s2 = Σ dy·x, so that dx is one fused
/// pass `dx = a·dy + b·x + c` per channel: two reading passes and one writing pass in all.
extension GroupNorm {
    public func backward(_ gradient: Tensor) -> Tensor {
        let s = saved.pop("GroupNorm")
        let input = s.input
        precondition(gradient.shape == input.shape, "GroupNorm.backward: gradient \(gradient.shape) does not match \(input.shape)")
        let (n, c, h, w) = input.nchw
        let plane = h * w, perGroup = c / groups, size = perGroup * plane
        // Per-image partial sums of dγ and dβ, reduced over images after the parallel part.
        var gammaPartials = [Double](repeating: 0, count: n * c), betaPartials = gammaPartials
        let inputGradient = input.withPointer { x in
            gradient.withPointer { dy in
                weight.value.withPointer { gamma in
                    gammaPartials.withUnsafeMutableBufferPointer { gp in
                        betaPartials.withUnsafeMutableBufferPointer { bp in
                            Tensor(uninitialized: input.shape) { dx in
                                let x = SendablePointer(x), dy = SendablePointer(dy), dx = SendablePointer(dx)
                                let gamma = SendablePointer(gamma), gp = SendablePointer(gp.baseAddress!), bp = SendablePointer(bp.baseAddress!)
                                Parallel.forEach(n * groups) { task in
                                    let start = task * size, image = task / groups
                                    let firstChannel = (task % groups) * perGroup
                                    let mean = Double(s.mean[task]), r = Double(s.reciprocalStd[task])
                                    var sumG = 0.0, sumGXhat = 0.0
                                    for j in 0..<perGroup {
                                        let channel = firstChannel + j, offset = start + j * plane
                                        let s1 = _Reduce.sum(dy.base + offset, plane)
                                        let s2 = _Reduce.dot(dy.base + offset, x.base + offset, plane)
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
                                        let g = dy.base + offset, xs = x.base + offset, out = dx.base + offset
                                        for k in 0..<plane { out[k] = a * g[k] + b * xs[k] + constant }
                                    }
                                }
                            }
                        }
                    }
                }
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
