import Dispatch
import Foundation

/// COCO's bbox evaluation, with the exact semantics of pycocotools' `COCOeval(gt, dt, "bbox")`:
/// `evaluate()`, `accumulate()` and `summarize()` give the same twelve numbers, to the last bit
/// where the arithmetic allows (it is the same arithmetic, in the same order).
///
/// ```
/// let gt = try COCOJSON.readInstances(path: "instances_val2017.json")
/// let evaluator = try COCOEvaluator(groundTruth: gt)
/// let metrics = try evaluator.evaluate(try COCOJSON.readResults(path: "detections.json"))
/// print(metrics.summaryLines.joined(separator: "\n"))   // as pycocotools prints them
/// ```
///
/// What it reproduces (pycocotools 2.0, `cocoeval.py` and `maskApi.c`):
/// - images are all the ground truth's images, in ascending id order; categories all its
///   categories, even those without annotations (their AP is -1, left out of the means);
/// - per image and category, detections are sorted by score, highest first, with ties kept in
///   file order (`np.argsort(-scores, kind='mergesort')`), and only the first 100 are kept;
/// - IoU of boxes as `bbIou` computes it; a crowd region's IoU is the intersection over the
///   detection's area; crowd regions are ignored and may match any number of detections;
/// - for each area range, ground truth outside it (by its annotation `area`) is ignored and sorted
///   last; a detection takes the best remaining ground truth with IoU >= the threshold, preferring
///   one that is not ignored; unmatched detections outside the area range (by the box's w * h) are
///   ignored; a match to an annotation with id 0 counts as no match, as in pycocotools;
/// - accumulation over images per category, area range and maxDets (1, 10, 100): the precision
///   envelope, read at 101 recall thresholds by `searchsorted(side='left')`, 0 beyond the last
///   recall reached; the summary numbers are means of the entries > -1, summed pairwise as NumPy
///   does.
/// The annotation's `ignore` flag is not used (pycocotools overwrites it with `iscrowd`), unless
/// `Options.honorsIgnoreFlag` is set.
public struct COCOEvaluator: Sendable {
    /// How the evaluator treats bad detections and how many threads it uses.
    public struct Options: Sendable {
        /// What to do with a bad item: an annotation or detection with an unknown image or
        /// category, a negative or non-finite box, a duplicate id. Default: fail.
        public var policy: BadItemPolicy
        /// Treat annotations with `ignore` set like crowd regions for the counts (not for the
        /// IoU). pycocotools does not (it overwrites `ignore` with `iscrowd`): off by default.
        public var honorsIgnoreFlag: Bool
        /// At most this many threads (categories are evaluated in parallel); 0 means one per core.
        public var maxThreads: Int

        /// Fail on bad items, pycocotools' treatment of ignore flags, all the cores.
        public init(policy: BadItemPolicy = .fail, honorsIgnoreFlag: Bool = false, maxThreads: Int = 0) {
            self.policy = policy
            self.honorsIgnoreFlag = honorsIgnoreFlag
            self.maxThreads = maxThreads
        }
    }

    // MARK: pycocotools' parameters (`Params.setDetParams`)

    /// `np.linspace(.5, 0.95, 10)`, computed as NumPy computes it (start + i * step, the last
    /// element set to the stop value), so that the values are the same Doubles.
    public static let iouThresholds: [Double] = linspace(0.5, 0.95, 10)
    /// `np.linspace(.0, 1.00, 101)`.
    public static let recallThresholds: [Double] = linspace(0.0, 1.0, 101)
    /// The area ranges `all`, `small`, `medium`, `large`: [0, 1e10], [0, 32²], [32², 96²],
    /// [96², 1e10], bounds included.
    public static let areaRanges: [(label: String, lower: Double, upper: Double)] = [
        ("all", 0, 1e10), ("small", 0, 1024), ("medium", 1024, 9216), ("large", 9216, 1e10),
    ]
    /// maxDets, ascending; the last is the number of detections kept per image and category.
    public static let maxDetections: [Int] = [1, 10, 100]

