/// One predicted box, as in a COCO results file (`[{"image_id", "category_id", "bbox", "score"}]`):
/// what the detector's inference gives and the COCO evaluator scores.
///
/// ```swift
/// let d = ScoredBox(imageID: 42, categoryID: 1, box: Box(x: 10, y: 20, width: 30, height: 40), score: 0.9)
/// let metrics = try COCOEvaluator(groundTruth: dataset).evaluate([d])
/// ```
public struct ScoredBox: Hashable, Codable, Sendable {
    public var imageID: Int
    public var categoryID: Int
    public var box: Box
    public var score: Double

    public init(imageID: Int, categoryID: Int, box: Box, score: Double) {
        self.imageID = imageID
        self.categoryID = categoryID
        self.box = box
        self.score = score
    }
}
