import Foundation

/// Writing scenes to disk in COCO's layout, for other tools (pycocotools, PyTorch detectors) and
/// for looking at them:
/// ```
/// DIR/images/train/000001.png ...        DIR/annotations/instances_train.json
/// DIR/images/val/000001.png ...          DIR/annotations/instances_val.json
/// DIR/classes.txt                        (one class name a line: a YOLO names file too)
/// ```
extension ShapesScenes {
    /// Renders and writes `count` scenes of each split (a split with count 0 is left out), on all
    /// cores. Returns the datasets written. Throws `DataError.writeFailed` naming the file.
    @discardableResult
    public func export(to folder: String, train: Int, val: Int) throws -> [DataSplit: DetectionDataset] {
        var written: [DataSplit: DetectionDataset] = [:]
        try _FileIO.write(Data((Self.categories.map(\.name).joined(separator: "\n") + "\n").utf8), to: folder + "/classes.txt")
        for (split, count) in [(DataSplit.train, train), (.val, val)] where count > 0 {
            let imageFolder = folder + "/images/" + split.rawValue
            var failures = [DataError?](repeating: nil, count: count)
            failures.withUnsafeMutableBufferPointer { slots in
                let slots = slots
                DispatchQueue.concurrentPerform(iterations: count) { index in
                    let image = render(layout(index, split: split), index: index, split: split)
                    do {
                        try image.writePNG(toFile: imageFolder + "/" + Self.fileName(index))
                    } catch {
                        slots[index] = error as? DataError ?? .writeFailed(path: imageFolder + "/" + Self.fileName(index), reason: "\(error)")
                    }
                }
            }
            if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
            let dataset = dataset(split: split, count: count)
            try dataset.writeCOCOJSON(
                toFile: folder + "/annotations/instances_\(split.rawValue).json",
                description: "autoloss shapes scenes: seed \(seed), \(imageSize) px, \(split.rawValue) split")
            written[split] = dataset
        }
        return written
    }
}
