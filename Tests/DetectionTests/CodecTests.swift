import _TestSupport
import Detection
import Foundation
import XCTest

final class CodecTests: XCTestCase {
    func testPNGRoundTripIsExact() throws {
        for seed: UInt64 in [1, 2, 3] {
            var rng = SeededGenerator(seed: seed)
            let width = Int.random(in: 1...40, using: &rng), height = Int.random(in: 1...40, using: &rng)
            let image = RGBImage(width: width, height: height, pixels: (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let data = try image.pngData()
            XCTAssertEqual(ImageFormat(magic: data), .png)
            XCTAssertEqual(try RGBImage(encoded: data), image, "seed \(seed)")
        }
    }

    func testPlanarFloats() {
        var image = RGBImage(width: 2, height: 1)
        image[0, 0] = (255, 0, 51)
        image[1, 0] = (0, 102, 255)
        for (got, want) in zip(image.planarFloats(), [1, 0, 0, 0.4, 0.2, 1] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-6)
        }
    }

    /// Our JPEG decode against Pillow's (also libjpeg-turbo, same default IDCT and upsampling),
    /// and Pillow reading the PNG we write. Values may differ by a rounding step between
    /// libjpeg-turbo builds; the mean difference stays tiny.
    func testDecodeAgreesWithPillow() throws {
        let root = try Fixtures.requireCoco128()
        let tmp = try Fixtures.temporaryFolder(self)
        var arguments: [String] = []
        for name in ["000000000009.jpg", "000000000025.jpg", "000000000030.jpg"] {
            let path = root + "/images/train2017/" + name
            let image = try RGBImage(contentsOfFile: path)
            try Data(image.pixels).write(to: URL(fileURLWithPath: tmp + "/" + name + ".rgb"))
            try image.writePNG(toFile: tmp + "/" + name + ".png")
            arguments += [path, tmp + "/" + name + ".rgb", tmp + "/" + name + ".png", "\(image.width)", "\(image.height)"]
        }
        let script = """
        import sys, numpy as np
        from PIL import Image
        a = sys.argv[1:]
        for k in range(0, len(a), 5):
            jpg, raw, png, w, h = a[k:k + 5]
            ours = np.fromfile(raw, dtype=np.uint8).reshape(int(h), int(w), 3).astype(int)
            pil = np.asarray(Image.open(jpg).convert("RGB")).astype(int)
            back = np.asarray(Image.open(png).convert("RGB")).astype(int)
            d = np.abs(ours - pil)
            print(d.max(), round(float(d.mean()), 4), int(np.abs(back - ours).max()))
        """
        let lines = try OraclePython.run(script, arguments).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        for line in lines {
            let v = line.split(separator: " ").compactMap { Double($0) }
            XCTAssertLessThanOrEqual(v[0], 2, "max difference: \(line)")
            XCTAssertLessThanOrEqual(v[1], 0.05, "mean difference: \(line)")
            XCTAssertEqual(v[2], 0, "PNG written and read back by Pillow: \(line)")
        }
    }

    /// Grayscale, palette-less alpha and grayscale JPEG inputs all come out as RGB.
    func testOtherColourTypesBecomeRGB() throws {
        let tmp = try Fixtures.temporaryFolder(self)
        let script = """
        import sys
        from PIL import Image
        d = sys.argv[1]
        g = Image.new("L", (3, 2)); g.putdata([0, 50, 100, 150, 200, 250]); g.save(d + "/gray.png"); g.save(d + "/gray.jpg", quality=100)
        a = Image.new("RGBA", (2, 1)); a.putdata([(10, 20, 30, 255), (10, 20, 30, 0)]); a.save(d + "/alpha.png")
        """
        _ = try OraclePython.run(script, [tmp])
        let gray = try RGBImage(contentsOfFile: tmp + "/gray.png")
        XCTAssertEqual(gray.pixels, [0, 50, 100, 150, 200, 250].flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        let grayJPEG = try RGBImage(contentsOfFile: tmp + "/gray.jpg")
        XCTAssertEqual([grayJPEG.width, grayJPEG.height], [3, 2])
        for k in 0..<6 {
            XCTAssertEqual(grayJPEG.pixels[3 * k], grayJPEG.pixels[3 * k + 1])
            XCTAssertEqual(abs(Int(grayJPEG.pixels[3 * k]) - [0, 50, 100, 150, 200, 250][k]), 0, accuracy: 3)
        }
        let alpha = try RGBImage(contentsOfFile: tmp + "/alpha.png")
        XCTAssertEqual(alpha.pixels, [10, 20, 30, 255, 255, 255])
    }

    /// A progressive JPEG (frame header SOF2) and an Adobe CMYK JPEG, as Pillow writes them.
    func testProgressiveAndCMYKJPEG() throws {
        let tmp = try Fixtures.temporaryFolder(self)
        let script = """
        import sys
        from PIL import Image
        d = sys.argv[1]
        im = Image.new("RGB", (33, 17), (200, 40, 10)); im.save(d + "/progressive.jpg", progressive=True, quality=95)
        Image.new("RGB", (8, 8), (255, 0, 0)).convert("CMYK").save(d + "/cmyk.jpg", quality=100)
        print(Image.open(d + "/cmyk.jpg").mode)
        """
        XCTAssertEqual(try OraclePython.run(script, [tmp]), "CMYK\n")
        let header = try ImageHeader.read(contentsOfFile: tmp + "/progressive.jpg")
        XCTAssertEqual(header, ImageHeader(format: .jpeg, width: 33, height: 17))
        let progressive = try RGBImage(contentsOfFile: tmp + "/progressive.jpg")
        XCTAssertEqual([progressive.width, progressive.height], [33, 17])
        let p = progressive[16, 8]
        XCTAssert(abs(Int(p.0) - 200) <= 4 && abs(Int(p.1) - 40) <= 4 && abs(Int(p.2) - 10) <= 4, "\(p)")
        let cmyk = try RGBImage(contentsOfFile: tmp + "/cmyk.jpg")
        let c = cmyk[4, 4]
        XCTAssert(c.0 >= 250 && c.1 <= 5 && c.2 <= 5, "CMYK red decoded as \(c)")
    }
}
