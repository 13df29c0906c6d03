import Detection
import XCTest

final class YOLOFolderTests: XCTestCase {
    func testCoco128TrainLoadsWithTheLabelledCounts() throws {
        let root = try Fixtures.requireCoco128()
        let names = try ClassNames(contentsOfFile: root + "/classes.txt")
        XCTAssertEqual(names.names.count, 80)
        let loaded = try YOLOFolder(root: root, split: "train2017").load(names: names)
        let dataset = loaded.dataset
        XCTAssertEqual(dataset.images.count, 128)
        XCTAssertEqual(dataset.images.filter { !$0.annotations.isEmpty }.count, 126)
        XCTAssertEqual(Set(dataset.images.filter { $0.annotations.isEmpty }.map(\.fileName)), ["000000000250.jpg", "000000000508.jpg"])
        XCTAssertEqual(dataset.annotationCount, 929)
        XCTAssertEqual(loaded.skipped, [])
        XCTAssertEqual(dataset.categories.count, 80)
        XCTAssertEqual(dataset.categories[0], Category(id: 1, name: "person"))
        // Ids: COCO's own, from the file names; annotation ids 1...929.
        XCTAssertEqual(dataset.images[0].id, 9)
        XCTAssertEqual(dataset.images[0].width, 640)
        XCTAssertEqual(dataset.images[0].height, 480)
        XCTAssertEqual(dataset.images.flatMap(\.annotations).map(\.id), Array(1...929))
    }

    func testCoco128ValLoadsWithTheLabelledCounts() throws {
        let root = try Fixtures.requireCoco128()
        let names = try ClassNames(contentsOfFile: root + "/data.yaml")
        XCTAssertEqual(names.names.count, 80)
        XCTAssertEqual(names.names[79], "toothbrush")
        let loaded = try YOLOFolder(root: root, split: "val2017").load(names: names, options: DataLoadOptions(imageCheck: .decode))
        XCTAssertEqual(loaded.dataset.images.count, 128)
        XCTAssertEqual(loaded.dataset.annotationCount, 898)
        for image in loaded.dataset.images {
            for a in image.annotations {
                XCTAssert(a.box.x >= 0 && a.box.y >= 0 && a.box.width > 0 && a.box.height > 0, "\(image.fileName): \(a.box)")
                XCTAssert(a.box.x + a.box.width <= Double(image.width) && a.box.y + a.box.height <= Double(image.height), "\(image.fileName): \(a.box)")
            }
        }
    }

    func testHeaderSizesMatchDecodedSizes() throws {
        let root = try Fixtures.requireCoco128()
        let folder = root + "/images/train2017"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted().prefix(16) {
            let header = try ImageHeader.read(contentsOfFile: folder + "/" + name)
            let image = try RGBImage(contentsOfFile: folder + "/" + name)
            XCTAssertEqual(header.format, .jpeg)
            XCTAssertEqual([header.width, header.height], [image.width, image.height], name)
        }
    }

    func testLabelLinesToleratesWhitespaceAndCRLF() throws {
        let text = "0 0.5 0.5 0.2 0.4\r\n\n  1\t0.25 0.5  0.5 1  \r\n\n"
        let lines = try YOLOFolder.parseLabels(text, file: "x.txt", classCount: 2)
        XCTAssertEqual(lines.map(\.classIndex), [0, 1])
        XCTAssertEqual(lines[1].box(imageWidth: 20, imageHeight: 10), Box(x: 0, y: 0, width: 10, height: 10))
        // A box reaching a hair past the border is clipped to the image.
        let edge = try YOLOFolder.parseLabels("0 0.9995 0.5 0.002 0.5", file: "x.txt", classCount: 1)[0]
        let box = try XCTUnwrap(edge.box(imageWidth: 1000, imageHeight: 100))
        XCTAssertEqual(box.x, 998.5, accuracy: 1e-9)
        XCTAssertEqual(box.width, 1.5, accuracy: 1e-9)
        XCTAssertThrowsError(try YOLOFolder.parseLabels("0 0.5 0.5 0.1 0.1 0.9", file: "x.txt", classCount: 1)) { error in
            XCTAssertEqual(error as? DataError, .badLabel(file: "x.txt", line: 1, problem: .fieldCount(6)))
        }
    }

    func testClassNamesFromTextAndYAML() throws {
        let tmp = try Fixtures.temporaryFolder(self)
        try Fixtures.write("cat\ndog \n\n", to: tmp + "/names.txt")
        XCTAssertEqual(try ClassNames(contentsOfFile: tmp + "/names.txt").names, ["cat", "dog"])
        try Fixtures.write("path: .\nnames: ['traffic light', \"dog\", cat]\nnc: 3\n", to: tmp + "/inline.yaml")
        XCTAssertEqual(try ClassNames(contentsOfFile: tmp + "/inline.yaml").names, ["traffic light", "dog", "cat"])
        try Fixtures.write("names:\n  - a\n  - b # comment\ntrain: x\n", to: tmp + "/list.yml")
        XCTAssertEqual(try ClassNames(contentsOfFile: tmp + "/list.yml").names, ["a", "b"])
        try Fixtures.write("names:\n  0: a\n  2: c\n", to: tmp + "/gap.yaml")
        XCTAssertThrowsError(try ClassNames(contentsOfFile: tmp + "/gap.yaml")) { error in
            XCTAssertEqual("\(error)", tmp + "/gap.yaml:3: class id 2 where 1 was expected (ids must run 0, 1, 2, ...)")
        }
        XCTAssertThrowsError(try ClassNames(["a", "b"]).categories(numbering: .coco91))
        XCTAssertEqual(try ClassNames(["a", "b"]).categories(numbering: .zeroBased).map(\.id), [0, 1])
    }
}