    static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        let step = (stop - start) / Double(count - 1)
        var values = (0..<count).map { Double($0) * step + start }
        values[count - 1] = stop
        return values
    }

    /// The options it was built with.
    public let options: Options
    let groundTruth: _GroundTruth

    /// Prepares the ground truth once; `evaluate` can then be called for many detection sets.
    /// Bad annotations (unknown category, negative or non-finite box or area), duplicate image or
    /// category ids fail, or with `policy: .skip` are left out and passed to `skipped`.
    public init(groundTruth dataset: DetectionDataset, options: Options = Options(),
                source: String = "ground truth", skipped: ((DetectionError) -> Void)? = nil) throws {
        self.options = options
        self.groundTruth = try _GroundTruth(dataset, options: options, source: source, skipped: skipped)
    }

    /// The ground truth's categories, sorted by id: the order of `DetectionMetrics.perCategory`.
    public var categories: [Category] { groundTruth.categories }

    /// The ground truth's image ids, ascending.
    public var imageIDs: [Int] { groundTruth.imageIDs }

    /// Evaluates detections against the ground truth. A detection naming an unknown image or
    /// category, or with a negative or non-finite box or score, fails with a `DetectionError`
    /// that names `source` and the detection's index, or with `policy: .skip` is left out and
    /// passed to `skipped` (pycocotools itself refuses unknown images and never evaluates
    /// detections of unknown categories, so `.skip` gives its numbers).
    public func evaluate(_ detections: [ScoredBox], source: String = "detections",
                         skipped: ((DetectionError) -> Void)? = nil) throws -> DetectionMetrics {
        let dt = try _Detections(detections, groundTruth: groundTruth, policy: options.policy, source: source, skipped: skipped)
        let K = groundTruth.categories.count
        let T = Self.iouThresholds.count, R = Self.recallThresholds.count
        let A = Self.areaRanges.count, M = Self.maxDetections.count
        var precision = [Double](repeating: -1, count: T * R * K * A * M)
        var recall = [Double](repeating: -1, count: T * K * A * M)
        precision.withUnsafeMutableBufferPointer { precisionBuffer in
            recall.withUnsafeMutableBufferPointer { recallBuffer in
                let output = _Output(precision: precisionBuffer, recall: recallBuffer, categoryCount: K)
                let gt = groundTruth
                let threads = options.maxThreads <= 0 ? ProcessInfo.processInfo.activeProcessorCount : options.maxThreads
                if threads <= 1 || K <= 1 {
                    var workspace = _Workspace()
                    for k in 0..<K { Self.evaluateCategory(k, gt: gt, dt: dt, workspace: &workspace, output: output) }
                } else {
                    // Categories are independent: each writes its own slices of the outputs.
                    // Larger categories first keeps the last ones from running alone.
                    let order = (0..<K).sorted { dt.count(of: $0) + gt.count(of: $0) > dt.count(of: $1) + gt.count(of: $1) }
                    let next = _Counter()
                    DispatchQueue.concurrentPerform(iterations: min(threads, K)) { _ in
                        var workspace = _Workspace()
                        while true {
                            let j = next.increment()
                            if j >= K { break }
                            Self.evaluateCategory(order[j], gt: gt, dt: dt, workspace: &workspace, output: output)
                        }
                    }
                }
            }
        }
        return DetectionMetrics(categories: groundTruth.categories, precision: precision, recall: recall)
    }
}

/// The shared output arrays, written by category: precision [T][R][K][A][M], recall [T][K][A][M]
/// (pycocotools' `eval['precision']` and `eval['recall']` layouts).
struct _Output: @unchecked Sendable {
    let precision: UnsafeMutableBufferPointer<Double>
    let recall: UnsafeMutableBufferPointer<Double>
    let categoryCount: Int
}

