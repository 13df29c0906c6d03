@testable import Detection
import XCTest
import _TestSupport

/// IoU, crowd IoU, per-image matching and accumulation on hand-made cases with known answers.
final class COCOMatchingTests: XCTestCase {
    // MARK: IoU

    func testIoUOfOverlappingBoxes() {
        let a = Box(x: 0, y: 0, width: 10, height: 10)
        XCTAssertEqual(COCOEvaluator.iou(a, Box(x: 5, y: 0, width: 10, height: 10)), 50.0 / 150.0)
        XCTAssertEqual(COCOEvaluator.iou(a, a), 1)
        XCTAssertEqual(COCOEvaluator.iou(a, Box(x: 2, y: 2, width: 5, height: 5)), 25.0 / 100.0)
        XCTAssertEqual(COCOEvaluator.iou(Box(x: 0, y: 0, width: 10, height: 9.2), a), 92.0 / 100.0)
    }

    func testIoUIsZeroWithoutPositiveOverlap() {
        let a = Box(x: 0, y: 0, width: 10, height: 10)
        XCTAssertEqual(COCOEvaluator.iou(a, Box(x: 10, y: 0, width: 10, height: 10)), 0, "touching edges")
        XCTAssertEqual(COCOEvaluator.iou(a, Box(x: 30, y: 30, width: 10, height: 10)), 0, "apart")
        XCTAssertEqual(COCOEvaluator.iou(Box(x: 5, y: 5, width: 0, height: 3), a), 0, "zero width")
    }

    func testCrowdIoUIsIntersectionOverTheDetectionsArea() {
        let crowd = Box(x: 0, y: 0, width: 100, height: 100)
        XCTAssertEqual(COCOEvaluator.iou(Box(x: 10, y: 10, width: 10, height: 10), crowd, crowd: true), 1)
        XCTAssertEqual(COCOEvaluator.iou(Box(x: 90, y: 0, width: 20, height: 10), crowd, crowd: true), 0.5)
        XCTAssertEqual(COCOEvaluator.iou(Box(x: 90, y: 0, width: 20, height: 10), crowd, crowd: false), 100.0 / 10_100.0)
    }

    // MARK: Matching in one image

    struct ImageResult {
        /// Per kept detection (in score order), per area range (all, small, medium, large).
        var matched: [[UInt16]]
        var ignored: [[UInt16]]
        var notIgnored: [Int]
        var keptScores: [Double]
    }

    /// Runs the evaluator's per-image step on one image of category 1.
    func evaluateImage(_ annotations: [Annotation], _ detections: [(Box, Double)], options: COCOEvaluator.Options = .init()) throws -> ImageResult {
        let dataset = DetectionDataset(images: [ImageRecord(id: 1, fileName: "", width: 640, height: 480, annotations: annotations)],
                                       categories: [Category(id: 1, name: "a")])
        let gt = try _GroundTruth(dataset, options: options, source: "test", skipped: nil)
        let dt = try _Detections(detections.map { ScoredBox(imageID: 1, categoryID: 1, box: $0.0, score: $0.1) },
                                 groundTruth: gt, policy: .fail, source: "test", skipped: nil)
        var ws = _Workspace()
        ws.notIgnored = [0, 0, 0, 0]
        COCOEvaluator.evaluateImage(gt: gt, gtRange: 0..<gt.x.count, dt: dt, dtRange: 0..<dt.x.count, workspace: &ws)
        let n = ws.score.count
        return ImageResult(matched: (0..<n).map { q in (0..<4).map { ws.matched[q * 4 + $0] } },
                           ignored: (0..<n).map { q in (0..<4).map { ws.ignored[q * 4 + $0] } },
                           notIgnored: ws.notIgnored, keptScores: ws.score)
    }

    static let all: UInt16 = 0x3FF

