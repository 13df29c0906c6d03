import Dispatch

/// Images ready for the detector: decoded once, letterboxed to the square input, with their boxes
/// in input pixels and 0-based class indices; and the original records, in the source images'
/// coordinates, as the ground truth for COCO evaluation (predictions go back through the
/// letterbox before they are scored, so AP is measured on the images as given).
///
/// ```swift
/// let set = try TrainingImages(dataset: loaded.dataset, size: 256) { k in
///     try RGBImage(contentsOfFile: folder + "/" + loaded.dataset.images[k].fileName)
/// }
/// ```
///
/// Crowd annotations are scored (the evaluator ignores detections on them) but not trained on,
/// as in FCOS; so are boxes without area.
public struct TrainingImages: Sendable {
    /// The side of the square input.
    public let size: Int
    /// Class index k is `categories[k]`.
    public let categories: [Category]
    /// The records as given (source coordinates).
    public let records: [ImageRecord]
    /// The map of each record into the square input.
    public let letterboxes: [Letterbox]
    /// `size` x `size` each.
    let images: [RGBImage]
    /// Per image: training boxes x0 y0 x1 y1 in input pixels, and their class indices.
    let boxes: [[(Float, Float, Float, Float)]]
    let classes: [[Int]]

    /// Loads every image of `dataset` through `image` (on all cores) and letterboxes it. An
    /// image whose size differs from its record's is an error naming it.
    public init(dataset: DetectionDataset, size: Int, image: @Sendable (Int) throws -> RGBImage) throws {
        let count = dataset.images.count
        var loaded = [Result<RGBImage, Error>?](repeating: nil, count: count)
        loaded.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            DispatchQueue.concurrentPerform(iterations: count) { k in
                slots[k] = Result { try image(k) }
            }
        }
        let classIndex = Dictionary(uniqueKeysWithValues: dataset.categories.enumerated().map { ($1.id, $0) })
        var images: [RGBImage] = [], letterboxes: [Letterbox] = []
        var boxes: [[(Float, Float, Float, Float)]] = [], classes: [[Int]] = []
        for (k, record) in dataset.images.enumerated() {
            let picture = try loaded[k]!.get()
            guard picture.width == record.width, picture.height == record.height else {
                throw TrainingError.badData(source: record.fileName,
                                            reason: "the image is \(picture.width)x\(picture.height), its record says \(record.width)x\(record.height)")
            }
            let letterbox = Letterbox(width: record.width, height: record.height, size: size)
            images.append(picture.width == size && picture.height == size ? picture : letterbox.apply(to: picture))
            letterboxes.append(letterbox)
            var imageBoxes: [(Float, Float, Float, Float)] = [], imageClasses: [Int] = []
            for a in record.annotations where !a.isCrowd && a.box.width > 0 && a.box.height > 0 {
                guard let c = classIndex[a.categoryID] else { continue }
                let b = letterbox.apply(to: a.box)
                imageBoxes.append((Float(b.x), Float(b.y), Float(b.x + b.width), Float(b.y + b.height)))
                imageClasses.append(c)
            }
            boxes.append(imageBoxes)
            classes.append(imageClasses)
        }
        self.init(size: size, categories: dataset.categories, records: dataset.images, letterboxes: letterboxes,
                  images: images, boxes: boxes, classes: classes)
    }

    init(size: Int, categories: [Category], records: [ImageRecord], letterboxes: [Letterbox], images: [RGBImage],
         boxes: [[(Float, Float, Float, Float)]], classes: [[Int]]) {
        self.size = size
        self.categories = categories
        self.records = records
        self.letterboxes = letterboxes
        self.images = images
        self.boxes = boxes
        self.classes = classes
    }

    /// The number of images.
    public var count: Int { images.count }

    /// The number of training boxes.
    public var boxCount: Int { boxes.reduce(0) { $0 + $1.count } }

    /// The ground truth COCO evaluation scores against: the records as given.
    public var groundTruth: DetectionDataset { DetectionDataset(images: records, categories: categories) }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> TrainingImages {
        TrainingImages(size: size, categories: categories, records: indices.map { records[$0] },
                       letterboxes: indices.map { letterboxes[$0] }, images: indices.map { images[$0] },
                       boxes: indices.map { boxes[$0] }, classes: indices.map { classes[$0] })
    }
}
