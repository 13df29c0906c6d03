import Foundation

/// From a `--data` argument to data: `shapes`, `coco128` (found beside the repository, or through
/// `AUTOLOSS_COCO128`), or a path to a dataset folder.
extension DetectorData {
    /// `anchors` are folders (or files) to search upward from for `shared/data/coco128`: the
    /// current directory and the executable, typically.
    public static func resolve(_ spec: String, searchingFrom anchors: [String],
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DetectorData {
        switch spec {
        case "shapes":
            return .shapes
        case "coco128":
            guard let path = locateCoco128(searchingFrom: anchors, environment: environment) else {
                throw TrainingError.badData(source: "coco128", reason: "not found: looked for shared/data/coco128 above the current directory and the executable; set AUTOLOSS_COCO128 to its folder")
            }
            return .folder(try DatasetFolder(path: path))
        default:
            return .folder(try DatasetFolder(path: spec))
        }
    }

    /// What can be said of `spec` without searching for it or reading any label: `shapes` and
    /// `coco128` pass (only `resolve` can find coco128), a path must be a dataset folder of a
    /// known layout. Throws the error `resolve` would throw for it.
    public static func check(_ spec: String) throws {
        guard spec != "shapes", spec != "coco128" else { return }
        _ = try DatasetFolder.layout(of: spec)
    }

    /// `$AUTOLOSS_COCO128` if set, else the first `A/shared/data/coco128` or `A/../shared/data/coco128`
    /// that holds `classes.txt`, for A the anchors and their parent folders.
    public static func locateCoco128(searchingFrom anchors: [String], environment: [String: String]) -> String? {
        if let path = environment["AUTOLOSS_COCO128"], !path.isEmpty { return path }
        for anchor in anchors {
            var folder = URL(fileURLWithPath: anchor).standardizedFileURL
            while true {
                for candidate in ["shared/data/coco128", "../shared/data/coco128"] {
                    let path = folder.appendingPathComponent(candidate).standardizedFileURL.path
                    if FileManager.default.fileExists(atPath: path + "/classes.txt") { return path }
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
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
            throw TrainingError.badData(source: path, reason: "no such dataset folder (give shapes, coco128, or a YOLO or COCO folder)")
        }
        let root = URL(fileURLWithPath: path).standardizedFileURL.path
        func exists(_ p: String) -> Bool { fm.fileExists(atPath: root + "/" + p) }
        if exists("images") && exists("labels") { return (root, true) }
        if exists("annotations") { return (root, false) }
        throw TrainingError.badData(source: root, reason: "not a dataset folder: expected YOLO (images/, labels/, classes.txt) or COCO (annotations/instances_SPLIT.json, images/SPLIT/)")
    }
}
