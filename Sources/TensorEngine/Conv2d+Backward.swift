/// The convolution's backward pass: input gradient by oneDNN's backward-data primitive (a
/// transposed convolution of the output gradient with the weights), weight and bias gradients by
/// its backward-weights primitive (the correlation of input and output gradient; Σ over N, H, W
/// of the output gradient for the bias).
extension Conv2d {
    public func backward(_ gradient: Tensor) -> Tensor {
        run(gradient, inputGradient: true)!
    }

    /// Skips backward-data: for a first layer, whose input (the image) needs no gradient.
    public func backwardParameters(_ gradient: Tensor) {
        _ = run(gradient, inputGradient: false)
    }

    private func run(_ gradient: Tensor, inputGradient: Bool) -> Tensor? {
        let input = saved.pop("Conv2d")
        let inputShape = input.shape
        let plan = plan(for: inputShape)
        precondition(gradient.shape == plan.geometry.outputShape,
                     "Conv2d.backward: gradient \(gradient.shape) does not match output \(plan.geometry.outputShape)")
        // oneDNN overwrites its outputs; the parameters' gradients accumulate, so compute apart and add.
        var weightGradient = Tensor(zeros: weight.value.shape)
        var biasGradient = Tensor(zeros: [bias == nil ? 0 : outChannels])
        var inputGradientTensor: Tensor?
        weight.value.withPointer { w in
            gradient.withPointer { dy in
                weightGradient.withMutablePointer { dw in
                    biasGradient.withMutablePointer { db in
                        let db = bias == nil ? nil : db
                        if inputGradient {
                            inputGradientTensor = Tensor(uninitialized: inputShape) { dx in
                                plan.backward.run(x: input, w: w, dy: dy, dx: dx, dw: dw, db: db)
                            }
                        } else {
                            plan.backward.run(x: input, w: w, dy: dy, dx: nil, dw: dw, db: db)
                        }
                    }
                }
            }
        }
        weight.gradient += weightGradient
        bias?.gradient += biasGradient
        return inputGradientTensor
    }
}
