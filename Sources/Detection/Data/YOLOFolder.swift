import Foundation

/// A dataset in YOLO's folder layout: an images folder, a labels folder beside it with one
/// `NAME.txt` per image `NAME.jpg` (see `parseLabels` for the line format), and a class-names
/// file. An image without a label file is a background image (no objects); a label file
/// without an image is an error.
///
/// ```swift
/// let folder = try YOLOFolder(root: "../shared/data/coco128", split: "train2017")
/// let loaded = try folder.load(names: ClassNames(contentsOfFile: "../shared/data/coco128/classes.txt"))
/// loaded.dataset.annotationCount   // 929
/// ```
///
/// Image ids: when every image's name is a number (COCO's `000000000009.jpg`), that number, so
/// that a converted COCO subset keeps its ids; otherwise 1, 2, 3, ... in name order. Annotation
/// ids run 1, 2, 3, ... in image-name order, then line order. `area` is the box area.
public struct YOLOFolder: Hashable, Sendable {
    /// The folder of the split's images.
    public var imagesFolder: String
    /// The folder of their label files.
    public var labelsFolder: String

    /// A YOLO split from its image and label folders.
    public init(images: String, labels: String) {
        imagesFolder = images
        labelsFolder = labels
    }

    /// The folder `root` holding `images/` and `labels/`, or with a split, `images/SPLIT` and
    /// `labels/SPLIT`. Throws when a folder is missing, or when `images/` holds only split
    /// folders and no split was named (the error lists them).
    public init(root: String, split: String? = nil) throws {
        let images = root + "/images" + (split.map { "/" + $0 } ?? "")
        let labels = root + "/labels" + (split.map { "/" + $0 } ?? "")
        guard _FileIO.exists(images, directory: true) else {
            let splits = _FileIO.subfolders(of: root + "/labels").filter { _FileIO.exists(root + "/images/" + $0, directory: true) }
            let hint = split != nil && !splits.isEmpty ? " (splits here: \(splits.joined(separator: ", ")))" : ""
            throw DataError.missingFile(path: images, role: "images folder" + hint)
        }
        guard _FileIO.exists(labels, directory: true) else {
            throw DataError.missingFile(path: labels, role: "labels folder (YOLO keeps labels/ beside images/)")
        }
        if split == nil {
            let hasImages = try _FileIO.files(in: images).contains { Self.isImageName($0) }
            let splits = _FileIO.subfolders(of: images)
            if !hasImages && !splits.isEmpty {
                throw DataError.splitNeeded(folder: images, splits: splits)
            }
        }
        self.init(images: images, labels: labels)
    }

