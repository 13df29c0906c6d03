import Detection
import Foundation
import LossLanguage
import XCTest

/// The scenes every recorded number depends on (the golden detector search's hall of fame, the
/// measured presets in bench/RESULTS.md) stay bit for bit what they were before the task variants
/// (issue 34): hashes of records and pixels recorded with the code of f7be171.
final class ShapesScenesGoldenTests: XCTestCase {
    /// FNV-1a over every record's id, size and file name and every annotation's id, class and
    /// box (the Doubles' bit patterns), in order.
    static func hash(_ dataset: DetectionDataset) -> UInt64 {
        var h = FNV1a()
        for image in dataset.images {
            h.add(littleEndian: image.id)
            h.add(littleEndian: image.width)
            h.add(littleEndian: image.height)
            h.add(bytes: image.fileName.utf8)
            for a in image.annotations {
                h.add(littleEndian: a.id)
                h.add(littleEndian: a.categoryID)
                for v in [a.box.x, a.box.y, a.box.width, a.box.height] { h.add(littleEndian: v.bitPattern) }
            }
        }
        return h.value
    }

    static func hash(_ image: RGBImage) -> UInt64 {
        var h = FNV1a()
        h.add(bytes: image.pixels)
        return h.value
    }

    /// The default scenes (seed 0, 256 px) and the presets' (`DetectorData.shapes`, 128 px), both
    /// splits: 200 records each and the pixels of a scene.
    func testDefaultAndPresetScenesAreUnchanged() throws {
        guard case let .shapes(seed, options) = DetectorData.shapes else { return XCTFail("the presets' data are the shapes scenes") }
        XCTAssertEqual(seed, 2026)
        let cases: [(String, ShapesScenes, [UInt64])] = [
            ("default", ShapesScenes(seed: 0, imageSize: 256), [0x1839_0874_4b68_bda7, 0xbac3_a3ff_296c_972b, 0x613a_f263_68b2_dedc]),
            ("presets", ShapesScenes(seed: seed, imageSize: 128, options: options),
             [0x6323_044b_729e_4b42, 0xe824_c383_9d40_5a83, 0x5b7d_80f8_e384_8123]),
        ]
        for (name, scenes, recorded) in cases {
            let found = [Self.hash(scenes.dataset(split: .train, count: 200)), Self.hash(scenes.dataset(split: .val, count: 200)),
                         Self.hash(scenes.scene(3, split: .train).image)]
            XCTAssertEqual(found, recorded, "\(name): \(found.map { "0x" + String($0, radix: 16) })")
        }
        XCTAssertEqual(DetectorData.shapes.name, "shapes")
    }
}
