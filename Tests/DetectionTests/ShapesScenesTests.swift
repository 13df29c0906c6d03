import Detection
import Foundation
import XCTest

final class ShapesScenesTests: XCTestCase {
    func testSameSeedGivesIdenticalScenes() {
        for seed: UInt64 in [0, 1, 99] {
            let a = ShapesScenes(seed: seed, imageSize: 96), b = ShapesScenes(seed: seed, imageSize: 96)
            for index in [0, 3] {
                let (imageA, recordA) = a.scene(index, split: .train)
                let (imageB, recordB) = b.scene(index, split: .train)
                XCTAssertEqual(imageA, imageB, "seed \(seed) scene \(index)")
                XCTAssertEqual(recordA, recordB, "seed \(seed) scene \(index)")
            }
            // A scene alone equals the same scene generated as part of a dataset.
            XCTAssertEqual(a.dataset(split: .val, count: 5).images[4].annotations.map(\.box),
                           a.scene(4, split: .val).record.annotations.map(\.box), "seed \(seed)")
        }
    }

    func testDifferentSeedsAndSplitsDiffer() {
        let a = ShapesScenes(seed: 1, imageSize: 64), b = ShapesScenes(seed: 2, imageSize: 64)
        XCTAssertNotEqual(a.scene(0).image, b.scene(0).image)
        XCTAssertNotEqual(a.scene(0).record.annotations, b.scene(0).record.annotations)
        XCTAssertNotEqual(a.scene(0, split: .train).image, a.scene(0, split: .val).image)
        XCTAssertNotEqual(a.scene(0).image, a.scene(1).image)
    }

    /// Class counts over many scenes fall from the head class to the tail one.
    func testClassFrequenciesAreLongTailed() {
        for seed: UInt64 in [3, 4] {
            let dataset = ShapesScenes(seed: seed, imageSize: 256).dataset(split: .train, count: 600)
            var counts = [Int](repeating: 0, count: ShapeKind.allCases.count)
            for a in dataset.images.flatMap(\.annotations) { counts[a.categoryID - 1] += 1 }
            let total = Double(counts.reduce(0, +))
            XCTAssertGreaterThan(total, 1500, "seed \(seed)")
            XCTAssertGreaterThan(Double(counts[0]) / total, 0.38, "seed \(seed): head share \(counts)")
            XCTAssertLessThan(Double(counts[5]) / total, 0.08, "seed \(seed): tail share \(counts)")
            XCTAssertGreaterThan(counts[0], 6 * counts[5], "seed \(seed): \(counts)")
            XCTAssertGreaterThan(counts[5], 0, "seed \(seed): every class occurs \(counts)")
            XCTAssert(zip(counts, counts.dropFirst()).allSatisfy { $0 >= $1 }, "seed \(seed): not falling \(counts)")
        }
    }

    /// Boxes lie inside the image, sizes span 6 px to half the image, and objects overlap.
    func testBoxesAreInsideAndSizesSpanTheRange() {
        for size in [64, 256, 320] {
            let dataset = ShapesScenes(seed: 11, imageSize: size).dataset(split: .train, count: 300)
            let s = Double(size)
            var sides: [Double] = []
            var overlapping = 0
            for image in dataset.images {
                XCTAssertEqual([image.width, image.height], [size, size])
                XCTAssertFalse(image.annotations.isEmpty, "image \(image.id)")
                for a in image.annotations {
                    let b = a.box
                    XCTAssert(b.x >= 0 && b.y >= 0 && b.x + b.width <= s && b.y + b.height <= s, "size \(size) image \(image.id): \(b)")
                    XCTAssert(b.width >= 6 - 1e-9 && b.height >= 6 - 1e-9 && max(b.width, b.height) <= s / 2 + 1e-9, "size \(size): \(b)")
                    sides.append(max(b.width, b.height))
                }
                for (k, a) in image.annotations.enumerated() {
                    for b in image.annotations[(k + 1)...] where a.box.x < b.box.x + b.box.width && b.box.x < a.box.x + a.box.width
                        && a.box.y < b.box.y + b.box.height && b.box.y < a.box.y + a.box.height {
                        overlapping += 1
                    }
                }
            }
            XCTAssertLessThan(sides.min()!, 8, "size \(size)")
            XCTAssertGreaterThan(sides.max()!, 0.45 * s, "size \(size)")
            XCTAssertGreaterThan(overlapping, 10, "size \(size)")
            // COCO's small (< 32^2) and, for large images, large (> 96^2) areas both occur.
            XCTAssert(dataset.images.flatMap(\.annotations).contains { $0.area < 32 * 32 }, "size \(size)")
            if size >= 256 { XCTAssert(dataset.images.flatMap(\.annotations).contains { $0.area > 96 * 96 }, "size \(size)") }
        }
    }

    /// The object is where its box says: at the centre of a box the drawn pixels (of the last,
    /// topmost object of the scene, a filled class) differ from the pixels just outside the box.
    func testObjectsAreDrawnInTheirBoxes() {
        let scenes = ShapesScenes(seed: 5, imageSize: 128, options: { var o = ShapesScenes.Options(); o.noise = 0; o.strokesPerImage = 0...0; o.blobsPerImage = 0...0; return o }())
        var checked = 0
        for index in 0..<40 {
            let (image, record) = scenes.scene(index)
            guard let top = record.annotations.last, top.categoryID == 1, top.box.width >= 10, top.box.height >= 10 else { continue }
            let b = top.box
            let centre = image[Int(b.x + b.width / 2), Int(b.y + b.height / 2)]
            let corner = image[Int(b.x + 2), Int(b.y + 2)]
            XCTAssert(centre == corner, "scene \(index): a rectangle is flat inside")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3)
    }

    func testExportWritesPNGsAndJSONThatLoadBack() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let scenes = ShapesScenes(seed: 8, imageSize: 48)
        let written = try scenes.export(to: folder, train: 3, val: 2)
        XCTAssertEqual(written[.train]?.images.count, 3)
        XCTAssertEqual(written[.val]?.images.count, 2)
        let back = try RGBImage(contentsOfFile: folder + "/images/val/000002.png")
        XCTAssertEqual(back, scenes.scene(1, split: .val).image)
        let names = try ClassNames(contentsOfFile: folder + "/classes.txt")
        XCTAssertEqual(names.names, ShapeKind.allCases.map(\.name))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/annotations/instances_train.json"))) as! [String: Any]
        XCTAssertEqual((json["images"] as! [Any]).count, 3)
        XCTAssertEqual((json["annotations"] as! [Any]).count, written[.train]!.annotationCount)
    }
}
