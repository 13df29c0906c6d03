import Detection
import Foundation
import XCTest

/// Every kind of bad input gives a `DataError` naming the file (and line), stops the load with
/// `onError: .fail`, and with `.skip` leaves out exactly the image concerned and reports it.
final class BadInputTests: XCTestCase {
    private let names = ClassNames(["a", "b", "c"])

    /// A YOLO folder with two good PNG images (one with 2 boxes, one background) plus `extra`.
    private func folder(labels extraLabels: [String: String] = [:], images extraImages: [String: Data] = [:]) throws -> YOLOFolder {
        let root = try Fixtures.temporaryFolder(self)
        let image = RGBImage(width: 20, height: 10, fill: (10, 200, 30))
        try image.writePNG(toFile: root + "/images/good.png")
        try image.writePNG(toFile: root + "/images/background.png")
        try Fixtures.write("0 0.5 0.5 0.2 0.4\n2 0.25 0.5 0.5 1\n", to: root + "/labels/good.txt")
        for (name, text) in extraLabels { try Fixtures.write(text, to: root + "/labels/" + name) }
        for (name, data) in extraImages { try data.write(to: URL(fileURLWithPath: root + "/images/" + name)) }
        return try YOLOFolder(root: root)
    }

    private func goodPNG() throws -> Data { try RGBImage(width: 20, height: 10, fill: (1, 2, 3)).pngData() }

    /// Loads with `.fail` (must throw `expected`) and with `.skip` (must keep the 2 good images and
    /// their 2 boxes, and report `expected`).
    private func check(_ folder: YOLOFolder, _ expected: (DataError) -> Bool, mentions: String,
                       check imageCheck: DataLoadOptions.ImageCheck = .header, line: UInt = #line) {
        XCTAssertThrowsError(try folder.load(names: names, options: DataLoadOptions(onError: .fail, imageCheck: imageCheck)), line: line) { error in
            guard let error = error as? DataError else { return XCTFail("not a DataError: \(error)", line: line) }
            XCTAssert(expected(error), "unexpected error: \(error)", line: line)
            XCTAssert(error.description.contains(mentions), "\"\(error)\" does not mention \(mentions)", line: line)
        }
        do {
            let loaded = try folder.load(names: names, options: DataLoadOptions(onError: .skip, imageCheck: imageCheck))
            XCTAssertEqual(loaded.dataset.images.map(\.fileName), ["background.png", "good.png"], line: line)
            XCTAssertEqual(loaded.dataset.annotationCount, 2, line: line)
            XCTAssertEqual(loaded.skipped.count, 1, line: line)
            XCTAssert(loaded.skipped.first.map(expected) ?? false, "skipped: \(loaded.skipped)", line: line)
        } catch {
            XCTFail("skip mode threw \(error)", line: line)
        }
    }

    func testGoodFolderLoads() throws {
        let loaded = try folder().load(names: names)
        XCTAssertEqual(loaded.dataset.annotationCount, 2)
        // 0.5 0.5 0.2 0.4 on 20x10 -> x 8, y 3, w 4, h 4; 0.25 0.5 0.5 1 -> x 0, y 0, w 10, h 10.
        XCTAssertEqual(loaded.dataset.images[1].annotations.map(\.box),
                       [Box(x: 8, y: 3, width: 4, height: 4), Box(x: 0, y: 0, width: 10, height: 10)])
        XCTAssertEqual(loaded.dataset.images[1].annotations.map(\.categoryID), [1, 3])
        XCTAssertEqual(loaded.dataset.images.map(\.id), [1, 2])
    }

    func testMissingImage() throws {
        let f = try folder(labels: ["ghost.txt": "0 0.5 0.5 0.1 0.1\n"])
        check(f, { if case .missingImage(let label, _, "ghost") = $0 { return label.hasSuffix("labels/ghost.txt") }; return false },
              mentions: "ghost.txt")
    }

    func testLabelLineWithFourFields() throws {
        let f = try folder(labels: ["bad.txt": "0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1\n"], images: ["bad.png": try goodPNG()])
        check(f, { $0 == .badLabel(file: f.labelsFolder + "/bad.txt", line: 2, problem: .fieldCount(4)) }, mentions: "bad.txt:2: expected 5 fields")
    }

    func testClassIDOutOfRange() throws {
        let f = try folder(labels: ["bad.txt": "\n3 0.5 0.5 0.1 0.1\n"], images: ["bad.png": try goodPNG()])
        check(f, { $0 == .badLabel(file: f.labelsFolder + "/bad.txt", line: 2, problem: .classOutOfRange(id: 3, classCount: 3)) },
              mentions: "bad.txt:2: class id 3 is out of range")
        let negative = try folder(labels: ["bad.txt": "-1 0.5 0.5 0.1 0.1\n"], images: ["bad.png": try goodPNG()])
        check(negative, { $0 == .badLabel(file: negative.labelsFolder + "/bad.txt", line: 1, problem: .classOutOfRange(id: -1, classCount: 3)) },
              mentions: "bad.txt:1:")
    }

    func testNonNumericFields() throws {
        for (text, field, bad) in [("0 abc 0.5 0.1 0.1", "cx", "abc"), ("1.5 0.5 0.5 0.1 0.1", "class", "1.5"),
                                   ("0 0.5 0.5 nan 0.1", "w", "nan"), ("0 0.5 0.5 0.1 inf", "h", "inf")] {
            let f = try folder(labels: ["bad.txt": text + "\n"], images: ["bad.png": try goodPNG()])
            check(f, { $0 == .badLabel(file: f.labelsFolder + "/bad.txt", line: 1, problem: .notANumber(field: field, text: bad)) },
                  mentions: "bad.txt:1: ")
        }
    }

