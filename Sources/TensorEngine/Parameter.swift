/// A trainable tensor and the gradient accumulated for it.
///
/// A reference type: a layer owns its parameters, and the optimizer, the gradient clipper and
/// any code saving or loading weights hold the same objects, so an update through one is seen
/// by all. Backward passes *add* into `gradient` (a layer applied to several inputs, like a head
/// shared by the pyramid levels, sums their contributions); ``SGD/zeroGradients()`` resets it.
///
/// ```swift
/// let conv = Conv2d(inChannels: 3, outChannels: 16, kernelSize: 3, padding: 1, using: &rng)
/// conv.weight.value.shape        // [16, 3, 3, 3]
/// conv.weight.gradient.sum()     // 0 until a backward pass
/// ```
public final class Parameter {
    /// A label for messages and saved files (`"weight"`, `"bias"`; containers may prefix it).
    public var name: String
    /// The current value.
    public var value: Tensor {
        didSet { precondition(value.shape == oldValue.shape, "Parameter \(name): shape \(oldValue.shape) cannot become \(value.shape)") }
    }
    /// The accumulated gradient, the shape of `value`.
    public var gradient: Tensor
    /// Multiplies the optimizer's weight decay for this parameter: 1 for convolution weights,
    /// commonly 0 for biases and normalisation scales (detectron's `bias_decay_mult`).
    public var weightDecayScale: Float

    public init(_ value: Tensor, name: String, weightDecayScale: Float = 1) {
        self.name = name
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
        self.weightDecayScale = weightDecayScale
    }

    /// Sets the gradient to zero.
    public func zeroGradient() {
        gradient = Tensor(zeros: value.shape)
    }

    /// The number of scalars.
    public var count: Int { value.count }
}
