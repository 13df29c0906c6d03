/// A box in COCO's convention: pixels, [x, y, width, height] from the top-left corner of the
/// image, as every dataset source and the evaluator use it (the detector's own boxes, corners in
/// input pixels, are LossLanguage's `BoxPair.Box` and plain tuples).
public struct Box: Hashable, Codable, Sendable {
    /// Left edge, in pixels.
    public var x: Double
    /// Top edge, in pixels.
    public var y: Double
    /// Width, in pixels.
    public var width: Double
    /// Height, in pixels.
    public var height: Double

    /// A box in COCO's xywh.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// width x height.
    public var area: Double { width * height }
}