    /// A detection takes the annotation with the best IoU, not the first one above the threshold.
    func testDetectionTakesTheBestIoU() throws {
        let b = Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 10, height: 8))
        let a = Annotation(id: 2, categoryID: 1, box: Box(x: 0, y: 0, width: 10, height: 10))
        // d1: IoU 0.92 with a, 0.87 with b; d2 (lower score) is b exactly, IoU 0.8 with a.
        let r = try evaluateImage([b, a], [(Box(x: 0, y: 0, width: 10, height: 9.2), 0.9), (Box(x: 0, y: 0, width: 10, height: 8), 0.8)])
        XCTAssertEqual(r.matched[0][0], 0x1FF, "d1 matches a at IoU thresholds 0.50 ... 0.90")
        XCTAssertEqual(r.matched[1][0], Self.all, "d2 keeps b at every threshold, so d1 did not take b")
        XCTAssertEqual(r.ignored[0][0], 0)
        XCTAssertEqual(r.ignored[1][0], 0)
        XCTAssertEqual(r.notIgnored, [2, 2, 0, 0])
    }

    /// A regular annotation above the threshold wins over a crowd region with a higher IoU; past
    /// the regular one's IoU, the crowd region takes the detection, which is then ignored.
    func testRegularAnnotationPreferredOverCrowd() throws {
        let regular = Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 10, height: 10))
        let crowd = Annotation(id: 2, categoryID: 1, box: Box(x: 0, y: 0, width: 10, height: 6.4), isCrowd: true)
        // IoU 0.62 with the regular box; crowd IoU (over the detection's area) 1.
        let r = try evaluateImage([crowd, regular], [(Box(x: 0, y: 0, width: 10, height: 6.2), 0.5)])
        XCTAssertEqual(r.matched[0][0], Self.all)
        XCTAssertEqual(r.ignored[0][0], 0x3F8, "ignored from IoU 0.65 on (matched to the crowd region)")
        XCTAssertEqual(r.notIgnored[0], 1, "crowd regions are not counted")
    }

    /// A crowd region matches any number of detections, each of them ignored.
    func testCrowdRegionMatchesManyDetections() throws {
        let crowd = Annotation(id: 3, categoryID: 1, box: Box(x: 0, y: 0, width: 100, height: 100), isCrowd: true)
        let r = try evaluateImage([crowd], [(Box(x: 10, y: 10, width: 20, height: 20), 0.9), (Box(x: 50, y: 50, width: 20, height: 20), 0.8)])
        XCTAssertEqual(r.matched.map { $0[0] }, [Self.all, Self.all])
        XCTAssertEqual(r.ignored.map { $0[0] }, [Self.all, Self.all])
        XCTAssertEqual(r.notIgnored, [0, 0, 0, 0])
    }

    /// A second detection of an already matched annotation is a false positive.
    func testDuplicateDetectionIsAFalsePositive() throws {
        let g = Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 50, height: 50))
        let r = try evaluateImage([g], [(g.box, 0.7), (g.box, 0.7)])
        XCTAssertEqual(r.matched.map { $0[0] }, [Self.all, 0])
        XCTAssertEqual(r.ignored.map { $0[0] }, [0, 0])
    }

    /// Area ranges: ground truth outside is ignored; an unmatched detection outside (by its box's
    /// w * h) is ignored; bounds are inclusive (32² is both small and medium).
    func testAreaRanges() throws {
        let g = Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 32, height: 32))  // area 1024
        let r = try evaluateImage([g], [(Box(x: 0, y: 0, width: 32, height: 32), 0.9), (Box(x: 100, y: 100, width: 50, height: 50), 0.8)])
        XCTAssertEqual(r.notIgnored, [1, 1, 1, 0], "1024 is small and medium")
        // In large the annotation is ignored, yet still matched: the detection is then ignored.
        XCTAssertEqual(r.matched[0], [Self.all, Self.all, Self.all, Self.all])
        XCTAssertEqual(r.ignored[0], [0, 0, 0, Self.all])
        // The 50 x 50 detection (2500) is unmatched: ignored in small, counted in all and medium.
        XCTAssertEqual(r.ignored[1], [0, Self.all, 0, Self.all])
        // The annotation's `area` field decides, not its box.
        let h = Annotation(id: 2, categoryID: 1, box: Box(x: 0, y: 0, width: 100, height: 100), area: 500)
        XCTAssertEqual(try evaluateImage([h], []).notIgnored, [1, 1, 0, 0])
    }

    /// Equal IoU: the later annotation (in sorted order) wins; a match to annotation id 0 reads
    /// as no match, as in pycocotools (it stores the matched id and tests it for non-zero).
    func testEqualIoUTakesTheLaterAnnotationAndIDZeroCountsAsNoMatch() throws {
        let box = Box(x: 10, y: 10, width: 50, height: 50)
        let zero = Annotation(id: 0, categoryID: 1, box: box), five = Annotation(id: 5, categoryID: 1, box: box)
        XCTAssertEqual(try evaluateImage([zero, five], [(box, 0.9)]).matched[0][0], Self.all)
        XCTAssertEqual(try evaluateImage([five, zero], [(box, 0.9)]).matched[0][0], 0)
    }

    /// pycocotools overwrites an annotation's `ignore` flag with `iscrowd`: the flag counts only
    /// when the options say so, and then like a crowd region for the counts, not for the IoU.
    func testIgnoreFlagIsHonouredOnlyOnRequest() throws {
        let flagged = Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 40, height: 40), ignore: true)
        let detection = (Box(x: 0, y: 0, width: 40, height: 20), 0.9)  // IoU 0.5, crowd IoU would be 1
        let plain = try evaluateImage([flagged], [detection])
        XCTAssertEqual(plain.notIgnored[0], 1)
        XCTAssertEqual(plain.ignored[0][0], 0)
        let honoured = try evaluateImage([flagged], [detection], options: .init(honorsIgnoreFlag: true))
        XCTAssertEqual(honoured.notIgnored[0], 0)
        XCTAssertEqual(honoured.matched[0][0], 0x1, "matched at IoU 0.50 only: the IoU is the plain one")
        XCTAssertEqual(honoured.ignored[0][0], 0x1)
    }

    /// Only the 100 best-scored detections per image and category are kept; equal scores keep
    /// their file order.
    func testOnlyTheFirst100DetectionsAreKept() throws {
        let scores = (0..<105).map { Double($0 % 5) / 4 }
        let r = try evaluateImage([], scores.enumerated().map { (Box(x: Double($0.offset), y: 0, width: 5, height: 5), $0.element) })
        XCTAssertEqual(r.keptScores.count, 100)
        XCTAssertEqual(r.keptScores, scores.sorted(by: >).prefix(100).map { $0 })
    }

    // MARK: Accumulation

    func metrics(_ annotations: [Annotation], _ detections: [(Box, Double)]) throws -> DetectionMetrics {
        let dataset = DetectionDataset(images: [ImageRecord(id: 7, fileName: "", width: 640, height: 480, annotations: annotations)],
                                       categories: [Category(id: 1, name: "a"), Category(id: 2, name: "b")])
        return try COCOEvaluator(groundTruth: dataset).evaluate(detections.map { ScoredBox(imageID: 7, categoryID: 1, box: $0.0, score: $0.1) })
    }

    func testPerfectDetections() throws {
        let gts = [Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 40, height: 40)),
                   Annotation(id: 2, categoryID: 1, box: Box(x: 100, y: 0, width: 40, height: 40))]
        let m = try metrics(gts, gts.map { ($0.box, 0.9) })
        XCTAssertEqual(m.stats, [1, 1, 1, -1, 1, -1, 0.5, 1, 1, -1, 1, -1])
        XCTAssertEqual(m.perCategory.map(\.ap), [1, -1], "category b has no ground truth")
    }

    /// A false positive scored above the true positive: precision 1 / 2 at recall 1 everywhere.
    func testFalsePositiveFirstHalvesPrecision() throws {
        let g = Annotation(id: 1, categoryID: 1, box: Box(x: 0, y: 0, width: 40, height: 40))
        let m = try metrics([g], [(Box(x: 300, y: 300, width: 40, height: 40), 0.9), (g.box, 0.8)])
        XCTAssertEqual(m.ap, 0.5, accuracy: 1e-15)
        XCTAssertEqual(m.ar1, 0, "with one detection per image, only the false positive is kept")
        XCTAssertEqual(m.ar10, 1)
    }

    /// No ground truth at all: every number is -1.
    func testNoGroundTruthGivesMinusOne() throws {
        let m = try metrics([], [(Box(x: 0, y: 0, width: 10, height: 10), 0.5)])
        XCTAssertEqual(m.stats, Array(repeating: -1, count: 12))
    }

    /// The public AP of a ranked hit list is the evaluator's AP of the same ranking: seeded
    /// lists of exact hits (IoU 1) and far misses, so every IoU threshold sees the same list.
    func testAveragePrecisionOfARankedListMatchesTheEvaluator() throws {
        XCTAssertEqual(COCOEvaluator.averagePrecision(hits: [true], positives: 0), -1)
        for seed: UInt64 in [1, 2, 3] {
            var rng = SeededGenerator(seed: seed)
            let positives = Int.random(in: 1...12, using: &rng)
            let gts = (0..<positives).map { Annotation(id: $0 + 1, categoryID: 1, box: Box(x: Double($0) * 50, y: 0, width: 40, height: 40)) }
            var hits: [Bool] = [], detections: [(Box, Double)] = []
            var found = 0
            for k in 0..<Int.random(in: 1...30, using: &rng) {
                let hit = found < positives && Bool.random(using: &rng)
                let box = hit ? gts[found].box : Box(x: Double(k % 12) * 50, y: 300, width: 40, height: 40)
                if hit { found += 1 }
                hits.append(hit)
                detections.append((box, 1 - Double(k) / 100))
            }
            let ap = COCOEvaluator.averagePrecision(hits: hits, positives: positives)
            XCTAssertEqual(ap, try metrics(gts, detections).ap, accuracy: 1e-12, "seed \(seed)")
        }
    }

    /// NumPy's pairwise summation, on values whose naive sum differs.
    func testNumpyMeanSumsPairwise() {
        let values = (0..<1000).map { 1 / Double($0 + 1) }
        var naive = 0.0
        for v in values { naive += v }
        let pairwise = _numpyMean(values) * 1000
        XCTAssertEqual(pairwise, naive, accuracy: 1e-12)
        XCTAssertEqual(_numpyMean([0.1, 0.2, 0.3]), (0.1 + 0.2 + 0.3) / 3)
    }

    func testThresholdsAreNumpysLinspace() {
        XCTAssertEqual(COCOEvaluator.iouThresholds.count, 10)
        XCTAssertEqual(COCOEvaluator.iouThresholds.first, 0.5)
        XCTAssertEqual(COCOEvaluator.iouThresholds[5], 0.75, "summarize() finds 0.75 by equality")
        XCTAssertEqual(COCOEvaluator.iouThresholds.last, 0.95)
        XCTAssertEqual(COCOEvaluator.recallThresholds.count, 101)
        XCTAssertEqual(COCOEvaluator.recallThresholds[7], 7 * 0.01)
        XCTAssertEqual(COCOEvaluator.recallThresholds.last, 1)
    }

    func testSummaryLineFormat() {
        XCTAssertEqual(DetectionMetrics.summaryLine(DetectionMetrics.summaries[0], value: 0.37245),
                       " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.372")
        XCTAssertEqual(DetectionMetrics.summaryLine(DetectionMetrics.summaries[2], value: -1),
                       " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = -1.000")
        XCTAssertEqual(DetectionMetrics.summaryLine(DetectionMetrics.summaries[6], value: 0.5),
                       " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.500")
        XCTAssertEqual(DetectionMetrics.summaryLine(DetectionMetrics.summaries[10], value: 0.6625),
                       " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.662")
    }
}
