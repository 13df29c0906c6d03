import Foundation

extension COCOJSON {
    /// Reads a COCO instances file (ground truth) into a dataset. Annotations are attached to their
    /// images in file order; images and categories keep the file's order.
    ///
    /// Bad items (a missing or mistyped field, a negative box, an unknown image or category, a
    /// duplicate id) fail with a `DetectionError` naming the file and the item, or with
    /// `policy: .skip` are left out and passed to `skipped`. Malformed JSON always fails.
    ///
    /// Only a regular file of at most `maxBytes` is read (a symbolic link is followed to one):
    /// anything else throws a `DataError` naming it.
    public static func readInstances(
        path: String, policy: BadItemPolicy = .fail, skipped: ((DetectionError) -> Void)? = nil, maxBytes: Int = defaultMaxBytes
    ) throws -> DetectionDataset {
        try readInstances(data: readFile(path, maxBytes: maxBytes), source: path, policy: policy, skipped: skipped)
    }

    /// Reads a COCO instances document from memory; `source` names it in errors.
    public static func readInstances(
        data: Data, source: String = "instances", policy: BadItemPolicy = .fail,
        skipped: ((DetectionError) -> Void)? = nil
    ) throws -> DetectionDataset {
        var raw = _RawInstances()
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            let scanner = _JSONScanner(bytes: buffer.bindMemory(to: UInt8.self), source: source)
            var reader = _ItemReader(scanner: scanner, policy: policy, skipped: skipped)
            try reader.readInstances(into: &raw)
        }
        return try raw.assemble(source: source, policy: policy, skipped: skipped)
    }

    /// Reads a COCO results file (a JSON array of `{"image_id", "category_id", "bbox", "score"}`)
    /// in file order. Whether the images and categories exist is for the evaluator to check. The
    /// file is read as `readInstances` reads one.
    public static func readResults(
        path: String, policy: BadItemPolicy = .fail, skipped: ((DetectionError) -> Void)? = nil, maxBytes: Int = defaultMaxBytes
    ) throws -> [ScoredBox] {
        try readResults(data: readFile(path, maxBytes: maxBytes), source: path, policy: policy, skipped: skipped)
    }

    /// Reads a COCO results document from memory; `source` names it in errors.
    public static func readResults(
        data: Data, source: String = "results", policy: BadItemPolicy = .fail,
        skipped: ((DetectionError) -> Void)? = nil
    ) throws -> [ScoredBox] {
        var detections: [ScoredBox] = []
        detections.reserveCapacity(data.count / 90)
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            let scanner = _JSONScanner(bytes: buffer.bindMemory(to: UInt8.self), source: source)
            var reader = _ItemReader(scanner: scanner, policy: policy, skipped: skipped)
            try reader.readResults(into: &detections)
        }
        return detections
    }

    /// The largest COCO JSON file read by default: 4 GB (COCO's train2017 instances are 448 MB).
    public static let defaultMaxBytes = 4 << 30

    /// What files are called in errors.
    public static let fileRole = "COCO JSON file"

    static func readFile(_ path: String, maxBytes: Int = defaultMaxBytes) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DetectionError.unreadableFile(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw DetectionError.unreadableFile(path: path, reason: "it is a directory") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DetectionError.unreadableFile(path: path, reason: "permission denied")
        }
        // A device or a FIFO has no end to read to: only a regular file is read, and at most
        // maxBytes of it; mapped when it can be (its pages are read as the scanner gets to them).
        if try BoundedFile.regularFileSize(path, role: fileRole) > maxBytes {
            throw DataError.fileTooLarge(path: path, role: fileRole, limit: maxBytes)
        }
        if let mapped = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped), mapped.count <= maxBytes { return mapped }
        return try BoundedFile.read(path, role: fileRole, maxBytes: maxBytes)
    }
}

/// What the instances reader collects before the annotations are attached to their images.
struct _RawInstances {
    var sawImages = false
    var sawCategories = false
    var images: [(index: Int, record: ImageRecord)] = []
    var categories: [(index: Int, category: Category)] = []
    var annotations: [(index: Int, imageID: Int, annotation: Annotation)] = []

    func assemble(source: String, policy: BadItemPolicy, skipped: ((DetectionError) -> Void)?) throws -> DetectionDataset {
        guard sawImages else { throw DetectionError.invalidStructure(source: source, reason: "no \"images\" array: not a COCO instances file") }
        guard sawCategories else { throw DetectionError.invalidStructure(source: source, reason: "no \"categories\" array: not a COCO instances file") }
        func bad(_ e: DetectionError) throws {
            if policy == .fail { throw e }
            skipped?(e)
        }
        var records: [ImageRecord] = []
        records.reserveCapacity(images.count)
        var imageSlot: [Int: Int] = [:]
        for (index, record) in images {
            if imageSlot[record.id] != nil {
                try bad(.duplicateID(source: source, item: "images[\(index)] (id \(record.id))", kind: "image", id: record.id))
                continue
            }
            imageSlot[record.id] = records.count
            records.append(record)
        }
        var kept: [Category] = []
        var categoryIDs = Set<Int>()
        for (index, category) in categories {
            if !categoryIDs.insert(category.id).inserted {
                try bad(.duplicateID(source: source, item: "categories[\(index)] (id \(category.id))", kind: "category", id: category.id))
                continue
            }
            kept.append(category)
        }
        var annotationIDs = Set<Int>()
        annotationIDs.reserveCapacity(annotations.count)
        for (index, imageID, annotation) in annotations {
            func item() -> String { "annotations[\(index)] (id \(annotation.id))" }
            guard let slot = imageSlot[imageID] else {
                try bad(.unknownImage(source: source, item: item(), imageID: imageID))
                continue
            }
            guard categoryIDs.contains(annotation.categoryID) else {
                try bad(.unknownCategory(source: source, item: item(), categoryID: annotation.categoryID))
                continue
            }
            guard annotationIDs.insert(annotation.id).inserted else {
                try bad(.duplicateID(source: source, item: item(), kind: "annotation", id: annotation.id))
                continue
            }
            records[slot].annotations.append(annotation)
        }
        return DetectionDataset(images: records, categories: kept)
    }
}
