import Detection
import Foundation
import XCTest
import _TestSupport

/// Reading COCO instances and results, and every kind of bad input: each gives a DetectionError
/// naming the source and the item, or with `.skip` leaves the item out and reports it.
final class COCOJSONReadingTests: XCTestCase {
    static let instances = """
    \u{FEFF}{"info": {"year": 2017}, "licenses": [],
     "images": [{"id": 9, "file_name": "a.jpg", "width": 640, "height": 480.0}, {"id": 3, "file_name": "b\\u00e9.jpg"}],
     "categories": [{"id": 1, "name": "person", "supercategory": "x"}, {"id": 18, "name": "do\\"g"}],
     "annotations": [
       {"id": 5, "image_id": 9, "category_id": 18, "bbox": [1.5, 2, 30, 40.25], "area": 1000.5, "iscrowd": 0,
        "segmentation": [[1, 2, 3, 4, 5, 6]]},
       {"id": 6, "image_id": 9, "category_id": 1, "bbox": [0, 0, 10, 10], "iscrowd": 1,
        "segmentation": {"counts": [1, 2, 3], "size": [480, 640]}},
       {"id": 7, "image_id": 3, "category_id": 1, "bbox": [0, 0, 1e1, 2E+1], "ignore": true, "iscrowd": false}
     ]}
    """

    func data(_ s: String) -> Data { Data(s.utf8) }

    func testReadsInstances() throws {
        let d = try COCOJSON.readInstances(data: data(Self.instances), source: "gt.json")
        XCTAssertEqual(d.images.map(\.id), [9, 3])
        XCTAssertEqual(d.images[0].height, 480)
        XCTAssertEqual(d.images[1].fileName, "bé.jpg")
        XCTAssertEqual(d.categories, [Category(id: 1, name: "person"), Category(id: 18, name: "do\"g")])
        XCTAssertEqual(d.images[0].annotations, [
            Annotation(id: 5, categoryID: 18, box: Box(x: 1.5, y: 2, width: 30, height: 40.25), area: 1000.5),
            Annotation(id: 6, categoryID: 1, box: Box(x: 0, y: 0, width: 10, height: 10), area: 100, isCrowd: true),
        ])
        XCTAssertEqual(d.images[1].annotations, [Annotation(id: 7, categoryID: 1, box: Box(x: 0, y: 0, width: 10, height: 20), ignore: true)])
    }

    func testReadsResultsWithExactNumbers() throws {
        let texts = ["0.1", "1e-3", "-0.5E+2", "0.30000000000000004441", "123456.78901234567", "5e-324", "1.7976931348623157e308", "0", "42"]
        let json = "[" + texts.map { "{\"image_id\": 1, \"category_id\": 2, \"bbox\": [\($0), 0, 1, 1], \"score\": \($0), \"extra\": null}" }.joined(separator: ",") + "]"
        let dt = try COCOJSON.readResults(data: data(json))
        XCTAssertEqual(dt.count, texts.count)
        for (d, t) in zip(dt, texts) {
            XCTAssertEqual(d.score, Double(t)!, t)
            XCTAssertEqual(d.box.x, Double(t)!, t)
            XCTAssertEqual(d.imageID, 1)
            XCTAssertEqual(d.categoryID, 2)
        }
        XCTAssertEqual(try COCOJSON.readResults(data: data(" [ ] ")), [])
    }

