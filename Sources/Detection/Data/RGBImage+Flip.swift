/// Horizontal flip, the standard detection augmentation, for images and their boxes alike.
extension RGBImage {
    /// The mirror image: column x goes to column `width - 1 - x`.
    public func flippedHorizontally() -> RGBImage {
        var out = self
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width * 3
                    for x in 0..<width {
                        let s = row + 3 * x, d = row + 3 * (width - 1 - x)
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return out
    }
}

extension Box {
    /// The box in the mirror image of an image `imageWidth` pixels wide: its right edge
    /// `x + width` becomes the left edge `imageWidth - (x + width)`.
    public func flippedHorizontally(imageWidth: Int) -> Box {
        Box(x: Double(imageWidth) - x - width, y: y, width: width, height: height)
    }
}

extension ImageRecord {
    /// The record of the mirror image: every box flipped, everything else kept.
    public func flippedHorizontally() -> ImageRecord {
        var out = self
        for k in out.annotations.indices {
            out.annotations[k].box = annotations[k].box.flippedHorizontally(imageWidth: width)
        }
        return out
    }
}
