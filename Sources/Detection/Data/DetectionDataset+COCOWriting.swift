import LossLanguage
import Foundation

/// Writing a dataset as a COCO instances file (the `instances_*.json` of COCO 2017), which
/// pycocotools, mmdetection, detectron2 and our own evaluator read.
///
/// ```json
/// {"info": {"description": "...", "version": "1"},
///  "images": [{"id": 9, "file_name": "000000000009.jpg", "width": 640, "height": 480}],
///  "annotations": [{"id": 1, "image_id": 9, "category_id": 46, "bbox": [1.0, 187.0, 611.6, 285.8],
///                   "area": 174776.3, "iscrowd": 0}],
///  "categories": [{"id": 1, "name": "person", "supercategory": "none"}]}
/// ```
/// One image or annotation a line, keys in COCO's order, numbers in Swift's shortest exact
/// form (nothing is rounded: reading the file back gives the same Doubles). `ignore: 1` is
/// written only for annotations flagged ignore, as COCO itself does. There is no
/// `segmentation`: box-only ground truth is all that bbox evaluation reads. `info.version` is
/// the schema version of what this writer produces.
extension DetectionDataset {
    /// The schema version written to `info.version`.
    public static let cocoWriterVersion = "1"

    /// The dataset as COCO instances JSON. `description` goes to `info.description`.
    public func cocoJSON(description: String = "written by autoloss") -> Data {
        var out = "{\n\"info\": {\"description\": "
        _COCOText.string(description, into: &out)
        out += ", \"version\": \"\(Self.cocoWriterVersion)\"},\n\"licenses\": [],\n\"images\": ["
        for (k, image) in images.enumerated() {
            out += k == 0 ? "\n" : ",\n"
            out += "{\"id\": \(image.id), \"file_name\": "
            _COCOText.string(image.fileName, into: &out)
            out += ", \"width\": \(image.width), \"height\": \(image.height)}"
        }
        out += "\n],\n\"annotations\": ["
        var first = true
        for image in images {
            for a in image.annotations {
                out += first ? "\n" : ",\n"
                first = false
                out += "{\"id\": \(a.id), \"image_id\": \(image.id), \"category_id\": \(a.categoryID), \"bbox\": ["
                out += "\(_COCOText.number(a.box.x)), \(_COCOText.number(a.box.y)), \(_COCOText.number(a.box.width)), \(_COCOText.number(a.box.height))], "
                out += "\"area\": \(_COCOText.number(a.area)), \"iscrowd\": \(a.isCrowd ? 1 : 0)"
                if a.ignore { out += ", \"ignore\": 1" }
                out += "}"
            }
        }
        out += "\n],\n\"categories\": ["
        for (k, c) in categories.enumerated() {
            out += k == 0 ? "\n" : ",\n"
            out += "{\"id\": \(c.id), \"name\": "
            _COCOText.string(c.name, into: &out)
            out += ", \"supercategory\": \"none\"}"
        }
        out += "\n]\n}\n"
        return Data(out.utf8)
    }

    /// Writes `cocoJSON()` to a file (atomically, creating the folder). Throws `DataError`.
    public func writeCOCOJSON(toFile path: String, description: String = "written by autoloss") throws {
        try _FileIO.write(cocoJSON(description: description), to: path)
    }
}

/// JSON text pieces for the COCO writer.
enum _COCOText {
    /// Shortest round-trip form; non-finite values (which valid boxes never have) as 0, since
    /// JSON has no NaN and a reader would reject the whole file.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        return "\(v)"
    }

    static func string(_ s: String, into out: inout String) { JSONText.appendQuoted(s, to: &out) }
}
