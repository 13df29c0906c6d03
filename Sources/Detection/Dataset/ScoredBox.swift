/// One predicted box, as in a COCO results file (`[{"image_id", "category_id", "bbox", "score"}]`):
/// what the detector's inference gives and the COCO evaluator scores.
///
/// ```swift
/// let d = ScoredBox(imageID: 42, categoryID: 1, box: Box(x: 10, y: 20, width: 30, height: 40), score: 0.9)
/// let metrics = try COCOEvaluator(groundTruth: dataset).evaluate([d])
/// ```
public struct ScoredBox: Hashable, Codable, Sendable {
    /// The image it was detected in.
    public var imageID: Int
    /// The detected category's id.
    public var categoryID: Int
    /// The box, COCO xywh in pixels of the source image.
    public var box: Box
    /// The detection's confidence.
    public var score: Double

    /// A detection.
    public init(imageID: Int, categoryID: Int, box: Box, score: Double) {
        self.imageID = imageID
        self.categoryID = categoryID
        self.box = box
        self.score = score
    }
}