    /// Loads the images' sizes and the labels into a `DetectionDataset`.
    public func load(names: ClassNames, numbering: CategoryNumbering = .oneBased,
                     options: DataLoadOptions = DataLoadOptions()) throws -> LoadedDataset {
        let categories = try names.categories(numbering: numbering)
        var skipped: [DataError] = []
        func problem(_ error: DataError) throws {
            if options.onError == .fail { throw error }
            skipped.append(error)
        }

        // Which files are images, which labels, and which label belongs to which image.
        var imageNames: [String] = []
        var stems: [String: String] = [:]
        for name in try _FileIO.files(in: imagesFolder) {
            let ext = Self.extensionOf(name)
            if ImageFormat.otherImageExtensions.contains(ext) {
                try problem(.unsupportedImage(path: imagesFolder + "/" + name, reason: "\(ext.uppercased()) files are not read"))
            } else if ImageFormat.fileExtensions.contains(ext) {
                let stem = Self.stemOf(name)
                if let other = stems[stem] {
                    try problem(.unsupportedImage(path: imagesFolder + "/" + name, reason: "\(other) has the same name; one label file \(stem).txt cannot belong to both"))
                    continue
                }
                stems[stem] = name
                imageNames.append(name)
            }
        }
        for name in try _FileIO.files(in: labelsFolder) where Self.extensionOf(name) == "txt" {
            let stem = Self.stemOf(name)
            // labelImg and similar tools keep the class names beside the labels.
            if stems[stem] == nil && name != "classes.txt" {
                try problem(.missingImage(labelFile: labelsFolder + "/" + name, folder: imagesFolder, stem: stem))
            }
        }
        if imageNames.isEmpty { throw DataError.noImages(folder: imagesFolder, hint: "") }
        let ids = Self.imageIDs(imageNames)

        // The per-image work (reading a header or decoding, parsing labels) on every core; the
        // results are then taken in name order, so the first error and all ids are deterministic.
        var results = [Result<ImageRecord, DataError>?](repeating: nil, count: imageNames.count)
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            DispatchQueue.concurrentPerform(iterations: imageNames.count) { k in
                slots[k] = Result { try record(imageNames[k], id: ids[k], names: names, numbering: numbering, check: options.imageCheck, maxPixels: options.maxPixels) }
                    .mapError { $0 as? DataError ?? .unreadableFile(path: imagesFolder + "/" + imageNames[k], reason: "\($0)") }
            }
        }
        var images: [ImageRecord] = []
        var nextAnnotationID = 1
        for result in results {
            switch result! {
            case .failure(let error):
                try problem(error)
            case .success(var image):
                for k in image.annotations.indices {
                    image.annotations[k].id = nextAnnotationID
                    nextAnnotationID += 1
                }
                images.append(image)
            }
        }
        return LoadedDataset(dataset: DetectionDataset(images: images, categories: categories), skipped: skipped)
    }

    /// One image's record: its size (header or full decode) and its labels' boxes in pixels.
    private func record(_ name: String, id: Int, names: ClassNames, numbering: CategoryNumbering,
                        check: DataLoadOptions.ImageCheck, maxPixels: Int) throws -> ImageRecord {
        let path = imagesFolder + "/" + name
        let width: Int, height: Int
        switch check {
        case .header:
            let header = try ImageHeader.read(contentsOfFile: path, maxPixels: maxPixels)
            (width, height) = (header.width, header.height)
        case .decode:
            let image = try RGBImage(contentsOfFile: path, maxPixels: maxPixels)
            (width, height) = (image.width, image.height)
        }
        var record = ImageRecord(id: id, fileName: name, width: width, height: height)
        let labelPath = labelsFolder + "/" + Self.stemOf(name) + ".txt"
        // No label file: a background image. Anything else there (a folder, a dangling link, a
        // device) is a bad label file, not an image without objects.
        guard _FileIO.anythingAt(labelPath) else { return record }
        let data = try _FileIO.read(labelPath, role: "label file", maxBytes: _FileIO.maxLabelFileBytes)
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.badLabel(file: labelPath, line: 1, problem: .notText)
        }
        for (k, line) in try Self.parseLabels(text, file: labelPath, classCount: names.names.count).enumerated() {
            guard let box = line.box(imageWidth: width, imageHeight: height) else {
                throw DataError.badLabel(file: labelPath, line: Self.lineNumber(ofEntry: k, in: text), problem: .outsideImage)
            }
            record.annotations.append(Annotation(id: 0, categoryID: numbering.id(forClass: line.classIndex), box: box))
        }
        return record
    }

    /// Numeric names keep their number as id, when all are numeric and distinct; else 1, 2, 3...
    static func imageIDs(_ names: [String]) -> [Int] {
        let numbers = names.map { stem -> Int? in
            let s = stemOf(stem)
            return !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } ? Int(s) : nil
        }
        if numbers.allSatisfy({ $0 != nil }), Set(numbers).count == names.count { return numbers.map { $0! } }
        return Array(1...names.count)
    }

    /// The 1-based line number of the k-th non-blank line.
    static func lineNumber(ofEntry k: Int, in text: String) -> Int {
        var seen = -1
        for (n, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated()
        where !line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
            seen += 1
            if seen == k { return n + 1 }
        }
        return 0
    }

    static func isImageName(_ name: String) -> Bool { ImageFormat.fileExtensions.contains(extensionOf(name)) }

    static func extensionOf(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    static func stemOf(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }
}
