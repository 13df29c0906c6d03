// The in-memory form every dataset source (COCO JSON, YOLO folders, synthetic scenes) converts to,
// and the evaluator reads: `DetectionDataset` and its parts (categories, images, annotations).
// Boxes are in COCO's convention (`Box.swift`); predictions are `ScoredBox`es (`ScoredBox.swift`).

/// A category of objects; COCO ids need not be contiguous.
public struct Category: Hashable, Codable, Sendable {
    public var id: Int
    public var name: String

    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }
}

/// One ground-truth object. `area` is COCO's annotation area (the segmentation area in COCO
/// proper; for box-only data the box area), which decides the small/medium/large ranges.
public struct Annotation: Hashable, Codable, Sendable {
    public var id: Int
    public var categoryID: Int
    public var box: Box
    public var area: Double
    public var isCrowd: Bool
    /// Set by a loader for an annotation to be ignored in evaluation (COCO's "ignore" flag).
    public var ignore: Bool

    public init(id: Int, categoryID: Int, box: Box, area: Double? = nil, isCrowd: Bool = false, ignore: Bool = false) {
        self.id = id
        self.categoryID = categoryID
        self.box = box
        self.area = area ?? box.area
        self.isCrowd = isCrowd
        self.ignore = ignore
    }
}

/// An image and its objects; `fileName` is relative to the dataset's image folder.
public struct ImageRecord: Hashable, Codable, Sendable {
    public var id: Int
    public var fileName: String
    public var width: Int
    public var height: Int
    public var annotations: [Annotation]

    public init(id: Int, fileName: String, width: Int, height: Int, annotations: [Annotation] = []) {
        self.id = id
        self.fileName = fileName
        self.width = width
        self.height = height
        self.annotations = annotations
    }
}

/// A labelled set of images: what every dataset source converts to and the evaluator reads.
public struct DetectionDataset: Hashable, Codable, Sendable {
    public var images: [ImageRecord]
    public var categories: [Category]

    public init(images: [ImageRecord], categories: [Category]) {
        self.images = images
        self.categories = categories
    }

    public var annotationCount: Int { images.reduce(0) { $0 + $1.annotations.count } }
}
