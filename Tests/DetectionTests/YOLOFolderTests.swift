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
}
