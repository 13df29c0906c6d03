import Detection
import Foundation

/// A COCO evaluation case as files: gt.json (instances) and dt.json (results), written with
/// every Double in its shortest round-trip form so that Python reads the same numbers.
struct COCOCase {
    struct GT {
        var id: Int
        var imageID: Int
        var categoryID: Int
        var box: [Double]
        var area: Double
        var crowd = false
    }

    struct DT {
        var imageID: Int
        var categoryID: Int
        var box: [Double]
        var score: Double
    }

    var name: String
    var imageIDs: [Int] = []
    var categories: [(id: Int, name: String)] = []
    var annotations: [GT] = []
    var detections: [DT] = []
    /// Use this instances file instead of writing one (the real coco128 case).
    var groundTruthFile: URL?

    init(name: String) { self.name = name }

    var gtJSON: String {
        var s = "{\"images\": ["
        s += imageIDs.map { "{\"id\": \($0), \"file_name\": \"\($0).jpg\", \"width\": 640, \"height\": 480}" }.joined(separator: ", ")
        s += "], \"categories\": ["
        s += categories.map { "{\"id\": \($0.id), \"name\": \"\($0.name)\"}" }.joined(separator: ", ")
        s += "], \"annotations\": ["
        s += annotations.map { a in
            "{\"id\": \(a.id), \"image_id\": \(a.imageID), \"category_id\": \(a.categoryID), \"bbox\": \(Self.numbers(a.box)), \"area\": \(a.area), \"iscrowd\": \(a.crowd ? 1 : 0)}"
        }.joined(separator: ",\n")
        return s + "]}"
    }

    var dtJSON: String {
        "[" + detections.map { d in
            "{\"image_id\": \(d.imageID), \"category_id\": \(d.categoryID), \"bbox\": \(Self.numbers(d.box)), \"score\": \(d.score)}"
        }.joined(separator: ",\n") + "]"
    }

    static func numbers(_ v: [Double]) -> String { "[" + v.map { "\($0)" }.joined(separator: ", ") + "]" }

    /// Writes gt.json and dt.json into `directory/name`, returns that folder.
    func write(under directory: URL) throws -> URL {
        let dir = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let gt = dir.appendingPathComponent("gt.json")
        if let groundTruthFile {
            try? FileManager.default.removeItem(at: gt)
            try FileManager.default.createSymbolicLink(at: gt, withDestinationURL: groundTruthFile)
        } else {
            try gtJSON.write(to: gt, atomically: true, encoding: .utf8)
        }
        try dtJSON.write(to: dir.appendingPathComponent("dt.json"), atomically: true, encoding: .utf8)
        return dir
    }

    /// Reads the written files back with the library's readers and evaluates them.
    static func evaluate(_ dir: URL) throws -> DetectionMetrics {
        let gt = try COCOJSON.readInstances(path: dir.appendingPathComponent("gt.json").path)
        let dt = try COCOJSON.readResults(path: dir.appendingPathComponent("dt.json").path)
        return try COCOEvaluator(groundTruth: gt).evaluate(dt)
    }
}

/// A fresh temporary folder, removed by the caller.
func makeTemporaryDirectory(_ prefix: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
