/// How a loader treats bad input and how closely it looks at images.
///
/// ```swift
/// let loaded = try YOLOFolder(root: dir, split: "train2017").load(
///     names: namesFile, options: DataLoadOptions(onError: .skip))
/// for problem in loaded.skipped { print("warning: \(problem)") }
/// ```
public struct DataLoadOptions: Hashable, Sendable {
    /// What to do with an image whose file or labels are bad.
    public enum OnError: String, Hashable, Sendable, CaseIterable {
        /// Stop at the first problem and throw it (the default: a wrong count is worse than none).
        case fail
        /// Leave the image out, with all its boxes, and record the problem in `LoadedDataset.skipped`.
        /// The whole image goes, not only the bad line: an image with some of its objects
        /// missing would teach a detector that those objects are background.
        case skip
    }

    /// How much of each image file a loader reads.
    public enum ImageCheck: String, Hashable, Sendable, CaseIterable {
        /// The header (for the pixel size) and the file's end marker (for truncation): a few KB
        /// a file, so a 100k-image dataset loads in seconds. Corrupt pixel data inside an
        /// otherwise whole file passes and is caught when the image is decoded.
        case header
        /// A full decode of every image: every corrupt file is found, at the cost of decoding.
        case decode
    }

    /// What to do with an image whose file or labels are bad.
    public var onError: OnError
    /// How much of each image file is read while loading.
    public var imageCheck: ImageCheck
    /// The most pixels an image may have, checked from its header before any decode.
    public var maxPixels: Int

    /// Options: fail at the first problem and read headers only, unless told otherwise.
    public init(onError: OnError = .fail, imageCheck: ImageCheck = .header, maxPixels: Int = ImageHeader.defaultMaxPixels) {
        self.onError = onError
        self.imageCheck = imageCheck
        self.maxPixels = maxPixels
    }
}

/// A loaded dataset and the problems that made the loader leave images out (only with
/// `onError: .skip`; empty otherwise).
public struct LoadedDataset: Hashable, Sendable {
    /// The images that loaded.
    public var dataset: DetectionDataset
    /// Why each left-out image was left out.
    public var skipped: [DataError]

    /// A loaded dataset and what was skipped.
    public init(dataset: DetectionDataset, skipped: [DataError] = []) {
        self.dataset = dataset
        self.skipped = skipped
    }
}
