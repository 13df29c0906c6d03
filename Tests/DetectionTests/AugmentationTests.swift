import _TestSupport
import Detection
import XCTest

final class AugmentationTests: XCTestCase {
    func testLetterboxGeometryByHand() {
        // 640x480 into 256: ratio 0.4, scaled 256x192, (256 - 192) / 2 = 32 px bands top and bottom.
        let wide = Letterbox(width: 640, height: 480, size: 256)
        XCTAssertEqual([wide.scaledWidth, wide.scaledHeight, wide.padLeft, wide.padTop], [256, 192, 0, 32])
        XCTAssertEqual(wide.apply(to: Box(x: 100, y: 50, width: 200, height: 100)), Box(x: 40, y: 52, width: 80, height: 40))
        XCTAssertEqual(wide.invert(Box(x: 40, y: 52, width: 80, height: 40)), Box(x: 100, y: 50, width: 200, height: 100))
        // 300x600 into 100: ratio 1/6, scaled 50x100, 25 px bands left and right.
        let tall = Letterbox(width: 300, height: 600, size: 100)
        XCTAssertEqual([tall.scaledWidth, tall.scaledHeight, tall.padLeft, tall.padTop], [50, 100, 25, 0])
        XCTAssertEqual(tall.apply(to: Box(x: 60, y: 120, width: 30, height: 60)), Box(x: 35, y: 20, width: 5, height: 10))
        // A prediction reaching into the band is clipped to the image on the way back.
        XCTAssertEqual(tall.invert(Box(x: 20, y: 0, width: 10, height: 10)), Box(x: 0, y: 0, width: 30, height: 60))
        // Odd leftovers: 3x1 into 4 gives 4x1 (1.33 rounds to 1), one row above, two below.
        let odd = Letterbox(width: 3, height: 1, size: 4)
        XCTAssertEqual([odd.scaledWidth, odd.scaledHeight, odd.padLeft, odd.padTop], [4, 1, 0, 1])
    }

    func testLetterboxPixelsByHand() {
        // A 2x1 image, grey 0 and 100, doubled into a 4x2 band of a 4x4 square. Output column i
        // samples source x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> 0, 25, 75, 100
        // (clamped at both ends). Rows 0 and 3 are padding.
        var image = RGBImage(width: 2, height: 1)
        image[0, 0] = (0, 0, 0)
        image[1, 0] = (100, 100, 100)
        let out = Letterbox(width: 2, height: 1, size: 4).apply(to: image, fill: (114, 7, 9))
        XCTAssertEqual((0..<4).map { out[$0, 0].0 }, [114, 114, 114, 114])
        XCTAssertEqual((0..<4).map { out[$0, 0].1 }, [7, 7, 7, 7])
        XCTAssertEqual((0..<4).map { out[$0, 1].0 }, [0, 25, 75, 100])
        XCTAssertEqual((0..<4).map { out[$0, 2].2 }, [0, 25, 75, 100])
        XCTAssertEqual((0..<4).map { out[$0, 3].0 }, [114, 114, 114, 114])
        // Downscaling 4 -> 2 averages pairs: source x = 0.5 and 2.5.
        var row = RGBImage(width: 4, height: 4)
        for x in 0..<4 { for y in 0..<4 { row[x, y] = (UInt8(x * 10), 0, 0) } }
        let half = Letterbox(width: 4, height: 4, size: 2).apply(to: row)
        XCTAssertEqual([half[0, 0].0, half[1, 0].0, half[1, 1].0], [5, 25, 25])
    }

    func testLetterboxRecordAndSameSizeIsIdentity() {
        let record = ImageRecord(id: 1, fileName: "a.jpg", width: 640, height: 480, annotations: [
            Annotation(id: 1, categoryID: 1, box: Box(x: 100, y: 50, width: 200, height: 100)),
        ])
        let out = Letterbox(width: 640, height: 480, size: 256).apply(to: record)
        XCTAssertEqual([out.width, out.height], [256, 256])
        XCTAssertEqual(out.annotations[0].box, Box(x: 40, y: 52, width: 80, height: 40))
        XCTAssertEqual(out.annotations[0].area, 3200, accuracy: 1e-9)
        var rng = SeededGenerator(seed: 5)
        let image = RGBImage(width: 6, height: 6, pixels: (0..<108).map { _ in UInt8.random(in: 0...255, using: &rng) })
        XCTAssertEqual(Letterbox(width: 6, height: 6, size: 6).apply(to: image), image)
    }

    func testHorizontalFlipByHand() {
        var image = RGBImage(width: 3, height: 2)
        image[0, 0] = (1, 2, 3)
        image[2, 1] = (7, 8, 9)
        let flipped = image.flippedHorizontally()
        XCTAssert(flipped[2, 0] == (1, 2, 3) && flipped[0, 1] == (7, 8, 9) && flipped[0, 0] == (0, 0, 0))
        XCTAssertEqual(flipped.flippedHorizontally(), image)
        // In a 10 px wide image, a box over x 1...4 goes to x 6...9.
        XCTAssertEqual(Box(x: 1, y: 2, width: 3, height: 4).flippedHorizontally(imageWidth: 10), Box(x: 6, y: 2, width: 3, height: 4))
        let record = ImageRecord(id: 1, fileName: "a", width: 10, height: 5, annotations: [
            Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 2, height: 5)),
        ])
        XCTAssertEqual(record.flippedHorizontally().annotations[0].box, Box(x: 8, y: 0, width: 2, height: 5))
        XCTAssertEqual(record.flippedHorizontally().flippedHorizontally(), record)
    }

    /// The pixels of a box drawn into an image land on the mapped box after flip + letterbox.
    func testBoxesFollowTheirPixels() {
        var image = RGBImage(width: 40, height: 20)
        for x in 5..<15 { for y in 4..<10 { image[x, y] = (255, 255, 255) } }
        let box = Box(x: 5, y: 4, width: 10, height: 6)
        let lb = Letterbox(width: 40, height: 20, size: 80)
        let out = lb.apply(to: image.flippedHorizontally(), fill: (0, 0, 0))
        let mapped = lb.apply(to: box.flippedHorizontally(imageWidth: 40))
        XCTAssertEqual(mapped, Box(x: 50, y: 28, width: 20, height: 12))
        for x in 0..<80 {
            for y in 0..<80 {
                // Bilinear upsampling by 2 blurs an edge over one output pixel each side.
                let near = Double(x) + 1 > mapped.x - 1 && Double(x) < mapped.x + mapped.width + 1
                    && Double(y) + 1 > mapped.y - 1 && Double(y) < mapped.y + mapped.height + 1
                let strictlyInside = Double(x) > mapped.x + 1 && Double(x) + 1 < mapped.x + mapped.width - 1
                    && Double(y) > mapped.y + 1 && Double(y) + 1 < mapped.y + mapped.height - 1
                if strictlyInside { XCTAssertEqual(out[x, y].0, 255, "(\(x), \(y))") }
                if !near { XCTAssertEqual(out[x, y].0, 0, "(\(x), \(y))") }
            }
        }
    }
}
