/// A box in COCO's convention: pixels, [x, y, width, height] from the top-left corner of the
/// image, as every dataset source and the evaluator use it (the detector's own boxes, corners in
/// input pixels, are LossLanguage's `BoxPair.Box` and plain tuples).
public struct Box: Hashable, Codable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var area: Double { width * height }
}
