/// Multiplication by one learnable scalar, y = s·x (FCOS's `Scale` module, Tian et al. 2019,
/// §3.1): a head shared by the pyramid levels regresses distances of very different sizes
/// (they grow with the stride); one factor per level lets each level adjust its range while the
/// convolutions stay shared.
///
/// ```swift
/// let scales = (0..<3).map { _ in Scale(initialValue: 1) }       // one per level
/// let raw = scales[level].forward(headOutput, training: true)
/// ```
///
/// Backward: dx = s·dy; ds += Σ x·dy (accumulated in Double). The scale takes no weight decay
/// (`weightDecayScale` 0): it is a range, not a weight to shrink.
public final class Scale: Layer {
    /// s, shape `[1]`.
    public let scale: Parameter
    var saved = _SavedStack<Tensor>()

    public init(initialValue: Float = 1) {
        scale = Parameter(Tensor(shape: [1], scalars: [initialValue]), name: "scale", weightDecayScale: 0)
    }

    public var parameters: [Parameter] { [scale] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        if training { saved.push(input) }
        return input * scale.value.scalars[0]
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let input = saved.pop("Scale")
        precondition(gradient.shape == input.shape, "Scale.backward: gradient \(gradient.shape) does not match \(input.shape)")
        let dot = input.withPointer { x in
            gradient.withPointer { dy in
                _Reduce.dot(x, dy, input.count)
            }
        }
        scale.gradient.scalars[0] += Float(dot)
        return gradient * scale.value.scalars[0]
    }

    public func clearSaved() { saved.removeAll() }
}
