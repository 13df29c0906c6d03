import Detection
import Foundation
import XCTest

/// The evaluator against pycocotools itself: all twelve numbers and every category's AP agree to
/// 1e-9 (in practice to the last bit) on random cases, adversarial cases and real coco128 data,
/// and the summary prints the same lines as pycocotools' `summarize()`.
final class COCOOracleTests: XCTestCase {
    static let tolerance = 1e-9

    /// Writes the cases, evaluates each with pycocotools and with ours, compares.
    func check(_ cases: [COCOCase], file: StaticString = #filePath, line: UInt = #line) throws {
        let root = try makeTemporaryDirectory("autoloss-coco-oracle")
        defer { try? FileManager.default.removeItem(at: root) }
        let folders = try cases.map { try $0.write(under: root) }
        let answers: [PycocotoolsOracle.Answer]
        do {
            answers = try PycocotoolsOracle.answers(for: folders)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return
        }
        var bitExact = 0
        for (c, (folder, expected)) in zip(cases, zip(folders, answers)) {
            let ours = try COCOCase.evaluate(folder)
            XCTAssertEqual(ours.stats.count, 12)
            for (i, (a, b)) in zip(ours.stats, expected.stats).enumerated() {
                XCTAssertLessThanOrEqual(abs(a - b), Self.tolerance, "case \(c.name): stats[\(i)] ours \(a), pycocotools \(b)", file: file, line: line)
            }
            XCTAssertEqual(ours.perCategory.count, expected.perClassAP.count, "case \(c.name): category count", file: file, line: line)
            for (category, b) in zip(ours.perCategory, expected.perClassAP) {
                XCTAssertLessThanOrEqual(abs(category.ap - b), Self.tolerance, "case \(c.name): AP of category \(category.categoryID) ours \(category.ap), pycocotools \(b)", file: file, line: line)
            }
            XCTAssertEqual(ours.summaryLines, expected.summary, "case \(c.name): summarize() lines", file: file, line: line)
            if ours.stats == expected.stats { bitExact += 1 }
        }
        print("pycocotools oracle: \(cases.count) cases, \(bitExact) identical to the last bit in all 12 numbers")
    }

    func testRandomCasesMatchPycocotools() throws {
        try check((1...40).map { COCOCases.random(seed: UInt64($0)) })
    }

    func testAdversarialCasesMatchPycocotools() throws {
        try check(COCOCases.adversarial(seed: 7) + COCOCases.adversarial(seed: 8).map { var c = $0; c.name += "-8"; return c })
    }

    /// Real data: coco128's COCO annotations (80 categories, crowd regions, segmentation areas),
    /// detections made from them by jittering, with false positives.
    func testCoco128MatchesPycocotools() throws {
        let file = PycocotoolsOracle.repositoryRoot
            .appendingPathComponent("../shared/data/coco128/annotations_coco_json/instances_train2017_first128.json").standardized
        guard FileManager.default.fileExists(atPath: file.path) else {
            XCTFail("coco128 is missing at \(file.path): the tests expect ../shared/data/coco128 beside the repository")
            return
        }
        try check([COCOCases.coco128(seed: 1, annotations: file), {
            var c = try COCOCases.coco128(seed: 2, annotations: file)
            c.name = "coco128-seed2"
            return c
        }()])
    }

    /// The same numbers whatever the number of threads.
    func testThreadCountDoesNotChangeResults() throws {
        for seed in 1...5 {
            let c = COCOCases.random(seed: UInt64(seed))
            let root = try makeTemporaryDirectory("autoloss-coco-threads")
            defer { try? FileManager.default.removeItem(at: root) }
            let folder = try c.write(under: root)
            let gt = try COCOJSON.readInstances(path: folder.appendingPathComponent("gt.json").path)
            let dt = try COCOJSON.readResults(path: folder.appendingPathComponent("dt.json").path)
            let one = try COCOEvaluator(groundTruth: gt, options: .init(maxThreads: 1)).evaluate(dt)
            let many = try COCOEvaluator(groundTruth: gt, options: .init(maxThreads: 4)).evaluate(dt)
            XCTAssertEqual(one, many, "seed \(seed)")
        }
    }
}