    func assertError(_ expected: DetectionError, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? DetectionError, expected, file: file, line: line)
        }
    }

    func testMalformedJSONNamesLineAndColumn() {
        assertError(.malformedJSON(source: "dt.json", line: 2, column: 29, reason: "expected ',' or '}' in an object, found ']'")) {
            _ = try COCOJSON.readResults(data: self.data("[\n{\"image_id\": 1, \"score\": 0.5]"), source: "dt.json")
        }
        assertError(.malformedJSON(source: "dt.json", line: 1, column: 2, reason: "unexpected end of the text")) {
            _ = try COCOJSON.readResults(data: self.data("["), source: "dt.json")
        }
        assertError(.malformedJSON(source: "dt.json", line: 1, column: 27, reason: "non-finite numbers (NaN, Infinity) are not allowed")) {
            _ = try COCOJSON.readResults(data: self.data("[{\"image_id\": 1, \"score\": -Infinity}]"), source: "dt.json")
        }
        let trailingComma = "[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 1, 1], \"score\": 1},]"
        assertError(.malformedJSON(source: "dt.json", line: 1, column: trailingComma.count, reason: "expected a value")) {
            _ = try COCOJSON.readResults(data: self.data(trailingComma), source: "dt.json")
        }
        assertError(.malformedJSON(source: "gt.json", line: 1, column: 15, reason: "unexpected '}' after the end of the document")) {
            _ = try COCOJSON.readInstances(data: self.data("{\"images\": []}}"), source: "gt.json")
        }
        XCTAssertThrowsError(try COCOJSON.readResults(data: data(""), source: "dt.json")) { error in
            XCTAssertEqual("\(error)", "dt.json: not valid JSON at line 1, column 1: the text is empty")
        }
    }

    func testWrongLayouts() {
        assertError(.invalidStructure(source: "dt.json", reason: "a COCO results file is a JSON array of {\"image_id\", \"category_id\", \"bbox\", \"score\"} objects, found an object")) {
            _ = try COCOJSON.readResults(data: self.data("{}"), source: "dt.json")
        }
        assertError(.invalidStructure(source: "gt.json", reason: "no \"categories\" array: not a COCO instances file")) {
            _ = try COCOJSON.readInstances(data: self.data("{\"images\": [], \"annotations\": []}"), source: "gt.json")
        }
        assertError(.invalidStructure(source: "gt.json", reason: "\"images\" must be an array, found an object")) {
            _ = try COCOJSON.readInstances(data: self.data("{\"images\": {}}"), source: "gt.json")
        }
    }

    func testBadDetectionsFailWithTheirIndex() {
        let bad: [(String, DetectionError)] = [
            ("{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 1, 1]}", .missingField(source: "dt.json", item: "detection [1] (image_id 1)", field: "score")),
            ("{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 1], \"score\": 1}", .invalidField(source: "dt.json", item: "detection [1] (image_id 1)", field: "bbox", reason: "must be [x, y, width, height], found 3 numbers")),
            ("{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, -1, 1], \"score\": 1}", .negativeBoxSize(source: "dt.json", item: "detection [1] (image_id 1)", box: Box(x: 0, y: 0, width: -1, height: 1))),
            ("{\"image_id\": \"1\", \"category_id\": 2, \"bbox\": [0, 0, 1, 1], \"score\": 1}", .invalidField(source: "dt.json", item: "detection [1]", field: "image_id", reason: "must be an integer, found a string")),
            ("{\"image_id\": 1.5, \"category_id\": 2, \"bbox\": [0, 0, 1, 1], \"score\": 1}", .invalidField(source: "dt.json", item: "detection [1]", field: "image_id", reason: "must be an integer, found 1.5")),
            ("{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, \"0\", 1, 1], \"score\": 1}", .invalidField(source: "dt.json", item: "detection [1] (image_id 1)", field: "bbox", reason: "must be [x, y, width, height] of numbers, found a string in it")),
            ("[1, 2]", .invalidStructure(source: "dt.json", reason: "detection [1] must be an object, found an array")),
        ]
        let good = "{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 1, 1], \"score\": 1}"
        for (item, expected) in bad {
            assertError(expected) { _ = try COCOJSON.readResults(data: self.data("[\(good), \(item), \(good)]"), source: "dt.json") }
            var skipped: [DetectionError] = []
            let kept = try? COCOJSON.readResults(data: data("[\(good), \(item), \(good)]"), source: "dt.json", policy: .skip) { skipped.append($0) }
            XCTAssertEqual(kept?.count, 2, item)
            XCTAssertEqual(skipped, [expected], item)
        }
    }

    func testBadAnnotationsFailWithTheirIndexOrAreSkipped() throws {
        let text = """
        {"images": [{"id": 1}, {"id": 1}], "categories": [{"id": 3}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [0, 0, 5, 5]},
                         {"id": 2, "image_id": 4, "category_id": 3, "bbox": [0, 0, 5, 5]},
                         {"id": 3, "image_id": 1, "category_id": 8, "bbox": [0, 0, 5, 5]},
                         {"id": 1, "image_id": 1, "category_id": 3, "bbox": [0, 0, 5, 5]},
                         {"image_id": 1, "category_id": 3, "bbox": [0, 0, 5, 5]}]}
        """
        assertError(.missingField(source: "gt.json", item: "annotations[4]", field: "id")) {
            _ = try COCOJSON.readInstances(data: self.data(text), source: "gt.json")
        }
        var skipped: [String] = []
        let d = try COCOJSON.readInstances(data: data(text), source: "gt.json", policy: .skip) { skipped.append("\($0)") }
        XCTAssertEqual(d.images.count, 1)
        XCTAssertEqual(d.images[0].annotations.map(\.id), [1])
        XCTAssertEqual(skipped, [
            "gt.json: annotations[4]: missing field 'id'",
            "gt.json: images[1] (id 1): duplicate image id 1",
            "gt.json: annotations[1] (id 2): unknown image id 4: not among the ground truth's images",
            "gt.json: annotations[2] (id 3): unknown category id 8: not among the ground truth's categories",
            "gt.json: annotations[3] (id 1): duplicate annotation id 1",
        ])
    }

    /// Corrupted documents (bytes replaced, inserted, cut) give a result or a DetectionError,
    /// never a crash (the debug build traps on any out-of-bounds read).
    func testCorruptedInputNeverCrashes() {
        let documents = [Array(Self.instances.utf8),
                         Array("[{\"image_id\": 9, \"category_id\": 1, \"bbox\": [1.5e1, 2, 30, 40], \"score\": 0.25, \"x\": [{\"a\": \"\\u00e9\"}]}]".utf8)]
        let alphabet = Array("{}[]\",:0123456789.eE+-tfnul \\\n".utf8)
        for seed in 1...3000 {
            var rng = SeededGenerator(seed: UInt64(seed))
            var bytes = documents[seed % 2]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[i] = alphabet.randomElement(using: &rng)!
                case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: i)
                case 2: bytes.remove(at: i)
                default: bytes = Array(bytes[..<i])
                }
                if bytes.isEmpty { break }
            }
            for policy in BadItemPolicy.allCases {
                do {
                    if seed % 2 == 0 {
                        _ = try COCOJSON.readInstances(data: Data(bytes), policy: policy)
                    } else {
                        _ = try COCOJSON.readResults(data: Data(bytes), policy: policy)
                    }
                } catch is DetectionError {
                } catch {
                    XCTFail("seed \(seed): unexpected error \(error)")
                }
            }
        }
    }

    func testMissingFileIsAClearError() {
        assertError(.unreadableFile(path: "/nonexistent/gt.json", reason: "no such file")) {
            _ = try COCOJSON.readInstances(path: "/nonexistent/gt.json")
        }
        XCTAssertEqual("\(DetectionError.unreadableFile(path: "/tmp", reason: "it is a directory"))", "/tmp: cannot read the file: it is a directory")
    }

    /// The evaluator refuses detections of unknown images and categories, naming them; with
    /// `.skip` it leaves them out, which gives pycocotools' numbers for the rest.
    func testEvaluatorRefusesUnknownImagesAndCategories() throws {
        let gt = try COCOJSON.readInstances(data: data(Self.instances), source: "gt.json")
        let good = ScoredBox(imageID: 9, categoryID: 1, box: Box(x: 0, y: 0, width: 5, height: 5), score: 0.5)
        let unknownImage = ScoredBox(imageID: 999, categoryID: 1, box: Box(x: 0, y: 0, width: 5, height: 5), score: 0.5)
        let unknownCategory = ScoredBox(imageID: 9, categoryID: 77, box: Box(x: 0, y: 0, width: 5, height: 5), score: 0.5)
        let negative = ScoredBox(imageID: 9, categoryID: 1, box: Box(x: 0, y: 0, width: 5, height: -5), score: 0.5)
        let evaluator = try COCOEvaluator(groundTruth: gt)
        XCTAssertThrowsError(try evaluator.evaluate([good, unknownImage], source: "dt.json")) { error in
            XCTAssertEqual("\(error)", "dt.json: detection [1] (image_id 999): unknown image id 999: not among the ground truth's images")
        }
        assertError(.unknownCategory(source: "dt.json", item: "detection [2] (image_id 9)", categoryID: 77)) {
            _ = try evaluator.evaluate([good, good, unknownCategory], source: "dt.json")
        }
        assertError(.negativeBoxSize(source: "detections", item: "detection [0] (image_id 9)", box: negative.box)) {
            _ = try evaluator.evaluate([negative])
        }
        var skipped = 0
        let lenient = try COCOEvaluator(groundTruth: gt, options: .init(policy: .skip))
        let m = try lenient.evaluate([good, unknownImage, unknownCategory, negative]) { _ in skipped += 1 }
        XCTAssertEqual(skipped, 3)
        XCTAssertEqual(m, try evaluator.evaluate([good]))
    }
}
