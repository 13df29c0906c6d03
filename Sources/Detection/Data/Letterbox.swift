/// Resizing to the detector's square input while keeping the aspect ratio: the image is scaled
/// by `size / max(width, height)` with bilinear interpolation, centred, and the rest of the square
/// filled with a flat colour (YOLO's grey 114 by default). Boxes go through the same map, and
/// `invert` takes predicted boxes back to the original image for evaluation.
///
/// ```swift
/// let lb = Letterbox(width: 640, height: 480, size: 256)   // scaled to 256x192, 32 px bands
/// let input = lb.apply(to: image)
/// let gt = lb.apply(to: Box(x: 100, y: 50, width: 200, height: 100))  // (40, 52, 80, 40)
/// ```
///
/// Sampling follows the half-pixel convention (OpenCV's INTER_LINEAR, PyTorch's
/// `align_corners=False`): output pixel i samples source position `(i + 0.5) * W / w' - 0.5`,
/// clamped at the border. The box map is the matching continuous one, `x' = x * w' / W + padLeft`,
/// with the scale of the rounded scaled size, so that boxes and pixels agree exactly.
public struct Letterbox: Hashable, Sendable {
    /// The source image's width in pixels.
    public let sourceWidth: Int
    /// The source image's height in pixels.
    public let sourceHeight: Int
    /// The side of the square output.
    public let size: Int
    /// The size of the scaled image inside the square.
    public let scaledWidth: Int
    /// The height of the scaled image inside the square.
    public let scaledHeight: Int
    /// Where the scaled image starts in the square (the pad on the left and top; the right and
    /// bottom get the rest).
    public let padLeft: Int
    /// The pad at the top (the bottom gets the rest).
    public let padTop: Int

    /// The letterbox of a `width` x `height` image into a `size` x `size` square.
    public init(width: Int, height: Int, size: Int) {
        precondition(width > 0 && height > 0 && size > 0, "letterbox needs positive sizes")
        sourceWidth = width
        sourceHeight = height
        self.size = size
        let ratio = Double(size) / Double(max(width, height))
        scaledWidth = min(size, max(1, Int((Double(width) * ratio).rounded())))
        scaledHeight = min(size, max(1, Int((Double(height) * ratio).rounded())))
        padLeft = (size - scaledWidth) / 2
        padTop = (size - scaledHeight) / 2
    }

    /// The horizontal scale from the source image to the square.
    public var scaleX: Double { Double(scaledWidth) / Double(sourceWidth) }
    /// The vertical scale from the source image to the square.
    public var scaleY: Double { Double(scaledHeight) / Double(sourceHeight) }

    /// A box of the source image in the square.
    public func apply(to box: Box) -> Box {
        Box(x: box.x * scaleX + Double(padLeft), y: box.y * scaleY + Double(padTop),
            width: box.width * scaleX, height: box.height * scaleY)
    }

    /// A box of the square in the source image, clipped to the source image (a prediction can
    /// reach into the padding).
    public func invert(_ box: Box) -> Box {
        let w = Double(sourceWidth), h = Double(sourceHeight)
        let x0 = min(max((box.x - Double(padLeft)) / scaleX, 0), w)
        let y0 = min(max((box.y - Double(padTop)) / scaleY, 0), h)
        let x1 = min(max((box.x + box.width - Double(padLeft)) / scaleX, 0), w)
        let y1 = min(max((box.y + box.height - Double(padTop)) / scaleY, 0), h)
        return Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// An image record in the square: size `size` x `size`, boxes and areas mapped.
    public func apply(to record: ImageRecord) -> ImageRecord {
        var out = record
        out.width = size
        out.height = size
        for k in out.annotations.indices {
            out.annotations[k].box = apply(to: record.annotations[k].box)
            out.annotations[k].area = record.annotations[k].area * scaleX * scaleY
        }
        return out
    }

    /// The image in the square. `image` must have the source size.
    public func apply(to image: RGBImage, fill: (UInt8, UInt8, UInt8) = (114, 114, 114)) -> RGBImage {
        precondition(image.width == sourceWidth && image.height == sourceHeight,
                     "letterbox made for \(sourceWidth)x\(sourceHeight), given \(image.width)x\(image.height)")
        var out = RGBImage(width: size, height: size, fill: fill)
        let xs = Self.taps(source: sourceWidth, target: scaledWidth)
        let ys = Self.taps(source: sourceHeight, target: scaledHeight)
        let rowBytes = sourceWidth * 3
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for (j, ty) in ys.enumerated() {
                    let row0 = ty.low * rowBytes, row1 = ty.high * rowBytes
                    var o = ((padTop + j) * size + padLeft) * 3
                    for tx in xs {
                        let a = tx.low * 3, b = tx.high * 3
                        for c in 0..<3 {
                            let top = Float(src[row0 + a + c]) + tx.weight * (Float(src[row0 + b + c]) - Float(src[row0 + a + c]))
                            let bottom = Float(src[row1 + a + c]) + tx.weight * (Float(src[row1 + b + c]) - Float(src[row1 + a + c]))
                            dst[o + c] = UInt8(min(255, max(0, top + ty.weight * (bottom - top) + 0.5)))
                        }
                        o += 3
                    }
                }
            }
        }
        return out
    }

    /// For each target index along one axis: the two source indices and the weight of the second.
    static func taps(source: Int, target: Int) -> [(low: Int, high: Int, weight: Float)] {
        let step = Double(source) / Double(target)
        return (0..<target).map { i in
            let s = min(max((Double(i) + 0.5) * step - 0.5, 0), Double(source - 1))
            let low = Int(s.rounded(.down))
            return (low, min(low + 1, source - 1), Float(s - Double(low)))
        }
    }
}
