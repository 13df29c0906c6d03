import TensorEngine

/// The forward and backward passes. Layers keep what their backward pass needs on a stack, so
/// the head, shared by the three levels, is differentiated level by level in the reverse order of
/// the forward pass (P5, P4, P3); every other layer is applied once per step.
extension ProxyNetwork {
    /// The outputs of the three levels (strides 8, 16, 32) for a batch of normalised images
    /// `[N, 3, S, S]`, S a multiple of 32. With `training`, keeps what `backward` needs.
    public func forward(_ images: Tensor, training: Bool) -> [LevelOutput] {
        precondition(images.rank == 4 && images.channels == 3 && images.height % 32 == 0 && images.width % 32 == 0,
                     "ProxyNetwork: expected [N, 3, S, S] with S a multiple of 32, got \(images.shape)")
        let c3 = stages[0...2].reduce(images) { $1.forward($0, training: training) }
        let c4 = stages[3].forward(c3, training: training)
        let c5 = stages[4].forward(c4, training: training)
        // Top-down: coarse levels first.
        let p5 = laterals[2].forward(c5, training: training)
        let p4 = laterals[1].forward(c4, training: training) + upsamples[1].forward(p5, training: training)
        let p3 = laterals[0].forward(c3, training: training) + upsamples[0].forward(p4, training: training)
        return [p3, p4, p5].enumerated().map { level, merged in
            let feature = smoothing[level].forward(merged, training: training)
            let logits = classifier.forward(classTower.forward(feature, training: training), training: training)
            let raw = scales[level].forward(boxRegressor.forward(boxTower.forward(feature, training: training), training: training),
                                            training: training)
            return LevelOutput(logits: logits, distances: boxActivations[level].forward(raw, training: training))
        }
    }

    /// Back-propagates the gradients of the loss with respect to each level's logits and
    /// distances (stride units) into the parameters' gradients (the image needs none).
    public func backward(_ gradients: [(logits: Tensor, distances: Tensor)]) {
        precondition(gradients.count == 3, "ProxyNetwork.backward: one gradient pair per level")
        var merged: [Tensor] = []
        for level in (0..<3).reversed() {
            let (dLogits, dDistances) = gradients[level]
            let dRaw = scales[level].backward(boxActivations[level].backward(dDistances))
            var dFeature = boxTower.backward(boxRegressor.backward(dRaw))
            dFeature += classTower.backward(classifier.backward(dLogits))
            merged.append(smoothing[level].backward(dFeature))
        }
        // merged holds P5, P4, P3's gradients, in that order.
        let dP3 = merged[2]
        var dC3 = laterals[0].backward(dP3)
        var dP4 = merged[1]
        dP4 += upsamples[0].backward(dP3)
        var dC4 = laterals[1].backward(dP4)
        var dP5 = merged[0]
        dP5 += upsamples[1].backward(dP4)
        let dC5 = laterals[2].backward(dP5)
        dC4 += stages[4].backward(dC5)
        dC3 += stages[3].backward(dC4)
        let dStem = stages[1...2].reversed().reduce(dC3) { $1.backward($0) }
        stages[0].backwardParameters(dStem)
    }
}
