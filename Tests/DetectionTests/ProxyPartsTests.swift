import XCTest
@testable import Detection
import LossLanguage
import _TestSupport

final class ProxyPartsTests: XCTestCase {
    func testBoxPairInputsAndGradientsAgainstFiniteDifferences() {
        var rng = SeededGenerator(seed: 3)
        for seed in 0..<200 {
            let gx0 = Float.random(in: 0...100, using: &rng), gy0 = Float.random(in: 0...100, using: &rng)
            let target = (gx0, gy0, gx0 + Float.random(in: 5...80, using: &rng), gy0 + Float.random(in: 5...80, using: &rng))
            let loc = (x: Float.random(in: 0...150, using: &rng), y: Float.random(in: 0...150, using: &rng))
            let d = (l: Float.random(in: 1...60, using: &rng), t: Float.random(in: 1...60, using: &rng),
                     r: Float.random(in: 1...60, using: &rng), b: Float.random(in: 1...60, using: &rng))
            let pair = BoxPair(location: loc, distances: d, target: target)
            // A random linear loss of (i, u, e): its gradient through the geometry.
            let (ci, cu, ce) = (Float.random(in: -1...1, using: &rng), Float.random(in: -1...1, using: &rng), Float.random(in: -1...1, using: &rng))
            func loss(_ l: Float, _ t: Float, _ r: Float, _ b: Float) -> Double {
                let v = BoxPair(location: loc, distances: (l, t, r, b), target: target).inputs
                return Double(ci) * Double(v.i) + Double(cu) * Double(v.u) + Double(ce) * Double(v.e)
            }
            let g = pair.distanceGradient(di: ci, du: cu, de: ce)
            let h: Float = 1e-2
            let numeric = [
                (loss(d.l + h, d.t, d.r, d.b) - loss(d.l - h, d.t, d.r, d.b)) / Double(2 * h),
                (loss(d.l, d.t + h, d.r, d.b) - loss(d.l, d.t - h, d.r, d.b)) / Double(2 * h),
                (loss(d.l, d.t, d.r + h, d.b) - loss(d.l, d.t, d.r - h, d.b)) / Double(2 * h),
                (loss(d.l, d.t, d.r, d.b + h) - loss(d.l, d.t, d.r, d.b - h)) / Double(2 * h),
            ]
            for (analytic, n) in zip([g.l, g.t, g.r, g.b], numeric) {
                XCTAssertEqual(Double(analytic), n, accuracy: 0.02 * max(1, abs(n)), "seed \(seed)")
            }
        }
        let same = BoxPair(location: (50, 50), distances: (10, 10, 10, 10), target: (40, 40, 60, 60))
        XCTAssertEqual(same.iou, 1, accuracy: 1e-6)
        let apart = BoxPair(location: (10, 10), distances: (5, 5, 5, 5), target: (40, 40, 60, 60))
        XCTAssertEqual(apart.inputs.i, 0)
        XCTAssertEqual(apart.inputs.e, 55 * 55, accuracy: 1e-2)
    }

    func testFCOSAssignsByCentreRegionSizeRangeAndSmallestBox() {
        let assigner = FCOSAssigner(size: 64)
        XCTAssertEqual(assigner.locationCount, 64 + 16 + 4)
        // A 40x40 box centred at (32, 32): reach up to 20 px, so level 0 (stride 8), locations
        // within 1.5 * 8 = 12 px of the centre: x, y in {20, 28, 36, 44} -> 4 x 4 = 16.
        let big = assigner.assign(boxes: [(12, 12, 52, 52)])
        XCTAssertEqual(big.filter { $0 == 0 }.count, 16)
        XCTAssertTrue(big[64...].allSatisfy { $0 == -1 }, "only the stride-8 level regresses reach < 64")
        // A small box inside the big one wins its locations.
        let both = assigner.assign(boxes: [(12, 12, 52, 52), (26, 26, 38, 38)])
        let locs = assigner.locations
        for (k, owner) in both.enumerated() where owner == 1 {
            XCTAssertTrue(locs[k].x > 26 && locs[k].x < 38, "\(locs[k])")
        }
        XCTAssertGreaterThan(both.filter { $0 == 1 }.count, 0)
        // A 200 px box: each positive's reach, max(l, t, r, b), lies in its level's range.
        let wide = FCOSAssigner(size: 256)
        let large = wide.assign(boxes: [(28, 28, 228, 228)])
        let largeLocs = wide.locations
        let positives = large.indices.filter { large[$0] == 0 }
        XCTAssertEqual(Set(positives.map { largeLocs[$0].level }), [1, 2])
        for k in positives {
            let (x, y, level) = largeLocs[k]
            let reach = max(x - 28, y - 28, 228 - x, 228 - y)
            XCTAssertTrue(reach >= wide.levels[level].lower && reach < wide.levels[level].upper, "\(largeLocs[k]) reach \(reach)")
        }
    }

