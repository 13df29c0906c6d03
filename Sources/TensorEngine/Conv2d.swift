/// A 2-D convolution over `[N, C, H, W]` tensors with square kernels, stride and zero padding,
/// and an optional bias (PyTorch's `nn.Conv2d` with `groups = 1`, `dilation = 1`); a 1x1
/// convolution is `kernelSize: 1`.
///
/// The arithmetic runs in oneDNN's convolution primitives (see `_ConvolutionPlan` for why not
/// im2col + SGEMM); a plan per input shape is built on first use and kept.
///
/// ```swift
/// var rng = SystemRandomNumberGenerator()
/// let conv = Conv2d(inChannels: 3, outChannels: 16, kernelSize: 3, stride: 2, padding: 1, using: &rng)
/// let y = conv.forward(Tensor(zeros: [8, 3, 256, 256]), training: true)   // [8, 16, 128, 128]
/// let dx = conv.backward(Tensor(repeating: 1, shape: y.shape))          // [8, 3, 256, 256]
/// ```
///
/// Output size: `(H + 2·padding - kernelSize) / stride + 1` (rounded down), as in PyTorch.
public final class Conv2d: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    /// `[outChannels, inChannels, kernelSize, kernelSize]`, Kaiming-normal (fan-in) initially.
    public let weight: Parameter
    /// `[outChannels]`, zero initially; `nil` for a convolution without bias (before a GroupNorm,
    /// whose shift makes it redundant).
    public let bias: Parameter?

    /// The convolution's number format (float32 unless set; see `Precision`). Set it before a
    /// training, not between a forward pass and its backward pass.
    public var precision: Precision = .fp32 {
        willSet { precondition(newValue.isAvailable, "Conv2d: \(newValue.unavailability ?? "")") }
    }

    var plans: [PlanKey: _ConvolutionPlan] = [:]
    /// oneDNN fixes a primitive's work split for the threads at its creation, so a plan is
    /// made per thread width too (`ThreadWidth`).
    struct PlanKey: Hashable {
        var geometry: _ConvolutionGeometry
        var precision: Precision
        var threads: Int
    }
    var saved = _SavedStack<_ConvolutionPlan.SavedInput>()

    /// A convolution with Kaiming-normal weights (fan-in, gain √2) drawn from `generator` and a
    /// zero bias.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, using generator: inout some RandomNumberGenerator
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "Conv2d: channels, kernel size and stride must be positive, padding non-negative")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        weight = Parameter(Initialization.kaimingNormal(shape: [outChannels, inChannels, kernelSize, kernelSize], using: &generator),
                           name: "weight")
        self.bias = bias ? Parameter(Tensor(zeros: [outChannels]), name: "bias", weightDecayScale: 1) : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    /// The output shape for an input shape.
    public func outputShape(for inputShape: [Int]) -> [Int] {
        geometry(for: inputShape).outputShape
    }

    func geometry(for shape: [Int]) -> _ConvolutionGeometry {
        precondition(shape.count == 4 && shape[1] == inChannels && shape[0] > 0,
                     "Conv2d: expected input [N, \(inChannels), H, W] with N > 0, got \(shape)")
        let g = _ConvolutionGeometry(batch: shape[0], inChannels: inChannels, height: shape[2], width: shape[3],
                                     outChannels: outChannels, kernel: kernelSize, stride: stride, padding: padding)
        precondition(g.outHeight > 0 && g.outWidth > 0,
                     "Conv2d: input \(shape) is smaller than the \(kernelSize)x\(kernelSize) kernel with padding \(padding)")
        return g
    }

    func plan(for shape: [Int]) -> _ConvolutionPlan {
        let key = PlanKey(geometry: geometry(for: shape), precision: precision.resolved, threads: ThreadWidth.current)
        if let plan = plans[key] { return plan }
        let plan = _ConvolutionPlan(key.geometry, hasBias: bias != nil, precision: key.precision)
        plans[key] = plan
        return plan
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let plan = plan(for: input.shape)
        let buffer = training && plan.keepsBlockedInput ? plan.makeInputBuffer() : nil
        let output = input.withPointer { x in
            weight.value.withPointer { w in
                withOptionalPointer(bias?.value) { b in
                    Tensor(uninitialized: plan.geometry.outputShape) { y in
                        plan.runForward(x: x, w: w, b: b, y: y, inputBuffer: buffer)
                    }
                }
            }
        }
        if training { saved.push(buffer.map { .blocked($0, shape: input.shape) } ?? .plain(input)) }
        return output
    }

    public func clearSaved() { saved.removeAll() }

    /// The implementations oneDNN chose for an input shape (forward, backward-data,
    /// backward-weights), for benchmarks and diagnostics.
    public func implementations(for inputShape: [Int]) -> [String] {
        plan(for: inputShape).implementations
    }
}

/// Calls `body` with the tensor's base address, or with `nil` when there is no tensor.
func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withPointer { body($0) }
}
