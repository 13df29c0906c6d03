/// A decoded 8-bit RGB image: what the codecs produce, the scene generator draws into, and the
/// augmentations (letterbox, flip) transform.
///
/// Storage is one `[UInt8]` array, interleaved (R, G, B) and row-major from the top-left pixel:
/// byte `3 * (y * width + x) + c` is channel `c` of pixel (x, y). That is the layout libjpeg and
/// libpng read and write without a copy, and a third of the memory of Float planes; a detector
/// that wants normalised Float planes asks for `planarFloats()` once per batch.
///
/// ```swift
/// let image = try RGBImage(contentsOfFile: "images/train2017/000000000009.jpg")
/// let (r, g, b) = image[12, 40]
/// ```
public struct RGBImage: Hashable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Interleaved RGB bytes, `width * height * 3` of them.
    public internal(set) var pixels: [UInt8]

    /// An image of one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        self.width = width
        self.height = height
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        for k in stride(from: 0, to: bytes.count, by: 3) {
            bytes[k] = fill.0
            bytes[k + 1] = fill.1
            bytes[k + 2] = fill.2
        }
        pixels = bytes
    }

    /// Wraps interleaved RGB bytes; `pixels.count` must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        precondition(pixels.count == width * height * 3, "expected \(width * height * 3) bytes for \(width)x\(height) RGB, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y` (both from 0 at the top-left).
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        get {
            let k = offset(x, y)
            return (pixels[k], pixels[k + 1], pixels[k + 2])
        }
        set {
            let k = offset(x, y)
            pixels[k] = newValue.0
            pixels[k + 1] = newValue.1
            pixels[k + 2] = newValue.2
        }
    }

    @inline(__always)
    func offset(_ x: Int, _ y: Int) -> Int {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        return 3 * (y * width + x)
    }

    /// The image as three Float planes (R, then G, then B; each row-major), every byte multiplied
    /// by `scale`: the channel-first layout of a convolutional network's input.
    public func planarFloats(scale: Float = 1.0 / 255.0) -> [Float] {
        let count = width * height
        var planes = [Float](repeating: 0, count: 3 * count)
        pixels.withUnsafeBufferPointer { source in
            planes.withUnsafeMutableBufferPointer { target in
                for k in 0..<count {
                    target[k] = Float(source[3 * k]) * scale
                    target[count + k] = Float(source[3 * k + 1]) * scale
                    target[2 * count + k] = Float(source[3 * k + 2]) * scale
                }
            }
        }
        return planes
    }
}