    func testNegativeAndZeroSizes() throws {
        let f = try folder(labels: ["bad.txt": "0 0.5 0.5 -0.1 0.2\n"], images: ["bad.png": try goodPNG()])
        check(f, { $0 == .badLabel(file: f.labelsFolder + "/bad.txt", line: 1, problem: .negativeSize(field: "width", value: -0.1)) },
              mentions: "bad.txt:1: box width -0.1 is negative")
        let h = try folder(labels: ["bad.txt": "0 0.5 0.5 0.1 -2\n"], images: ["bad.png": try goodPNG()])
        check(h, { $0 == .badLabel(file: h.labelsFolder + "/bad.txt", line: 1, problem: .negativeSize(field: "height", value: -2)) },
              mentions: "height")
        let zero = try folder(labels: ["bad.txt": "0 0.5 0.5 0 0.2\n"], images: ["bad.png": try goodPNG()])
        check(zero, { $0 == .badLabel(file: zero.labelsFolder + "/bad.txt", line: 1, problem: .zeroSize(field: "width")) }, mentions: "zero")
    }

    func testPixelCoordinatesAreNotNormalised() throws {
        let f = try folder(labels: ["bad.txt": "0 120 80 30 40\n"], images: ["bad.png": try goodPNG()])
        check(f, { $0 == .badLabel(file: f.labelsFolder + "/bad.txt", line: 1, problem: .notNormalised(field: "cx", value: 120)) },
              mentions: "not pixels")
    }

    func testTruncatedJPEG() throws {
        let root = try Fixtures.requireCoco128()
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: root + "/images/train2017/000000000009.jpg"))
        let cut = jpeg.prefix(jpeg.count / 2)
        for mode in DataLoadOptions.ImageCheck.allCases {
            let f = try folder(images: ["cut.jpg": cut])
            check(f, { $0 == .truncatedImage(path: f.imagesFolder + "/cut.jpg", format: "JPEG") }, mentions: "cut.jpg: truncated JPEG", check: mode)
        }
        XCTAssertThrowsError(try RGBImage(encoded: cut, path: "cut.jpg")) { error in
            XCTAssertEqual(error as? DataError, .truncatedImage(path: "cut.jpg", format: "JPEG"))
        }
    }

    func testCorruptJPEG() throws {
        let root = try Fixtures.requireCoco128()
        var jpeg = try Data(contentsOf: URL(fileURLWithPath: root + "/images/train2017/000000000009.jpg"))
        // Garbage over the middle of the entropy-coded data: the header and end marker stay whole,
        // so only a full decode finds it.
        let middle = jpeg.count / 2
        for k in 0..<2000 { jpeg[middle + k] = UInt8((k * 37) & 0xFF) }
        let f = try folder(images: ["noise.jpg": jpeg])
        check(f, { if case .corruptImage(let p, "JPEG", _) = $0 { return p.hasSuffix("noise.jpg") }; return false }, mentions: "noise.jpg: corrupt JPEG", check: .decode)
        XCTAssertEqual(try f.load(names: names, options: DataLoadOptions(imageCheck: .header)).dataset.images.count, 3)
        // A broken header is found by the header check too.
        var header = try Data(contentsOf: URL(fileURLWithPath: root + "/images/train2017/000000000009.jpg"))
        header[2] = 0x00
        let g = try folder(images: ["header.jpg": header])
        check(g, { if case .corruptImage = $0 { return true }; return false }, mentions: "header.jpg: corrupt JPEG")
    }

    func testNotAnImageAndTruncatedPNG() throws {
        let f = try folder(images: ["text.jpg": Data("hello".utf8)])
        check(f, { if case .unsupportedImage(let p, _) = $0 { return p.hasSuffix("text.jpg") }; return false }, mentions: "not a JPEG or PNG")
        let png = try goodPNG()
        for mode in DataLoadOptions.ImageCheck.allCases {
            let g = try folder(images: ["cut.png": png.prefix(png.count - 20)])
            check(g, { if case .truncatedImage(let p, "PNG") = $0 { return p.hasSuffix("cut.png") }; return false }, mentions: "cut.png", check: mode)
        }
        let h = try folder(images: ["empty.png": Data()])
        check(h, { if case .corruptImage = $0 { return true }; return false }, mentions: "empty.png: corrupt image: the file is empty")
    }

    func testMissingFoldersAndNames() throws {
        let root = try Fixtures.temporaryFolder(self)
        XCTAssertThrowsError(try YOLOFolder(root: root)) { error in
            XCTAssertEqual(error as? DataError, .missingFile(path: root + "/images", role: "images folder"))
        }
        XCTAssertThrowsError(try ClassNames(contentsOfFile: root + "/none.txt")) { error in
            XCTAssertEqual((error as? DataError)?.description, root + "/none.txt: no such class names file")
        }
        try Fixtures.write("a\n\nb\n", to: root + "/gap.txt")
        XCTAssertThrowsError(try ClassNames(contentsOfFile: root + "/gap.txt")) { error in
            XCTAssertEqual(error as? DataError, .badNames(file: root + "/gap.txt", line: 2, reason: "empty class name (a blank line would shift every later class id)"))
        }
        // A split-less root whose images/ holds only splits says which to choose.
        let coco = try Fixtures.requireCoco128()
        XCTAssertThrowsError(try YOLOFolder(root: coco)) { error in
            guard case let .splitNeeded(folder, splits)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(folder, coco + "/images")
            XCTAssertEqual(splits.first, "train2017", "\(error)")
        }
    }
}
