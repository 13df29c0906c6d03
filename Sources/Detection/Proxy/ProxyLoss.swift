import TensorEngine

/// The detector's training loss over a batch: the classification slot over every location of
/// every image, the regression slot over the positive locations, and their gradients laid out
/// like the network's outputs.
///
///     L = Σ_locations cls(x, y, w) / P  +  λ · Σ_positives reg(box, gt) / P,   P = max(1, #positives)
///
/// w, the IoU of a positive location's decoded predicted box with its ground truth (clamped at
/// 1e-7, METHOD.md), is computed from the current predictions and treated as a constant
/// (detached), as in the authors' code. Boxes decode from the distances (l, t, r, b) the network
/// gives in stride units: [x - l·s, y - t·s, x + r·s, y + b·s] around the location (x, y).
///
/// ```swift
/// let loss = try ProxyLoss(classification: slot, regression: RegressionSlot(.l1), assigner: assigner)
/// switch loss.evaluate(network.forward(batch, training: true), targets: targets) {
/// case .success(let step): network.backward(step.gradients)
/// case .failure(let failure): print(failure)   // a non-finite loss: the run diverged
/// }
/// ```
public final class ProxyLoss {
    /// The classification loss.
    public let classification: ClassificationSlot
    /// The regression loss.
    public let regression: RegressionSlot
    /// The FCOS target assignment.
    public let assigner: FCOSAssigner
    /// λ, the regression loss's weight.
    public let regressionWeight: Float
    let locations: [(x: Float, y: Float, level: Int)]
    let levelOffsets: [Int]

    /// Both slots over a batch, the regression weighted by `regressionWeight` (λ).
    public init(classification: ClassificationSlot, regression: RegressionSlot, assigner: FCOSAssigner, regressionWeight: Float = 1) {
        self.classification = classification
        self.regression = regression
        self.assigner = assigner
        self.regressionWeight = regressionWeight
        locations = assigner.locations
        levelOffsets = assigner.levels.indices.map { level in (0..<level).reduce(0) { $0 + assigner.count(level: $1) } }
    }

    /// The losses of one step and the gradients of their sum.
    public struct Step {
        /// The classification loss, normalised by the positives.
        public var classification: Float
        /// Already multiplied by the regression weight.
        public var regression: Float
        /// Positive locations in the batch.
        public var positives: Int
        /// Per level: dL/dlogits `[N, K, H, W]`, dL/ddistances `[N, 4, H, W]` (stride units).
        public var gradients: [(logits: Tensor, distances: Tensor)]
        /// classification + regression.
        public var total: Float { classification + regression }
    }

    /// A loss or gradient that is NaN or infinite; `slot` is "classification" or "regression".
    public struct NonFinite: Error, Equatable, CustomStringConvertible {
        /// The slot whose loss or gradient is not finite.
        public var slot: String
        public var description: String { "the \(slot) loss or its gradient is not finite" }
    }

