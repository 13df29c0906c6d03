// The in-memory form every dataset source (COCO JSON, YOLO folders, synthetic scenes) converts to,
// and the evaluator reads: `DetectionDataset` and its parts (categories, images, annotations).
// Boxes are in COCO's convention (`Box.swift`); predictions are `ScoredBox`es (`ScoredBox.swift`).

/// A category of objects; COCO ids need not be contiguous.
public struct Category: Hashable, Codable, Sendable {
    /// The category id, as in the annotations.
    public var id: Int
    /// The category name.
    public var name: String

    /// A category.
    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }
}

/// One ground-truth object. `area` is COCO's annotation area (the segmentation area in COCO
/// proper; for box-only data the box area), which decides the small/medium/large ranges.
public struct Annotation: Hashable, Codable, Sendable {
    /// The annotation's id.
    public var id: Int
    /// Its category's id.
    public var categoryID: Int
    /// The object's box, COCO xywh in pixels.
    public var box: Box
    /// The area COCO's evaluation ranges use (the box's area unless given, as a segment's may differ).
    public var area: Double
    /// A crowd region: matched by detections without counting as missed or as false positives.
    public var isCrowd: Bool
    /// Set by a loader for an annotation to be ignored in evaluation (COCO's "ignore" flag).
    public var ignore: Bool

    /// An annotation; `area` defaults to the box's area.
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
    /// The image's id.
    public var id: Int
    /// The image file's name, relative to the image folder.
    public var fileName: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// The image's objects.
    public var annotations: [Annotation]

    /// An image record.
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
    /// Every image, with its annotations.
    public var images: [ImageRecord]
    /// The categories, in id order.
    public var categories: [Category]

    /// A dataset of `images` over `categories`.
    public init(images: [ImageRecord], categories: [Category]) {
        self.images = images
        self.categories = categories
    }

    /// The number of annotations over all images.
    public var annotationCount: Int { images.reduce(0) { $0 + $1.annotations.count } }
}
