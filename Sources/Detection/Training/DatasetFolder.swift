import Foundation

/// A dataset folder's splits: records and the folder holding their images.
public struct DatasetFolder: Sendable {
    /// One split: its name, records and image folder.
    public struct Part: Sendable {
        /// The split's name (`train`, `val`, ...).
        public var name: String
        /// Its records.
        public var dataset: DetectionDataset
        /// The folder holding its images.
        public var imageFolder: String
    }

    /// The dataset folder.
    public var root: String
    /// The training split.
    public var train: Part
    /// nil when the folder has a single split (scoring on val is then refused).
    public var val: Part?

    func split(_ split: DataSplit) throws -> Part {
        switch split {
        case .train: return train
        case .val:
            guard let val else {
                throw TrainingError.noValidationSplit(folder: root)
            }
            return val
        }
    }
}

extension DatasetFolder {
    /// Opens a dataset folder in either layout:
    /// - YOLO: `images/`, `labels/` and `classes.txt` (or `data.yaml`); splits are the subfolders
    ///   of `images/` that `labels/` also has (`train*` trains, `val*` is scored); without
    ///   subfolders the whole folder is the training split.
    /// - COCO: `annotations/instances_SPLIT.json` with images in `images/SPLIT/` or `SPLIT/`.
    public init(path: String) throws {
        let fm = FileManager.default
        let (root, isYOLO) = try Self.layout(of: path)
        func exists(_ p: String) -> Bool { fm.fileExists(atPath: root + "/" + p) }
        func pick(_ names: [String], _ prefix: String) -> String? { names.sorted().first { $0.hasPrefix(prefix) } }

        if isYOLO {
            guard let namesFile = ["classes.txt", "data.yaml", "data.yml"].first(where: exists) else {
                throw TrainingError.badData(source: root, reason: "a YOLO folder needs its class names: classes.txt or data.yaml")
            }
            let names = try ClassNames(contentsOfFile: root + "/" + namesFile)
            let splits = ((try? fm.contentsOfDirectory(atPath: root + "/images")) ?? []).filter {
                var d: ObjCBool = false
                return fm.fileExists(atPath: root + "/images/" + $0, isDirectory: &d) && d.boolValue && exists("labels/" + $0)
            }
            func part(_ split: String?) throws -> Part {
                let folder = try YOLOFolder(root: root, split: split)
                return Part(name: split ?? "images", dataset: try folder.load(names: names).dataset, imageFolder: folder.imagesFolder)
            }
            if splits.isEmpty {
                self.init(root: root, train: try part(nil), val: nil)
            } else {
                guard let train = pick(splits, "train") else {
                    throw TrainingError.badData(source: root, reason: "no training split: images/ holds \(splits.sorted().joined(separator: ", ")), none named train*")
                }
                self.init(root: root, train: try part(train), val: try pick(splits, "val").map(part))
            }
            return
        }
        let files = ((try? fm.contentsOfDirectory(atPath: root + "/annotations")) ?? [])
            .filter { $0.hasPrefix("instances_") && $0.hasSuffix(".json") }
        let splits = files.map { String($0.dropFirst("instances_".count).dropLast(".json".count)) }
        func part(_ split: String) throws -> Part {
            let dataset = try COCOJSON.readInstances(path: root + "/annotations/instances_\(split).json")
            let imageFolder = exists("images/" + split) ? root + "/images/" + split : root + "/" + split
            return Part(name: split, dataset: dataset, imageFolder: imageFolder)
        }
        guard let train = pick(splits, "train") else {
            throw TrainingError.badData(source: root, reason: "no annotations/instances_train*.json")
        }
        self.init(root: root, train: try part(train), val: try pick(splits, "val").map(part))
    }

    /// The folder's standardized path, and whether it is a YOLO folder (images/ and labels/) or
    /// a COCO one (annotations/); nothing else is read.
    static func layout(of path: String) throws -> (root: String, isYOLO: Bool) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrainingError.badData(source: path, reason: "no such dataset folder (give shapes, a variant such as shapes:noisy, coco128, or a YOLO or COCO folder)")
        }
        let root = URL(fileURLWithPath: path).standardizedFileURL.path
        func exists(_ p: String) -> Bool { fm.fileExists(atPath: root + "/" + p) }
        if exists("images") && exists("labels") { return (root, true) }
        if exists("annotations") { return (root, false) }
        throw TrainingError.badData(source: root, reason: "not a dataset folder: expected YOLO (images/, labels/, classes.txt) or COCO (annotations/instances_SPLIT.json, images/SPLIT/)")
    }
}
