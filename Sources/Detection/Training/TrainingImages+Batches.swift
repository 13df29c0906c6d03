import Dispatch
import TensorEngine

/// Network inputs and targets for a batch, with the random horizontal flip applied to pixels and
/// boxes alike.
extension TrainingImages {
    /// Pixels are normalised to (v / 255 - 0.5) / 0.25, about [-2, 2]: centred inputs keep the
    /// first convolution's outputs centred too (its GroupNorm removes the rest).
    static let pixelMean: Float = 0.5
    static let pixelStd: Float = 0.25

    /// `[B, 3, S, S]` for the images at `indices`; `flips[k]` mirrors image k left to right.
    public func batch(_ indices: [Int], flips: [Bool]? = nil) -> Tensor {
        let s = size, plane = s * s
        var tensor = Tensor(zeros: [indices.count, 3, s, s])
        let scale = 1 / (255 * Self.pixelStd), shift = -Self.pixelMean / Self.pixelStd
        tensor.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: indices.count) { k in
                let flip = flips?[k] ?? false
                images[indices[k]].pixels.withUnsafeBufferPointer { src in
                    let dst = out.baseAddress! + k * 3 * plane
                    for y in 0..<s {
                        for x in 0..<s {
                            let from = 3 * (y * s + (flip ? s - 1 - x : x)), to = y * s + x
                            dst[to] = Float(src[from]) * scale + shift
                            dst[plane + to] = Float(src[from + 1]) * scale + shift
                            dst[2 * plane + to] = Float(src[from + 2]) * scale + shift
                        }
                    }
                }
            }
        }
        return tensor
    }

    /// The FCOS targets of the images at `indices`, flipped like `batch`.
    public func targets(_ indices: [Int], flips: [Bool]? = nil, assigner: FCOSAssigner) -> [ProxyTargets] {
        precondition(assigner.size == size, "targets: the assigner is for \(assigner.size) px, the images are \(size) px")
        let s = Float(size)
        return indices.enumerated().map { k, index in
            let flip = flips?[k] ?? false
            let boxes = flip ? self.boxes[index].map { (s - $0.2, $0.1, s - $0.0, $0.3) } : self.boxes[index]
            return ProxyTargets(boxes: boxes, classes: classes[index], assigner: assigner)
        }
    }
}
