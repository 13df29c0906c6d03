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
        let plan = plan(for: input.shape)
        precondition(gradient.shape == plan.geometry.outputShape,
                     "Conv2d.backward: gradient \(gradient.shape) does not match output \(plan.geometry.outputShape)")
        var weightGradient = Tensor(zeros: weight.value.shape)
        var biasGradient = bias.map { Tensor(zeros: $0.value.shape) }
        var inputGradientTensor: Tensor?
        input.withPointer { x in
            weight.value.withPointer { w in
                gradient.withPointer { dy in
                    weightGradient.withMutablePointer { dw in
                        let compute = { (db: UnsafeMutablePointer<Float>?) in
                            if inputGradient {
                                inputGradientTensor = Tensor(uninitialized: input.shape) { dx in
                                    plan.backward.run(x: x, w: w, dy: dy, dx: dx, dw: dw, db: db)
                                }
                            } else {
                                plan.backward.run(x: x, w: w, dy: dy, dx: nil, dw: dw, db: db)
                            }
                        }
                        if biasGradient != nil {
                            biasGradient!.withMutablePointer { compute($0) }
                        } else {
                            compute(nil)
                        }
                    }
                }
            }
        }
        weight.gradient += weightGradient
        if let bias, let biasGradient { bias.gradient += biasGradient }
        return inputGradientTensor
    }
}
