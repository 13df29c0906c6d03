import Foundation

/// Where the proxy detector's images come from: the built-in shapes scenes, or a dataset on disk
/// (a YOLO folder such as coco128, or a COCO folder as `autoloss data shapes` writes it), with a
/// training split and, where there is one, a validation split.
///
/// ```swift
/// let data = try DetectorData.resolve("coco128", searchingFrom: [FileManager.default.currentDirectoryPath])
/// let train = try data.load(.train, size: 256)
/// ```
public enum DetectorData: Sendable {
    /// The built-in scenes; their image size follows the schedule's input size.
    case shapes(seed: UInt64, options: ShapesScenes.Options)
    /// A dataset on disk, its splits' records read (image headers only) but no pixels decoded.
    case folder(DatasetFolder)

    /// The shapes scenes the presets are tuned on (`TrainingSchedule+Presets.swift`).
    public static var shapes: DetectorData { .shapes(seed: shapesSeed, options: DetectorData.proxyShapesOptions) }

    /// The `--data` spec of the data, for messages and for worker processes, which resolve it
    /// again: `resolve(name)` gives the same data. The presets' scenes and their variants by
    /// their canonical spec (`shapes`, `shapes:noisy,noise=0.4`: see `DetectorData+ShapesSpec.swift`),
    /// a folder by its absolute path (resolved from any working directory). Scenes that no spec
    /// gives (another seed or options, made in code) are "shapes", a name for messages only.
    public var name: String {
        switch self {
        case let .shapes(seed, options): return Self.shapesSpec(seed: seed, options: options) ?? "shapes"
        case .folder(let f): return f.root
        }
    }

    /// The records of a split (no pixels), the first `count` of them where given: for choosing
    /// the MOS verification set. `shapes` needs a count and an image size.
    public func records(_ split: DataSplit, count: Int?, size: Int) throws -> DetectionDataset {
        switch self {
        case let .shapes(seed, options):
            return ShapesScenes(seed: seed, imageSize: size, options: options)
                .dataset(split: split, count: count ?? 1000)
        case .folder(let folder):
            let part = try folder.split(split)
            return DetectionDataset(images: Array(part.dataset.images.prefix(count ?? .max)), categories: part.dataset.categories)
        }
    }

    /// A split's images prepared for the detector: the first `count` (all of a folder's when
    /// nil), or those at `indices` of the split's records.
    public func load(_ split: DataSplit, count: Int? = nil, indices: [Int]? = nil, size: Int) throws -> TrainingImages {
        let all = try records(split, count: indices.map { ($0.max() ?? -1) + 1 } ?? count, size: size)
        let chosen = indices ?? Array(all.images.indices)
        let dataset = DetectionDataset(images: chosen.map { all.images[$0] }, categories: all.categories)
        guard !dataset.images.isEmpty else {
            throw TrainingError.badData(source: name, reason: "the \(split.rawValue) split has no images")
        }
        switch self {
        case let .shapes(seed, options):
            let scenes = ShapesScenes(seed: seed, imageSize: size, options: options)
            return try TrainingImages(dataset: dataset, size: size) { k in scenes.scene(chosen[k], split: split).image }
        case .folder(let folder):
            let imageFolder = try folder.split(split).imageFolder
            return try TrainingImages(dataset: dataset, size: size) { k in
                try RGBImage(contentsOfFile: imageFolder + "/" + dataset.images[k].fileName)
            }
        }
    }
}
