/// Stochastic gradient descent with momentum and weight decay, PyTorch's `torch.optim.SGD`
/// (dampening 0, not Nesterov), the optimizer of FCOS and of the paper's detectors:
///
///     g ← ∇w + λ·s·w          (λ weight decay, s the parameter's `weightDecayScale`)
///     v ← μ·v + g             (v starts at 0, so the first step has v = g)
///     w ← w - η·v
///
/// ```swift
/// let sgd = SGD(parameters: net.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
/// sgd.zeroGradients()
/// _ = net.backward(...)
/// sgd.learningRate = schedule.rate(at: iteration)
/// sgd.step()
/// ```
public final class SGD {
    public let parameters: [Parameter]
    /// η, changed between steps by a ``LearningRateSchedule``.
    public var learningRate: Float
    /// μ.
    public var momentum: Float
    /// λ.
    public var weightDecay: Float
    private var velocities: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 1e-4) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: rates must be non-negative")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocities = parameters.map { Tensor(zeros: $0.value.shape) }
    }

    /// Sets every parameter's gradient to zero (before the backward pass of the next batch).
    public func zeroGradients() {
        for p in parameters { p.zeroGradient() }
    }

    /// Applies one update from the accumulated gradients.
    public func step() {
        let (eta, mu) = (learningRate, momentum)
        for (index, p) in parameters.enumerated() {
            let decay = weightDecay * p.weightDecayScale
            let count = p.count
            p.gradient.withPointer { g in
                velocities[index].withMutablePointer { v in
                    p.value.withMutablePointer { w in
                        let g = SendablePointer(g), v = SendablePointer(v), w = SendablePointer(w)
                        Parallel.forRanges(count) { r in
                            for k in r {
                                let velocity = mu * v.base[k] + (g.base[k] + decay * w.base[k])
                                v.base[k] = velocity
                                w.base[k] -= eta * velocity
                            }
                        }
                    }
                }
            }
        }
    }

    /// The momentum buffer of parameter `index` (for tests and checkpoints).
    public func velocity(of index: Int) -> Tensor { velocities[index] }

    /// Sets the momentum buffer of parameter `index` (a checkpoint's), of the parameter's shape.
    public func setVelocity(_ velocity: Tensor, of index: Int) {
        precondition(velocity.shape == velocities[index].shape, "SGD: velocity \(velocity.shape) for a parameter of \(velocities[index].shape)")
        velocities[index] = velocity
    }
}
