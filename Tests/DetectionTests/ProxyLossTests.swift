import Detection
import LossLanguage
import TensorEngine
import XCTest
import _TestSupport

/// The batch loss: its layout (rows per image and location, gradients back into each level's
/// tensors), its gradients against finite differences, and its failure as data.
final class ProxyLossTests: XCTestCase {
    let assigner = FCOSAssigner(size: 64)
    let boxes: [[(Float, Float, Float, Float)]] = [
        [(Float(4), Float(6), Float(30), Float(40)), (Float(34), Float(10), Float(60), Float(22))],
        [(Float(10), Float(10), Float(54), Float(50))],
    ]
    let classes = [[0, 2], [1]]

    func outputs(k: Int, using rng: inout SeededGenerator) -> [ProxyNetwork.LevelOutput] {
        var levels: [ProxyNetwork.LevelOutput] = []
        for side in [8, 4, 2] {
            let logits: [Float] = (0..<(2 * k * side * side)).map { _ in Float(rng.uniform(-2, 2)) }
            let distances: [Float] = (0..<(2 * 4 * side * side)).map { _ in Float(rng.uniform(0.5, 3)) }
            levels.append(ProxyNetwork.LevelOutput(logits: Tensor(shape: [2, k, side, side], scalars: logits),
                                                   distances: Tensor(shape: [2, 4, side, side], scalars: distances)))
        }
        return levels
    }

    func loss(_ cls: String, _ reg: RegressionSlot.Kind, mode: Branch) throws -> ProxyLoss {
        ProxyLoss(classification: try ClassificationSlot(Expr.resolve(cls, branch: mode), mode: mode, classes: 3),
                  regression: try RegressionSlot(reg), assigner: assigner, regressionWeight: 2)
    }

    /// Classification losses without w, so that the total loss's derivative by a distance is the
    /// regression gradient alone (w is detached by design).
    func testGradientsAgainstFiniteDifferences() throws {
        let targets = zip(boxes, classes).map { ProxyTargets(boxes: $0, classes: $1, assigner: assigner) }
        XCTAssertGreaterThan(targets.map(\.positives).reduce(0, +), 10)
        for (seed, (cls, reg, mode)) in [("ce", RegressionSlot.Kind.formula(try Expr.resolve("giou", branch: .reg)), Branch.softmax),
                                         ("focal", .l1, .sigmoid)].enumerated() {
            var rng = SeededGenerator(seed: UInt64(seed))
            let slotLoss = try loss(cls, reg, mode: mode)
            let k = mode == .softmax ? 4 : 3
            var outs = outputs(k: k, using: &rng)
            guard case .success(let step) = slotLoss.evaluate(outs, targets: targets) else { return XCTFail("not finite") }
            XCTAssertEqual(step.positives, targets.map(\.positives).reduce(0, +))
            func total(_ o: [ProxyNetwork.LevelOutput]) -> Double {
                guard case .success(let s) = slotLoss.evaluate(o, targets: targets) else { return .nan }
                return Double(s.total)
            }
            for level in 0..<3 {
                for (isLogit, count) in [(true, outs[level].logits.count), (false, outs[level].distances.count)] {
                    for j in stride(from: level, to: count, by: 7) {
                        let h: Float = 1e-2
                        func value(_ delta: Float) -> Double {
                            var o = outs
                            if isLogit { o[level].logits.scalars[j] += delta } else { o[level].distances.scalars[j] += delta }
                            return total(o)
                        }
                        let numeric = (value(h) - value(-h)) / Double(2 * h)
                        let analytic = Double(isLogit ? step.gradients[level].logits.scalars[j] : step.gradients[level].distances.scalars[j])
                        XCTAssertTrue(isClose(analytic, numeric, relative: 0.03, absolute: 3e-3),
                                      "\(cls) level \(level) \(isLogit ? "logit" : "distance") \(j): \(analytic) vs \(numeric)")
                    }
                }
            }
            outs[0].distances.scalars[0] = .nan
            if case .success = slotLoss.evaluate(outs, targets: targets), targets[0].assignment[0] >= 0 {
                XCTFail("a NaN prediction at a positive must fail")
            }
        }
    }

    func testNonFiniteLossIsReportedWithItsSlot() throws {
        var rng = SeededGenerator(seed: 5)
        let targets = zip(boxes, classes).map { ProxyTargets(boxes: $0, classes: $1, assigner: assigner) }
        let bad = try loss("sqrt(x)", .l1, mode: .sigmoid)  // logits below zero: NaN
        XCTAssertEqual(bad.evaluate(outputs(k: 3, using: &rng), targets: targets).failure?.slot, "classification")
        let badBox = try loss("focal", .formula(Expr.resolve("sqrt(i - u)", branch: .reg)), mode: .sigmoid)
        XCTAssertEqual(badBox.evaluate(outputs(k: 3, using: &rng), targets: targets).failure?.slot, "regression")
    }

    func testFlippedTargetsMirrorTheBoxes() throws {
        let image = RGBImage(width: 64, height: 64)
        let dataset = DetectionDataset(
            images: [ImageRecord(id: 1, fileName: "a", width: 64, height: 64, annotations: [
                Annotation(id: 1, categoryID: 5, box: Box(x: 4, y: 6, width: 26, height: 34)),
                Annotation(id: 2, categoryID: 5, box: Box(x: 1, y: 1, width: 10, height: 10), isCrowd: true),
            ])],
            categories: [Category(id: 5, name: "five")])
        let set = try TrainingImages(dataset: dataset, size: 64) { _ in image }
        XCTAssertEqual(set.boxCount, 1, "crowd regions are not trained on")
        let plain = set.targets([0], flips: [false], assigner: assigner)[0]
        let flipped = set.targets([0], flips: [true], assigner: assigner)[0]
        XCTAssertTrue(plain.boxes[0] == (4, 6, 30, 40))
        XCTAssertTrue(flipped.boxes[0] == (34, 6, 60, 40))
        XCTAssertEqual(plain.positives, flipped.positives)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
