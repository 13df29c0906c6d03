/// The rectifier, y = max(x, 0), elementwise; its gradient passes where the output is positive
/// (zero at x = 0, as in PyTorch).
///
/// ```swift
/// let y = ReLU().forward(x, training: true)
/// ```
public final class ReLU: Layer {
    var saved = _SavedStack<Tensor>()  // the output: its sign is the mask

    public init() {}

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let output = input.withPointer { x in
            Tensor(uninitialized: input.shape) { y in
                let x = SendablePointer(x), y = SendablePointer(y)
                Parallel.forRanges(input.count) { r in
                    for k in r { y.base[k] = max(x.base[k], 0) }
                }
            }
        }
        if training { saved.push(output) }
        return output
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let output = saved.pop("ReLU")
        precondition(gradient.shape == output.shape, "ReLU.backward: gradient \(gradient.shape) does not match \(output.shape)")
        return output.withPointer { y in
            gradient.withPointer { dy in
                Tensor(uninitialized: output.shape) { dx in
                    let y = SendablePointer(y), dy = SendablePointer(dy), dx = SendablePointer(dx)
                    Parallel.forRanges(output.count) { r in
                        for k in r { dx.base[k] = y.base[k] > 0 ? dy.base[k] : 0 }
                    }
                }
            }
        }
    }

    public func clearSaved() { saved.removeAll() }
}
