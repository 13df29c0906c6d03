import Detection
import Foundation
import XCTest

/// `autoloss coco-eval`, run as a user runs it: the built binary, its output word for word
/// against pycocotools' `summarize()`, its JSON, its errors and exit codes.
final class CocoEvalCLITests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `autoloss` binary beside this test bundle (`swift build` puts both in the same
    /// folder), or `$AUTOLOSS_BIN`.
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["AUTOLOSS_BIN"] { return path }
        var folders: [URL] = []
        if let url = Bundle.main.executableURL { folders.append(url.deletingLastPathComponent()) }
        folders.append(Bundle.main.bundleURL)
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for bundle in Bundle.allBundles { folders.append(bundle.bundleURL.deletingLastPathComponent()) }
        for folder in folders {
            let candidate = folder.appendingPathComponent("autoloss").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Run? {
        guard let binary = Self.binary else {
            XCTFail("the autoloss binary was not found beside the tests: run `swift build` first (or set AUTOLOSS_BIN)", file: file, line: line)
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the process runs, so that neither fills up.
        final class Box: @unchecked Sendable { var data = Data() }
        let errData = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Two medium boxes found exactly: AP 1, small and large undefined, AR@1 one of two.
    func testSummaryOfPerfectDetections() throws {
        var c = COCOCase(name: "perfect")
        c.imageIDs = [1]
        c.categories = [(1, "a")]
        c.annotations = [.init(id: 1, imageID: 1, categoryID: 1, box: [0, 0, 40, 40], area: 1600),
                         .init(id: 2, imageID: 1, categoryID: 1, box: [100, 0, 40, 40], area: 1600)]
        c.detections = c.annotations.map { .init(imageID: 1, categoryID: 1, box: $0.box, score: 0.9) }
        let root = try makeTemporaryDirectory("autoloss-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try c.write(under: root)
        guard let r = try run(["coco-eval", "--gt", folder.appendingPathComponent("gt.json").path, "--dt", folder.appendingPathComponent("dt.json").path]) else { return }
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, """
         Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000
         Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 1.000
         Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 1.000
         Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000
         Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000
         Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000
         Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.500
         Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 1.000
         Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000
         Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000
         Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000
         Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000

        """)
        XCTAssertEqual(r.stderr, "")
    }

    /// Text, JSON and per-class output on a random case, against pycocotools.
    func testOutputMatchesPycocotools() throws {
        let c = COCOCases.random(seed: 3)
        let root = try makeTemporaryDirectory("autoloss-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try c.write(under: root)
        let expected: PycocotoolsOracle.Answer
        do {
            expected = try PycocotoolsOracle.answers(for: [folder])[0]
        } catch {
            XCTFail("\(error)")
            return
        }
        let gt = folder.appendingPathComponent("gt.json").path, dt = folder.appendingPathComponent("dt.json").path

        guard let text = try run(["coco-eval", "--gt", gt, "--dt", dt]) else { return }
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertEqual(text.stdout, expected.summary.joined(separator: "\n") + "\n", "word for word as pycocotools prints")

        guard let json = try run(["coco-eval", "--gt", gt, "--dt", dt, "--json", "--per-class"]) else { return }
        XCTAssertEqual(json.status, 0, json.stderr)
        struct Output: Decodable {
            struct PerClass: Decodable {
                var id: Int
                var name: String
                var ap: Double
                var ap50: Double
                var ap75: Double
            }
            var stats: [Double]
            var per_class: [PerClass]
        }
        let output = try JSONDecoder().decode(Output.self, from: Data(json.stdout.utf8))
        XCTAssertEqual(output.stats, expected.stats, "full precision, pycocotools' order")
        XCTAssertEqual(output.per_class.map(\.ap), expected.perClassAP)
        XCTAssertEqual(output.per_class.map(\.id), c.categories.map(\.id).sorted())

        guard let perClass = try run(["coco-eval", "--gt", gt, "--dt", dt, "--per-class"]) else { return }
        let lines = perClass.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(lines.prefix(12)), expected.summary)
        XCTAssertEqual(lines[13], "Per category, area=all, maxDets=100:")
        XCTAssertEqual(lines.count, 12 + 3 + c.categories.count + 1, perClass.stdout)
    }

    /// Bad input: one line on stderr naming the file and the item, exit code 2.
    func testBadInputExitsWithTwo() throws {
        var c = COCOCase(name: "bad")
        c.imageIDs = [1]
        c.categories = [(1, "a")]
        c.annotations = [.init(id: 1, imageID: 1, categoryID: 1, box: [0, 0, 40, 40], area: 1600)]
        c.detections = [.init(imageID: 1, categoryID: 1, box: [0, 0, 40, 40], score: 0.9),
                        .init(imageID: 42, categoryID: 1, box: [0, 0, 40, 40], score: 0.8)]
        let root = try makeTemporaryDirectory("autoloss-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try c.write(under: root)
        let gt = folder.appendingPathComponent("gt.json").path, dt = folder.appendingPathComponent("dt.json").path

        guard let unknown = try run(["coco-eval", "--gt", gt, "--dt", dt]) else { return }
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertEqual(unknown.stderr, "error: \(dt): detection [1] (image_id 42): unknown image id 42: not among the ground truth's images\n")

        guard let skipped = try run(["coco-eval", "--gt", gt, "--dt", dt, "--skip-bad", "--json"]) else { return }
        XCTAssertEqual(skipped.status, 0)
        XCTAssertTrue(skipped.stderr.hasPrefix("warning: skipped: \(dt): detection [1]"), skipped.stderr)
        // One annotation found: precision 1 / (1 + eps) at recall 1, as in pycocotools.
        struct Output: Decodable { var stats: [Double] }
        let stats = try JSONDecoder().decode(Output.self, from: Data(skipped.stdout.utf8)).stats
        XCTAssertEqual(stats.map { $0 == -1 ? -1 : ($0 * 1000).rounded() / 1000 }, [1, 1, 1, -1, 1, -1, 1, 1, 1, -1, 1, -1], skipped.stdout)

        try "[{\"image_id\": 1,".write(toFile: dt, atomically: true, encoding: .utf8)
        guard let malformed = try run(["coco-eval", "--gt", gt, "--dt", dt]) else { return }
        XCTAssertEqual(malformed.status, 2)
        XCTAssertEqual(malformed.stderr, "error: \(dt): not valid JSON at line 1, column 17: expected a string key in an object, found the end of the text\n")

        guard let missing = try run(["coco-eval", "--gt", gt + ".missing", "--dt", dt]) else { return }
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "error: \(gt).missing: cannot read the file: no such file\n")

        guard let usage = try run(["coco-eval", "--gt", gt]) else { return }
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("--dt"), usage.stderr)
    }
}
