import Foundation
import LossLanguage
import TensorEngine

/// Inference: the network's outputs to COCO detections on the source images.
extension ProxyNetwork {
    /// Detections for every image of `set`: class scores (softmax over the C + 1 logits with the
    /// background dropped, or the sigmoid of each of the C), boxes decoded from the distances,
    /// `postprocess` (per-level top-k, threshold, class-wise NMS, 100 per image), then each box
    /// mapped back through its image's letterbox and clipped to the image.
    public func detect(_ set: TrainingImages, mode: Branch, assigner: FCOSAssigner,
                       postprocess: Postprocess = Postprocess(), batchSize: Int = 16) -> [ScoredBox] {
        precondition(mode != .reg, "detect: the classification mode is softmax or sigmoid")
        precondition(assigner.size == set.size, "detect: the assigner is for \(assigner.size) px, the images are \(set.size) px")
        let classes = set.categories.count
        var detections: [ScoredBox] = []
        var start = 0
        while start < set.count {
            let indices = Array(start..<min(set.count, start + batchSize))
            let outputs = forward(set.batch(indices), training: false)
            for (k, index) in indices.enumerated() {
                let (scores, distances) = Self.decode(outputs, image: k, classes: classes, mode: mode, assigner: assigner)
                let letterbox = set.letterboxes[index], record = set.records[index]
                for c in postprocess.run(scores: scores, classes: classes, distances: distances, assigner: assigner) {
                    let (x0, y0, x1, y1) = c.box
                    guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite, c.score.isFinite else { continue }
                    let box = letterbox.invert(Box(x: Double(x0), y: Double(y0), width: Double(x1 - x0), height: Double(y1 - y0)))
                    detections.append(ScoredBox(imageID: record.id, categoryID: set.categories[c.classIndex].id,
                                                box: box, score: Double(c.score)))
                }
            }
            start += batchSize
        }
        return detections
    }

    /// One image's class probabilities `[locations x C]` and distances in pixels `[locations x 4]`,
    /// locations level by level as `FCOSAssigner.locations` lists them.
    static func decode(_ outputs: [LevelOutput], image: Int, classes: Int, mode: Branch,
                       assigner: FCOSAssigner) -> (scores: [Float], distances: [Float]) {
        let total = assigner.locationCount
        var scores = [Float](repeating: 0, count: total * classes)
        var distances = [Float](repeating: 0, count: total * 4)
        var offset = 0
        for (level, output) in outputs.enumerated() {
            let plane = output.logits.height * output.logits.width, k = output.logits.channels
            let stride = Float(assigner.levels[level].stride)
            output.logits.withUnsafeBufferPointer { logits in
                let base = image * k * plane
                var row = [Float](repeating: 0, count: k)
                for p in 0..<plane {
                    for c in 0..<k { row[c] = logits[base + c * plane + p] }
                    let out = (offset + p) * classes
                    if mode == .softmax {
                        let top = row.max()!
                        var sum: Float = 0
                        for c in 0..<k { row[c] = Foundation.exp(row[c] - top); sum += row[c] }
                        for c in 0..<classes { scores[out + c] = row[c] / sum }
                    } else {
                        for c in 0..<classes { scores[out + c] = 1 / (1 + Foundation.exp(-row[c])) }
                    }
                }
            }
            output.distances.withUnsafeBufferPointer { d in
                let base = image * 4 * plane
                for p in 0..<plane {
                    for side in 0..<4 { distances[(offset + p) * 4 + side] = d[base + side * plane + p] * stride }
                }
            }
            offset += plane
        }
        return (scores, distances)
    }
}