/// A shared work counter for the worker threads.
final class _Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// The ground truth, flattened: annotations grouped by category (sorted by id), then by image
/// (sorted by id), then in file order, as columns.
struct _GroundTruth: Sendable {
    var imageIDs: [Int] = []
    var imageIndex: [Int: Int32] = [:]
    var categories: [Category] = []
    var categoryIndex: [Int: Int32] = [:]
    var x: [Double] = [], y: [Double] = [], w: [Double] = [], h: [Double] = []
    var area: [Double] = []
    var crowd: [Bool] = []
    /// `iscrowd`, or the annotation's `ignore` flag where the options honour it.
    var ignore: [Bool] = []
    /// Whether the annotation's id is non-zero (pycocotools records a match by the id, and a
    /// match to id 0 reads as no match).
    var idNonZero: [Bool] = []
    var image: [Int32] = []
    /// Category k's annotations are `categoryStart[k] ..< categoryStart[k + 1]`.
    var categoryStart: [Int] = [0]

    func count(of k: Int) -> Int { categoryStart[k + 1] - categoryStart[k] }

    init(_ dataset: DetectionDataset, options: COCOEvaluator.Options, source: String,
         skipped: ((DetectionError) -> Void)?) throws {
        func bad(_ e: DetectionError) throws {
            if options.policy == .fail { throw e }
            skipped?(e)
        }
        var images: [ImageRecord] = []
        var seenImages = Set<Int>()
        for (i, image) in dataset.images.enumerated() {
            if seenImages.insert(image.id).inserted {
                images.append(image)
            } else {
                try bad(.duplicateID(source: source, item: "images[\(i)] (id \(image.id))", kind: "image", id: image.id))
            }
        }
        images.sort { $0.id < $1.id }
        imageIDs = images.map(\.id)
        imageIndex.reserveCapacity(images.count)
        for (i, id) in imageIDs.enumerated() { imageIndex[id] = Int32(i) }

        var seenCategories = Set<Int>()
        for (i, category) in dataset.categories.enumerated() {
            if seenCategories.insert(category.id).inserted {
                categories.append(category)
            } else {
                try bad(.duplicateID(source: source, item: "categories[\(i)] (id \(category.id))", kind: "category", id: category.id))
            }
        }
        categories.sort { $0.id < $1.id }
        for (k, category) in categories.enumerated() { categoryIndex[category.id] = Int32(k) }

        // Check every annotation, then place it by counting sort on the category; walking the
        // images in id order keeps each category's annotations grouped by image.
        var kept: [(annotation: Annotation, image: Int32, category: Int32)] = []
        kept.reserveCapacity(dataset.annotationCount)
        var counts = [Int](repeating: 0, count: categories.count + 1)
        for (i, image) in images.enumerated() {
            for annotation in image.annotations {
                func item() -> String { "annotation (id \(annotation.id)) of image \(image.id)" }
                guard let k = categoryIndex[annotation.categoryID] else {
                    try bad(.unknownCategory(source: source, item: item(), categoryID: annotation.categoryID))
                    continue
                }
                let b = annotation.box
                guard b.x.isFinite, b.y.isFinite, b.width.isFinite, b.height.isFinite, annotation.area.isFinite else {
                    try bad(.invalidField(source: source, item: item(), field: "bbox", reason: "must hold finite numbers"))
                    continue
                }
                guard b.width >= 0, b.height >= 0 else {
                    try bad(.negativeBoxSize(source: source, item: item(), box: b))
                    continue
                }
                kept.append((annotation, Int32(i), k))
                counts[Int(k) + 1] += 1
            }
        }
        for k in 0..<categories.count { counts[k + 1] += counts[k] }
        categoryStart = counts
        let n = kept.count
        x = [Double](repeating: 0, count: n); y = x; w = x; h = x; area = x
        crowd = [Bool](repeating: false, count: n); ignore = crowd; idNonZero = crowd
        image = [Int32](repeating: 0, count: n)
        var fill = counts
        for (annotation, i, k) in kept {
            let p = fill[Int(k)]
            fill[Int(k)] += 1
            x[p] = annotation.box.x; y[p] = annotation.box.y
            w[p] = annotation.box.width; h[p] = annotation.box.height
            area[p] = annotation.area
            crowd[p] = annotation.isCrowd
            ignore[p] = annotation.isCrowd || (options.honorsIgnoreFlag && annotation.ignore)
            idNonZero[p] = annotation.id != 0
            image[p] = i
        }
    }
}

