@testable import Verification
import LossLanguage
import XCTest
import _TestSupport

/// The box arithmetic and statistics the regression checks stand on.
final class ProbeGeometryTests: XCTestCase {
    func testIntersectionUnionEnclosing() {
        let gt = Box(x1: 0, y1: 0, x2: 10, y2: 10)
        let p = Box(x1: 5, y1: 5, x2: 15, y2: 15)
        let pair = BoxPair(predicted: p, truth: gt)
        XCTAssertEqual(pair.intersection, 25)
        XCTAssertEqual(pair.union, 175 + 1e-7)
        XCTAssertEqual(pair.enclosing, 225 + 1e-7)
        let apart = BoxPair(predicted: Box(x1: 20, y1: 0, x2: 30, y2: 10), truth: gt)
        XCTAssertEqual(apart.intersection, 0)
        XCTAssertEqual(apart.enclosing, 300 + 1e-7)
        XCTAssertEqual(BoxPair(predicted: gt, truth: gt).iou, 1, accuracy: 1e-8)
    }

    /// The analytic derivatives of (i, u, e) with respect to the predicted corners match central
    /// differences on random pairs (seeded); pairs near a switch of max/min are skipped.
    func testInputDerivativesMatchFiniteDifferences() {
        for seed: UInt64 in [11, 12] {
            var rng = SeededGenerator(seed: seed)
            for _ in 0..<200 {
                let gt = Box(centerX: 50, centerY: 50, width: Double.random(in: 10...40, using: &rng), height: Double.random(in: 10...40, using: &rng))
                let p = Box(centerX: Double.random(in: 10...90, using: &rng), centerY: Double.random(in: 10...90, using: &rng),
                            width: Double.random(in: 5...50, using: &rng), height: Double.random(in: 5...50, using: &rng))
                let pair = BoxPair(predicted: p, truth: gt)
                let corners = [p.x1, p.y1, p.x2, p.y2]
                let gaps = [p.x1 - gt.x1, p.y1 - gt.y1, p.x2 - gt.x2, p.y2 - gt.y2, p.x2 - gt.x1, p.x1 - gt.x2, p.y2 - gt.y1, p.y1 - gt.y2]
                if gaps.contains(where: { Swift.abs($0) < 0.01 }) { continue }
                let d = pair.inputDerivatives
                for k in 0..<4 {
                    func moved(_ h: Double) -> BoxPair<Double> {
                        var c = corners
                        c[k] += h
                        return BoxPair(predicted: Box(x1: c[0], y1: c[1], x2: c[2], y2: c[3]), truth: gt)
                    }
                    let h = 1e-4
                    let (a, b) = (moved(h), moved(-h))
                    XCTAssertEqual(d.i[k], (a.intersection - b.intersection) / (2 * h), accuracy: 1e-4, "seed \(seed)")
                    XCTAssertEqual(d.u[k], (a.union - b.union) / (2 * h), accuracy: 1e-4, "seed \(seed)")
                    XCTAssertEqual(d.e[k], (a.enclosing - b.enclosing) / (2 * h), accuracy: 1e-4, "seed \(seed)")
                }
            }
        }
    }

    func testSpearman() {
        XCTAssertEqual(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1, accuracy: 1e-12)
        XCTAssertEqual(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        XCTAssertEqual(ranks([5, 1, 5, 3]), [3.5, 1, 3.5, 2])
        // Ties: scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138.
        XCTAssertEqual(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 0.9486832980505138, accuracy: 1e-12)
        XCTAssertTrue(spearman([1, 1, 1], [1, 2, 3]).isNaN)
    }

    /// Mean ± sample deviation as tunings state AP over seeds; Python's statistics.stdev of
    /// [61.87, 62.13, 62.40] is 0.26501572...
    func testSampleStatistics() {
        XCTAssertEqual(sampleMean([61.87, 62.13, 62.40]), 62.13333333333333, accuracy: 1e-9)
        XCTAssertEqual(sampleDeviation([61.87, 62.13, 62.40]), 0.2650157228, accuracy: 1e-8)
        XCTAssertEqual(sampleDeviation([62.0]), 0)
        XCTAssertEqual(sampleMean([]), 0)
    }

    /// The regression probe spreads IoUs over [0, 1]: every bin holds its pairs at every scale.
    func testRegressionProbeCoversEveryIoUBin() {
        let options = CPVOptions()
        let probe = RegressionProbe(options)
        XCTAssertEqual(probe.rankRows.count, options.boxScales.count)
        for rows in probe.rankRows {
            var bins = [Int](repeating: 0, count: 11)
            for r in rows where probe.pairs[r].predicted != probe.pairs[r].truth {
                let iou = probe.pairs[r].iou
                bins[iou == 0 ? 0 : Int((iou * 10).rounded(.up))] += 1
            }
            XCTAssertEqual(bins, Array(repeating: options.pairsPerIoUBin * options.groundTruthsPerScale, count: 11))
        }
        XCTAssertEqual(probe.paths.count, options.pathsPerScale * options.boxScales.count)
        XCTAssertFalse(probe.nonOverlapRows.isEmpty)
    }

    func testOptionsProblems() {
        var options = CPVOptions()
        XCTAssertNil(options.problem)
        options.classes = 1
        XCTAssertNotNil(options.problem)
        options = CPVOptions()
        options.sigmoidIoUs = [0.5]
        XCTAssertTrue(options.problem?.contains("must be 1") ?? false)
    }
}

extension ProbeGeometryTests {
    /// The one place a tie rule could reach a verdict: the box gradient of the non-overlapping
    /// pairs (`RegressionGradientCheck`). None of them has an edge aligned with its GT's, so
    /// which side a tie takes (LossLanguage's `BoxPair`: the detector's rule) changes no verdict.
    func testNonOverlappingProbePairsHaveNoAlignedEdges() {
        let probe = RegressionProbe(CPVOptions())
        for r in probe.nonOverlapRows {
            let (p, t) = (probe.pairs[r].predicted, probe.pairs[r].truth)
            XCTAssertFalse(p.x1 == t.x1 || p.y1 == t.y1 || p.x2 == t.x2 || p.y2 == t.y2, "row \(r)")
        }
    }
}
