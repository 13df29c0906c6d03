import Foundation
import LossLanguage
import XCTest
@testable import Detection

/// DIoU and CIoU as torchvision defines them (`distance_box_iou_loss`, `complete_box_iou_loss`,
/// float64 with autograd: values and gradients), and inside the detector's regression slot.
final class BoxDistanceLossTests: XCTestCase {
    /// Box pairs: overlapping, nested, disjoint, far apart, thin.
    static let pairs: [([Double], [Double])] = {
        var rng = SplitMix64(seed: 1808)
        var pairs: [([Double], [Double])] = [([10, 10, 50, 40], [12, 8, 48, 44]), ([0, 0, 100, 100], [40, 40, 60, 60]),
                                             ([0, 0, 10, 10], [30, 30, 40, 60]), ([0, 0, 2, 90], [5, 5, 85, 9])]
        func box() -> [Double] {
            let x = rng.uniform(0, 200), y = rng.uniform(0, 200)
            return [x, y, x + rng.uniform(1, 120), y + rng.uniform(1, 120)]
        }
        for _ in 0..<40 { pairs.append((box(), box())) }
        return pairs
    }()

    func testValuesAndGradientsAreTorchvisions() throws {
        let script = """
            import json, sys, torch
            from torchvision.ops import complete_box_iou_loss, distance_box_iou_loss
            pairs = json.loads(sys.argv[1])
            out = {}
            for name, f in [("diou", distance_box_iou_loss), ("ciou", complete_box_iou_loss)]:
                p = torch.tensor([a for a, b in pairs], dtype=torch.float64, requires_grad=True)
                g = torch.tensor([b for a, b in pairs], dtype=torch.float64)
                loss = f(p, g, reduction="none")
                loss.sum().backward()
                out[name] = {"values": loss.tolist(), "gradients": p.grad.tolist()}
            print(json.dumps(out))
            """
        let pairs = Self.pairs.map { [$0.0, $0.1] }
        let text = try OraclePython.run(script, [String(decoding: try JSONSerialization.data(withJSONObject: pairs), as: UTF8.self)])
        let oracle = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: Any]])
        for loss in BoxDistanceLoss.allCases {
            let values = try XCTUnwrap(oracle[loss.rawValue]?["values"] as? [Double])
            let gradients = try XCTUnwrap(oracle[loss.rawValue]?["gradients"] as? [[Double]])
            for (k, (p, g)) in Self.pairs.enumerated() {
                let r = loss.valueAndGradient(predicted: (p[0], p[1], p[2], p[3]), truth: (g[0], g[1], g[2], g[3]))
                XCTAssertEqual(r.value, values[k], accuracy: 1e-12 * max(1, abs(values[k])), "\(loss) pair \(k)")
                for c in 0..<4 {
                    XCTAssertEqual(r.gradient[c], gradients[k][c], accuracy: 1e-9 * max(1, abs(gradients[k][c])), "\(loss) pair \(k) corner \(c)")
                }
            }
        }
    }

    /// In the regression slot: the mean over positives, and its gradient into the distances
    /// (l, t, r, b) from the corners' (x1 = x - l, ...), checked against finite differences of
    /// the slot's own value (DIoU: α of CIoU is a constant in the gradient by definition).
    func testTheSlotTrainsDistancesWithDIoU() throws {
        let slot = try RegressionSlot(.boxDistance(.diou))
        let positive = RegressionSlot.Positive(location: (40, 40), stride: 8, distances: (20, 15, 25, 30), target: (15, 20, 70, 75))
        var gradient: [Float] = []
        let value = try XCTUnwrap(slot.evaluate([positive, positive], normalizer: 2, gradient: &gradient))
        let p = positive.pair.predicted
        let direct = BoxDistanceLoss.diou.valueAndGradient(predicted: (Double(p.x1), Double(p.y1), Double(p.x2), Double(p.y2)), truth: (15, 20, 70, 75))
        XCTAssertEqual(Double(value), direct.value, accuracy: 1e-6)
        for side in 0..<4 {
            var moved = positive
            let h: Float = 0.01
            switch side {
            case 0: moved.distances.l += h
            case 1: moved.distances.t += h
            case 2: moved.distances.r += h
            default: moved.distances.b += h
            }
            var unused: [Float] = []
            let up = try XCTUnwrap(slot.evaluate([moved, positive], normalizer: 2, gradient: &unused))
            XCTAssertEqual(gradient[side], (up - value) / h, accuracy: 2e-3, "side \(side)")
        }
        XCTAssertEqual(RegressionSlot.Kind.boxDistance(.ciou).name, "ciou")
        XCTAssertEqual(try RegressionSlot.Kind.resolve("DIoU").name, "diou")
    }
}