/// The detections, flattened like the ground truth: grouped by category, then image, then in
/// file order (a stable two-pass counting sort).
struct _Detections: Sendable {
    var x: [Double] = [], y: [Double] = [], w: [Double] = [], h: [Double] = []
    var score: [Double] = []
    var image: [Int32] = []
    var categoryStart: [Int] = [0]

    func count(of k: Int) -> Int { categoryStart[k + 1] - categoryStart[k] }

    init(_ detections: [ScoredBox], groundTruth gt: _GroundTruth, policy: BadItemPolicy, source: String,
         skipped: ((DetectionError) -> Void)?) throws {
        func bad(_ e: DetectionError) throws {
            if policy == .fail { throw e }
            skipped?(e)
        }
        let n = detections.count
        var imageOf = [Int32](repeating: -1, count: n)
        var categoryOf = [Int32](repeating: -1, count: n)
        let I = gt.imageIDs.count, K = gt.categories.count
        var imageCounts = [Int](repeating: 0, count: I + 1)
        var categoryCounts = [Int](repeating: 0, count: K + 1)
        var valid = 0
        for (j, d) in detections.enumerated() {
            func item() -> String { "detection [\(j)] (image_id \(d.imageID))" }
            guard let i = gt.imageIndex[d.imageID] else {
                try bad(.unknownImage(source: source, item: item(), imageID: d.imageID))
                continue
            }
            guard let k = gt.categoryIndex[d.categoryID] else {
                try bad(.unknownCategory(source: source, item: item(), categoryID: d.categoryID))
                continue
            }
            let b = d.box
            guard b.x.isFinite, b.y.isFinite, b.width.isFinite, b.height.isFinite else {
                try bad(.invalidField(source: source, item: item(), field: "bbox", reason: "must hold finite numbers"))
                continue
            }
            guard b.width >= 0, b.height >= 0 else {
                try bad(.negativeBoxSize(source: source, item: item(), box: b))
                continue
            }
            guard d.score.isFinite else {
                try bad(.invalidField(source: source, item: item(), field: "score", reason: "must be a finite number"))
                continue
            }
            imageOf[j] = i
            categoryOf[j] = k
            imageCounts[Int(i) + 1] += 1
            categoryCounts[Int(k) + 1] += 1
            valid += 1
        }
        for i in 0..<I { imageCounts[i + 1] += imageCounts[i] }
        for k in 0..<K { categoryCounts[k + 1] += categoryCounts[k] }
        // Pass 1: by image, stable.
        var byImage = [Int32](repeating: 0, count: valid)
        for j in 0..<n where imageOf[j] >= 0 {
            let i = Int(imageOf[j])
            byImage[imageCounts[i]] = Int32(j)
            imageCounts[i] += 1
        }
        // Pass 2: by category, stable, so the order is (category, image, file position).
        categoryStart = categoryCounts
        x = [Double](repeating: 0, count: valid); y = x; w = x; h = x; score = x
        image = [Int32](repeating: 0, count: valid)
        for j32 in byImage {
            let j = Int(j32)
            let k = Int(categoryOf[j])
            let p = categoryCounts[k]
            categoryCounts[k] += 1
            let d = detections[j]
            x[p] = d.box.x; y[p] = d.box.y; w[p] = d.box.width; h[p] = d.box.height
            score[p] = d.score
            image[p] = imageOf[j]
        }
    }
}
