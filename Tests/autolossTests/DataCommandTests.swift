import Detection
import Foundation
import XCTest

/// `autoloss data ...` run as the built binary, output compared word for word.
final class DataCommandTests: XCTestCase {
    private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    private func autoloss(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = Bundle.main.bundleURL.appendingPathComponent("autoloss").path
        let candidates = [binary] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent().appendingPathComponent("autoloss").path }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            XCTFail("autoloss binary not found beside the test bundle (\(candidates))")
            throw XCTSkip("no binary")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    private func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testConvertCoco128() throws {
        let coco = repoRoot + "/../shared/data/coco128"
        guard FileManager.default.fileExists(atPath: coco + "/classes.txt") else { return XCTFail("coco128 not found at \(coco)") }
        let out = try temporaryFolder() + "/gt.json"
        let result = try autoloss(["data", "convert", "--yolo", coco, "--split", "train2017", "--names", coco + "/classes.txt", "--out", out])
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdout, "wrote \(out): 128 images, 929 annotations, 80 categories\n")
        XCTAssertEqual(result.status, 0)
        XCTAssert(FileManager.default.fileExists(atPath: out))
    }

    func testBadLabelLineFailsWithFileAndLineOrIsSkipped() throws {
        let root = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/labels", withIntermediateDirectories: true)
        let shapes = try autoloss(["data", "shapes", "--out", root + "/shapes", "--train", "2", "--val", "0", "--size", "32"])
        XCTAssertEqual(shapes.status, 0, shapes.stderr)
        for name in ["000001.png", "000002.png"] {
            try FileManager.default.copyItem(atPath: root + "/shapes/images/train/" + name, toPath: root + "/images/" + name)
        }
        try Data("0 0.5 0.5 0.2 0.2\n".utf8).write(to: URL(fileURLWithPath: root + "/labels/000001.txt"))
        try Data("0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2\n".utf8).write(to: URL(fileURLWithPath: root + "/labels/000002.txt"))
        let arguments = ["data", "convert", "--yolo", root, "--names", root + "/shapes/classes.txt", "--out", root + "/gt.json"]
        let failed = try autoloss(arguments)
        XCTAssertEqual(failed.status, 2)
        XCTAssertEqual(failed.stderr, "error: \(root)/labels/000002.txt:2: expected 5 fields \"class cx cy w h\", found 4\n")
        XCTAssertEqual(failed.stdout, "")
        let skipped = try autoloss(arguments + ["--on-error", "skip"])
        XCTAssertEqual(skipped.status, 0)
        XCTAssertEqual(skipped.stderr, "warning: skipped: \(root)/labels/000002.txt:2: expected 5 fields \"class cx cy w h\", found 4\n")
        XCTAssertEqual(skipped.stdout, "wrote \(root)/gt.json: 1 images, 1 annotations, 6 categories (1 problem skipped: see the warnings)\n")
    }

    /// A root whose images/ holds only splits: the error names the option that picks one.
    func testConvertOfASplitRootNamesSplit() throws {
        let root = try temporaryFolder()
        for folder in ["images/train", "labels/train"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try "a\n".write(toFile: root + "/classes.txt", atomically: true, encoding: .utf8)
        let r = try autoloss(["data", "convert", "--yolo", root, "--names", root + "/classes.txt", "--out", root + "/gt.json"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr, "error: \(root)/images: no JPEG or PNG images found; it holds the splits train: name one (--split train)\n")
    }

    func testShapes() throws {
        let out = try temporaryFolder()
        let result = try autoloss(["data", "shapes", "--out", out, "--train", "3", "--val", "1", "--size", "40", "--seed", "9"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssert(result.stdout.hasPrefix("wrote \(out): 3 train and 1 val images of 40 px (seed 9); boxes: "), result.stdout)
        for file in ["images/train/000003.png", "images/val/000001.png", "annotations/instances_train.json", "annotations/instances_val.json", "classes.txt"] {
            XCTAssert(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        let bad = try autoloss(["data", "shapes", "--out", out, "--size", "8"])
        XCTAssertEqual(bad.status, 2)
        XCTAssert(bad.stderr.hasPrefix("Error: --size must be at least 16 (got 8)"), bad.stderr)
    }

    /// --empty-share empties that share of the training images (besides the half that
    /// --max-objects 1 draws with none), not the validation images: the counts it prints.
    func testEmptyShareEmptiesTrainingImagesOnly() throws {
        let out = try temporaryFolder()
        let result = try autoloss(["data", "shapes", "--out", out, "--variant", "imbalance", "--max-objects", "1", "--empty-share", "0.6",
                                   "--train", "400", "--val", "400", "--size", "32"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasSuffix("shapes:imbalance,objects=1,empty=0.6); boxes: \(400 - count(lines[2])) train, \(400 - count(lines[4])) val"), lines[0])
        func count(_ line: String) -> Int { Int(line.split(separator: " ")[3])! }
        // Binomial, 4.5 sd: 0.8 of 400 (sd 8) and 0.5 of 400 (sd 10).
        XCTAssertLessThan(abs(count(lines[2]) - 320), 36, lines[2])
        XCTAssertLessThan(abs(count(lines[4]) - 200), 45, lines[4])
    }

    /// --variant writes the scenes that --data shapes:VARIANT trains on (at --seed 2026): the
    /// records DetectorData gives, noisy in train and clean in val, and the pixels of its scenes;
    /// then what the scenes hold, the realised noise measured against the clean scenes.
    func testShapesVariantWritesTheScenesOfData() throws {
        let out = try temporaryFolder()
        let result = try autoloss(["data", "shapes", "--out", out, "--variant", "noisy", "--label-noise", "0.4", "--train", "40", "--val", "3",
                                   "--size", "64", "--seed", "2026"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let data = try DetectorData.resolve("shapes:noisy,noise=0.4", searchingFrom: [])
        guard case let .shapes(seed, options) = data else { return XCTFail("shapes") }
        let scenes = ShapesScenes(seed: seed, imageSize: 64, options: options)
        var changed = 0, total = 0
        for (split, count) in [(DataSplit.train, 40), (.val, 3)] {
            let written = try COCOJSON.readInstances(path: out + "/annotations/instances_\(split.rawValue).json")
            let records = try data.records(split, count: count, size: 64)
            XCTAssertEqual(written.images.map(\.fileName), records.images.map(\.fileName))
            XCTAssertEqual(written.images.map { $0.annotations.map(\.categoryID) }, records.images.map { $0.annotations.map(\.categoryID) }, "\(split)")
            XCTAssertEqual(written.images.map { $0.annotations.map(\.box) }, records.images.map { $0.annotations.map(\.box) }, "\(split)")
            let clean = ShapesScenes(seed: 2026, imageSize: 64, options: DetectorData.proxyShapesOptions).dataset(split: split, count: count)
            let labels = zip(clean.images.flatMap(\.annotations), written.images.flatMap(\.annotations)).map { $0.categoryID != $1.categoryID }
            if split == .val { XCTAssertFalse(labels.contains(true), "val is clean") } else {
                changed = labels.filter { $0 }.count
                total = labels.count
            }
            XCTAssertEqual(try RGBImage(contentsOfFile: out + "/images/\(split.rawValue)/000002.png"), scenes.scene(1, split: split).image, "\(split)")
        }
        XCTAssertGreaterThan(changed, 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 8, result.stdout)
        XCTAssertTrue(lines[0].hasPrefix("wrote \(out): 40 train and 3 val images of 64 px (seed 2026, shapes:noisy,noise=0.4); boxes: \(total) train, "), lines[0])
        XCTAssertEqual(lines[1], "noisy (noise=0.4, jitter=0.1): the scenes of --data shapes:noisy,noise=0.4 at --seed 2026 --size 128")
        XCTAssertTrue(lines[2].hasPrefix("train: 40 images, 0 without objects, "), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("train classes: rectangle "), lines[3])
        XCTAssertTrue(lines[4].hasPrefix(String(format: "train noise: %d of %d labels changed (%.3f), box edges moved by 0.", changed, total, Double(changed) / Double(total))), lines[4])
        XCTAssertEqual(lines[7], "val noise: none (the validation split is clean)")

        for (arguments, message) in [
            (["--variant", "noisy", "--ratio", "200"], "Error: --ratio is not a setting of --variant noisy"),
            (["--label-noise", "0.2"], "Error: --label-noise is a setting of a variant: give --variant noisy too"),
            (["--variant", "imbalance", "--ratio", "0.5"], "Error: --ratio 0.5: give the commonest class's frequency over the rarest's, a number from 1 to 10000"),
            (["--variant", "noisy", "--max-objects", "1"], "Error: --max-objects is not a setting of --variant noisy"),
            (["--variant", "imbalance", "--empty-share", "1"], "Error: --empty-share 1: give the share of the training images without their objects, from 0 to 0.95"),
            (["--variant", "small", "--empty-share", "0.5"], "Error: --empty-share is not a setting of --variant small"),
            (["--max-objects", "1"], "Error: --max-objects is a setting of a variant: give --variant imbalance too"),
            (["--variant", "imbalance", "--max-objects", "31"], "Error: --max-objects 31: give the most objects an image, a whole number from 1 to 30"),
            (["--variant", "huge"], "Error: The value 'huge' is invalid for '--variant <imbalance|noisy|small>'"),
        ] {
            let bad = try autoloss(["data", "shapes", "--out", out + "/bad"] + arguments)
            XCTAssertEqual(bad.status, 2, "\(arguments)")
            XCTAssertTrue(bad.stderr.hasPrefix(message), "\(arguments): \(bad.stderr)")
        }
    }
}