    func testClassificationSlotGradientsAgainstFiniteDifferences() throws {
        var rng = SeededGenerator(seed: 8)
        for (name, mode) in [("ce", Branch.softmax), ("cse-a-cls", .softmax), ("focal", .sigmoid), ("cse-b-cls", .sigmoid)] {
            let classes = 3, n = 5
            let slot = try ClassificationSlot(Expr.resolve(name, branch: mode), mode: mode, classes: classes)
            let labels: [Int32] = [0, -1, 2, -1, 1]
            let iou: [Float] = [0.8, 0, 0.5, 0, 0.9]
            var logits = (0..<(n * slot.width)).map { _ in Float.random(in: -2...2, using: &rng) }
            var gradient = [Float](repeating: 0, count: logits.count)
            let value = slot.evaluate(logits: logits, labels: labels, iou: iou, normalizer: 3, gradient: &gradient)!
            XCTAssertTrue(value.isFinite)
            for j in stride(from: 0, to: logits.count, by: 3) {
                let saved = logits[j]
                var scratch = gradient
                logits[j] = saved + 1e-2
                let up = slot.evaluate(logits: logits, labels: labels, iou: iou, normalizer: 3, gradient: &scratch)!
                logits[j] = saved - 1e-2
                let down = slot.evaluate(logits: logits, labels: labels, iou: iou, normalizer: 3, gradient: &scratch)!
                logits[j] = saved
                XCTAssertEqual(gradient[j], (up - down) / 2e-2, accuracy: 2e-3 + 0.02 * abs(gradient[j]), "\(name) logit \(j)")
            }
        }
    }

    func testRegressionSlotFormulaAndL1() throws {
        let positive = RegressionSlot.Positive(location: (50, 50), stride: 8, distances: (10, 10, 10, 10), target: (40, 40, 60, 60))
        var gradient: [Float] = []
        let giou = try RegressionSlot(.formula(Expr.resolve("giou", branch: .reg)))
        XCTAssertEqual(giou.evaluate([positive], normalizer: 1, gradient: &gradient)!, 0, accuracy: 1e-5)
        var shifted = positive
        shifted.distances = (14, 10, 6, 10)  // same size, 4 px to the left
        let value = giou.evaluate([shifted], normalizer: 2, gradient: &gradient)!
        // IoU = 16*20 / (2*400 - 320) = 2/3, enclosing = 24*20 = 480, union = 480: GIoU loss 1/3.
        XCTAssertEqual(value, (1.0 / 3) / 2, accuracy: 1e-5)
        XCTAssertGreaterThan(gradient[0], 0, "growing l moves the box further away")
        XCTAssertLessThan(gradient[2], 0)
        let l1 = try RegressionSlot(.l1)
        XCTAssertEqual(l1.evaluate([shifted], normalizer: 1, gradient: &gradient)!, 8.0 / 8, accuracy: 1e-6)
        XCTAssertEqual(gradient, [1.0 / 8, 0, -1.0 / 8, 0])
        let smooth = try RegressionSlot(.smoothL1(beta: 1))
        XCTAssertEqual(smooth.evaluate([shifted], normalizer: 1, gradient: &gradient)!, 2 * 0.5 * 0.25, accuracy: 1e-6)
    }

    /// The names the formula parser calls the detector's built-in regression losses are the
    /// ones a training takes as built-ins.
    func testBuiltinRegressionNamesAreTheSlotsBuiltins() throws {
        for name in KnownLoss.builtinRegressionNames {
            XCTAssertTrue(try RegressionSlot.Kind.resolve(name).isBuiltin, name)
        }
    }

    func testPostprocessKeepsTheBestPerClassAndSuppressesOverlaps() {
        let p = Postprocess()
        let boxes: [Postprocess.Candidate] = [
            .init(box: (0, 0, 10, 10), classIndex: 0, score: 0.9),
            .init(box: (1, 1, 11, 11), classIndex: 0, score: 0.8),  // IoU 0.68 with the first: gone
            .init(box: (1, 1, 11, 11), classIndex: 1, score: 0.7),  // other class: kept
            .init(box: (20, 20, 30, 30), classIndex: 0, score: 0.6),
        ]
        let kept = p.suppress(boxes)
        XCTAssertEqual(kept.map(\.score), [0.9, 0.7, 0.6])
        let assigner = FCOSAssigner(size: 32)
        var scores = [Float](repeating: 0, count: assigner.locationCount * 2)
        scores[0 * 2 + 1] = 0.95  // location 0 (4, 4), class 1
        scores[1 * 2 + 1] = 0.04  // below the threshold
        let distances = [Float](repeating: 2, count: assigner.locationCount * 4)
        let out = p.run(scores: scores, classes: 2, distances: distances, assigner: assigner)
        XCTAssertEqual(out, [.init(box: (2, 2, 6, 6), classIndex: 1, score: 0.95)])
    }
}
