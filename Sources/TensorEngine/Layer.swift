/// A differentiable building block: forward maps an input tensor to an output, backward maps the
/// output's gradient to the input's and adds the parameters' gradients into them.
///
/// Layers keep what their backward pass needs themselves, on a last-in first-out stack: each
/// `forward(_:training: true)` pushes, each `backward(_:)` pops. So a layer may be applied
/// several times before the backward pass (a detection head shared by the pyramid levels), as
/// long as the backward calls come in the reverse order, which reverse-mode differentiation does
/// anyway. `training: false` keeps nothing (inference). A step abandoned between forward and
/// backward (a non-finite loss) calls ``clearSaved()``.
///
/// ```swift
/// let net = Sequential([conv, GroupNorm(groups: 8, channels: 16), ReLU()])
/// let y = net.forward(x, training: true)
/// let dx = net.backward(lossGradient(y))   // parameters' gradients now hold d loss / d w
/// ```
///
/// Layers are not thread-safe: one training step at a time per layer.
public protocol Layer: AnyObject {
    /// The trainable parameters, in a fixed order (for optimizers and saved weights).
    var parameters: [Parameter] { get }
    /// The output for `input`; with `training`, keeps what `backward` needs.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// The gradient of the input, given the gradient of the output of the latest unmatched
    /// `forward(_:training: true)`; adds into the parameters' gradients.
    func backward(_ gradient: Tensor) -> Tensor
    /// Like `backward`, for a first layer whose input needs no gradient (the image): adds the
    /// parameters' gradients and skips computing the input's where that saves work.
    func backwardParameters(_ gradient: Tensor)
    /// Drops everything kept for backward passes.
    func clearSaved()
}

extension Layer {
    public func backwardParameters(_ gradient: Tensor) {
        _ = backward(gradient)
    }
}

/// Layers applied one after the other.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        layers.reduce(input) { $1.forward($0, training: training) }
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        layers.reversed().reduce(gradient) { $1.backward($0) }
    }

    public func backwardParameters(_ gradient: Tensor) {
        guard let first = layers.first else { return }
        let g = layers.dropFirst().reversed().reduce(gradient) { $1.backward($0) }
        first.backwardParameters(g)
    }

    public func clearSaved() {
        for layer in layers { layer.clearSaved() }
    }
}

/// The saved-state stack of a layer (see ``Layer``).
struct _SavedStack<Element> {
    private var items: [Element] = []

    mutating func push(_ item: Element) { items.append(item) }

    mutating func pop(_ layer: String) -> Element {
        guard let item = items.popLast() else {
            preconditionFailure("\(layer).backward without a matching forward(_:training: true)")
        }
        return item
    }

    mutating func removeAll() { items.removeAll() }
    var count: Int { items.count }
}