    /// The losses of one step and their gradients with respect to every level's outputs, or which slot went non-finite.
    public func evaluate(_ outputs: [ProxyNetwork.LevelOutput], targets: [ProxyTargets]) -> Result<Step, NonFinite> {
        let n = targets.count, perImage = locations.count, k = classification.width
        precondition(outputs.count == assigner.levels.count && outputs.allSatisfy { $0.logits.batch == n && $0.logits.channels == k },
                     "ProxyLoss: outputs do not match \(n) images of \(k) logits on \(assigner.levels.count) levels")
        let rows = n * perImage
        var logitRows = [Float](repeating: 0, count: rows * k)
        for (level, output) in outputs.enumerated() {
            transpose(output.logits, level: level, into: &logitRows)
        }

        // Positives: their decoded boxes, IoU and regression inputs.
        var labels = [Int32](repeating: -1, count: rows)
        var iou = [Float](repeating: 0, count: rows)
        var positives: [RegressionSlot.Positive] = []
        var positiveSlots: [(row: Int, image: Int, location: Int)] = []
        let distances = outputs.map(\.distances.scalars)
        for (image, t) in targets.enumerated() {
            precondition(t.assignment.count == perImage, "ProxyLoss: targets made for another input size")
            for g in 0..<perImage where t.assignment[g] >= 0 {
                let box = Int(t.assignment[g])
                let (x, y, level) = locations[g]
                let stride = Float(assigner.levels[level].stride)
                let side = assigner.size / assigner.levels[level].stride, plane = side * side, p = g - levelOffsets[level]
                let d = distances[level]
                let base = image * 4 * plane + p
                let positive = RegressionSlot.Positive(
                    location: (x, y), stride: stride,
                    distances: (d[base] * stride, d[base + plane] * stride, d[base + 2 * plane] * stride, d[base + 3 * plane] * stride),
                    target: t.boxes[box])
                let row = image * perImage + g
                labels[row] = Int32(t.classes[box])
                let w = positive.pair.iou
                iou[row] = w.isNaN ? w : max(w, 1e-7)
                positives.append(positive)
                positiveSlots.append((row, image, g))
            }
        }
        let normalizer = Float(max(1, positives.count))

        var logitGradientRows = [Float](repeating: 0, count: rows * k)
        let classValue = logitRows.withUnsafeBufferPointer { x in
            logitGradientRows.withUnsafeMutableBufferPointer { g in
                classification.evaluate(logits: x.baseAddress!, labels: labels, iou: iou, normalizer: normalizer, gradient: g.baseAddress!)
            }
        }
        guard let classValue else { return .failure(NonFinite(slot: "classification")) }
        var boxGradient: [Float] = []
        guard let regValue = regression.evaluate(positives, normalizer: normalizer, gradient: &boxGradient),
              boxGradient.allSatisfy(\.isFinite) else { return .failure(NonFinite(slot: "regression")) }

        var gradients: [(logits: Tensor, distances: Tensor)] = []
        for (level, output) in outputs.enumerated() {
            var logits = Tensor(zeros: output.logits.shape)
            transpose(from: logitGradientRows, level: level, into: &logits)
            gradients.append((logits, Tensor(zeros: output.distances.shape)))
        }
        // dL/d(stride units) = dL/d(pixels) · stride, times the regression weight.
        for (j, (_, image, g)) in positiveSlots.enumerated() {
            let level = locations[g].level
            let stride = Float(assigner.levels[level].stride)
            let side = assigner.size / assigner.levels[level].stride, plane = side * side, p = g - levelOffsets[level]
            gradients[level].distances.withUnsafeMutableBufferPointer { d in
                for s in 0..<4 { d[image * 4 * plane + s * plane + p] = boxGradient[4 * j + s] * stride * regressionWeight }
            }
        }
        return .success(Step(classification: classValue, regression: regValue * regressionWeight, positives: positives.count,
                             gradients: gradients))
    }

    /// `[N, K, H, W]` of one level -> rows (image, location) x K of all levels.
    func transpose(_ tensor: Tensor, level: Int, into rows: inout [Float]) {
        let (n, k, h, w) = (tensor.batch, tensor.channels, tensor.height, tensor.width)
        let plane = h * w, perImage = locations.count, offset = levelOffsets[level]
        tensor.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                for image in 0..<n {
                    for c in 0..<k {
                        let s = image * k * plane + c * plane
                        let d = (image * perImage + offset) * k + c
                        for p in 0..<plane { dst[d + p * k] = src[s + p] }
                    }
                }
            }
        }
    }

    /// Rows (image, location) x K of all levels -> `[N, K, H, W]` of one level.
    func transpose(from rows: [Float], level: Int, into tensor: inout Tensor) {
        let (n, k, h, w) = (tensor.batch, tensor.channels, tensor.height, tensor.width)
        let plane = h * w, perImage = locations.count, offset = levelOffsets[level]
        rows.withUnsafeBufferPointer { src in
            tensor.withUnsafeMutableBufferPointer { dst in
                for image in 0..<n {
                    for c in 0..<k {
                        let d = image * k * plane + c * plane
                        let s = (image * perImage + offset) * k + c
                        for p in 0..<plane { dst[d + p] = src[s + p * k] }
                    }
                }
            }
        }
    }
}
