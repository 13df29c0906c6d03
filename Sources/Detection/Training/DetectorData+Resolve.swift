import Foundation

/// From a `--data` argument to data: `shapes` or a variant of it (`shapes:noisy`, see
/// `DetectorData+ShapesSpec.swift`), `coco128` (found beside the repository, or through
/// `AUTOLOSS_COCO128`), or a path to a dataset folder.
extension DetectorData {
    /// `anchors` are folders (or files) to search upward from for `shared/data/coco128`: the
    /// current directory and the executable, typically.
    public static func resolve(_ spec: String, searchingFrom anchors: [String],
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DetectorData {
        if isShapesSpec(spec) { return try shapesVariant(spec).map { .shapes(variant: $0) } ?? .shapes }
        switch spec {
        case "coco128":
            guard let path = locateCoco128(searchingFrom: anchors, environment: environment) else {
                throw TrainingError.badData(source: "coco128", reason: "not found: looked for shared/data/coco128 above the current directory and the executable; set AUTOLOSS_COCO128 to its folder")
            }
            return .folder(try DatasetFolder(path: path))
        default:
            return .folder(try DatasetFolder(path: spec))
        }
    }

    /// What can be said of `spec` without searching for it or reading any label: a shapes spec
    /// must parse, `coco128` passes (only `resolve` can find it), a path must be a dataset folder
    /// of a known layout. Throws the error `resolve` would throw for it.
    public static func check(_ spec: String) throws {
        if isShapesSpec(spec) { _ = try shapesVariant(spec); return }
        guard spec != "coco128" else { return }
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
