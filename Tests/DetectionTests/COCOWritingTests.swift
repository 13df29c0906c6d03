import Detection
import Foundation
import XCTest

final class COCOWritingTests: XCTestCase {
    /// A small dataset with every field the writer has, awkward names included.
    private var tiny: DetectionDataset {
        DetectionDataset(
            images: [
                ImageRecord(id: 3, fileName: "a \"quoted\" name.jpg", width: 40, height: 30, annotations: [
                    Annotation(id: 1, categoryID: 1, box: Box(x: 1.5, y: 2, width: 10.25, height: 4)),
                    Annotation(id: 2, categoryID: 2, box: Box(x: 0, y: 0, width: 40, height: 30), isCrowd: true),
                ]),
                ImageRecord(id: 7, fileName: "empty.png", width: 8, height: 8),
            ],
            categories: [Category(id: 1, name: "cat\\dog"), Category(id: 2, name: "crowd")])
    }

    func testJSONReadsBackWithTheSameValues() throws {
        let object = try JSONSerialization.jsonObject(with: tiny.cocoJSON()) as! [String: Any]
        let images = object["images"] as! [[String: Any]]
        XCTAssertEqual(images.map { $0["file_name"] as! String }, ["a \"quoted\" name.jpg", "empty.png"])
        let annotations = object["annotations"] as! [[String: Any]]
        XCTAssertEqual(annotations.count, 2)
        XCTAssertEqual(annotations[0]["bbox"] as! [Double], [1.5, 2, 10.25, 4])
        XCTAssertEqual(annotations[0]["area"] as! Double, 41)
        XCTAssertEqual(annotations[0]["image_id"] as! Int, 3)
        XCTAssertEqual(annotations[1]["iscrowd"] as! Int, 1)
        XCTAssertEqual((object["categories"] as! [[String: Any]]).map { $0["name"] as! String }, ["cat\\dog", "crowd"])
        XCTAssertEqual((object["info"] as! [String: Any])["version"] as! String, DetectionDataset.cocoWriterVersion)
    }

    /// pycocotools reads the file, and scoring the ground truth against itself gives AP 1.
    func testPycocotoolsLoadsConvertedCoco128AndScoresItPerfectly() throws {
        let root = try Fixtures.requireCoco128()
        let names = try ClassNames(contentsOfFile: root + "/classes.txt")
        let dataset = try YOLOFolder(root: root, split: "train2017").load(names: names).dataset
        let path = try Fixtures.temporaryFolder(self) + "/gt.json"
        try dataset.writeCOCOJSON(toFile: path)
        let script = """
        import sys, json, contextlib, io
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
        with contextlib.redirect_stdout(io.StringIO()):
            gt = COCO(sys.argv[1])
            dt = gt.loadRes([{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0}
                             for a in gt.dataset["annotations"]])
            e = COCOeval(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()
        print(len(gt.imgs), len(gt.anns), len(gt.cats), round(e.stats[0], 6), round(e.stats[1], 6))
        """
        let out = try OraclePython.run(script, [path]).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(out, "128 929 80 1.0 1.0")
    }

    /// With COCO's own category ids, converted coco128 boxes are the original COCO boxes (less
    /// the 10 crowd regions, which YOLO labels leave out), to YOLO's 6-decimal rounding.
    func testConvertedCoco128MatchesTheOriginalCOCOBoxes() throws {
        let root = try Fixtures.requireCoco128()
        let names = try ClassNames(contentsOfFile: root + "/classes.txt")
        let dataset = try YOLOFolder(root: root, split: "train2017").load(names: names, numbering: .coco91).dataset
        let original = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: root + "/annotations_coco_json/instances_train2017_first128.json"))) as! [String: Any]
        var expected: [Int: [(Int, [Double])]] = [:]
        for a in original["annotations"] as! [[String: Any]] where (a["iscrowd"] as! Int) == 0 {
            expected[a["image_id"] as! Int, default: []].append((a["category_id"] as! Int, a["bbox"] as! [Double]))
        }
        XCTAssertEqual(expected.values.map(\.count).reduce(0, +), 929)
        for image in dataset.images {
            let want = expected[image.id] ?? []
            var got = image.annotations
            XCTAssertEqual(got.count, want.count, "image \(image.id)")
            // Each original box against the nearest converted box of its category.
            for (category, bbox) in want {
                func distance(_ a: Annotation) -> Double {
                    a.categoryID != category ? .infinity
                        : zip([a.box.x, a.box.y, a.box.width, a.box.height], bbox).map { abs($0 - $1) }.max()!
                }
                guard let best = got.indices.min(by: { distance(got[$0]) < distance(got[$1]) }) else { break }
                XCTAssertLessThan(distance(got[best]), 0.02, "image \(image.id) box \(bbox)")
                got.remove(at: best)
            }
        }
    }
}
