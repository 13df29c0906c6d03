import Foundation
import LossLanguage
import Detection

/// A seconds-fast stand-in for detector training: optimise free predictions with the loss and
/// measure how well they end up (the loss-rejection protocol of AutoLoss-Zero, Li et al. 2022).
///
/// - classification: logits of `samples` rows over C classes (background last in softmax mode;
///   one positive class or none in sigmoid mode), labels drawn with a long-tailed frequency and a
///   random IoU per positive; plain gradient descent on the logits with the candidate's gradient;
///   scored by per-class average precision of the final scores (COCO's 101-point interpolation),
///   averaged over classes, in every slot of the 12 numbers.
/// - regression: boxes as free distances (l, t, r, b) from noisy starts; gradient descent with
///   the candidate through (i, u, e); scored by the fraction of boxes over each IoU threshold
///   .50:.05:.95, averaged (AP with a perfect ranking).
///
/// It measures optimisation, not generalisation; MOS on the detector measures the same property
/// on real data. Deterministic for a seed.
public struct SimulationEvaluator: CandidateEvaluator {
    public var samples = 256
    public var classes = 8
    public var steps: [TrainingStage: Int] = [.mos: 60, .proxy: 200]
    public var learningRate = 0.5

    public init() {}

    public func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64) -> EvaluationResult {
        let start = Date()
        var rng = SplitMix64(seed: seed &+ (stage == .mos ? 11 : 23))
        let score: Double?
        if searched == .reg {
            score = regression(pair.regression, steps: steps[stage]!, using: &rng)
        } else {
            score = classification(pair.classification, mode: pair.mode, steps: steps[stage]!, using: &rng)
        }
        let seconds = Date().timeIntervalSince(start)
        guard let score else { return EvaluationResult(status: .diverged, seconds: seconds, reason: "loss or gradient went non-finite") }
        return EvaluationResult(status: .ok, stats: [Double](repeating: score, count: 12), seconds: seconds)
    }

    func classification(_ loss: Expr, mode: Branch, steps: Int, using rng: inout SplitMix64) -> Double? {
        guard let compiled = try? CompiledLoss<Float>(loss, branch: mode, gradientsFor: [.x]) else { return nil }
        let width = mode == .softmax ? classes + 1 : classes
        // Long-tailed labels; a third of the rows are background.
        var labels = [Int](repeating: -1, count: samples)
        for r in 0..<samples where Int.random(in: 0..<3, using: &rng) != 0 {
            labels[r] = min(classes - 1, Int(Double(classes) * pow(Double.random(in: 0..<1, using: &rng), 2)))
        }
        var x = (0..<(samples * width)).map { _ in Float.random(in: -1...1, using: &rng) }
        var y = [Float](repeating: 0, count: samples * width)
        var w = [Float](repeating: mode == .softmax ? 1 : 0, count: mode == .softmax ? samples : samples * width)
        for r in 0..<samples {
            let label = labels[r]
            let iou = Float.random(in: 0.3...1, using: &rng)
            if mode == .softmax {
                y[r * width + (label >= 0 ? label : classes)] = 1
                if label >= 0 { w[r] = iou }
            } else if label >= 0 {
                y[r * width + label] = 1
                w[r * width + label] = iou
            }
        }
        let rows = mode == .softmax ? samples : samples * width
        let columns = mode == .softmax ? width : 1
        var values = [Float](repeating: 0, count: rows), gradient = [Float](repeating: 0, count: samples * width)
        for _ in 0..<steps {
            let bad = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
                gradient.withUnsafeMutableBufferPointer { gp in
                    compiled.run(rows: rows, classes: columns, inputs: [.x: xp.baseAddress!, .y: yp.baseAddress!, .w: wp.baseAddress!],
                                 values: &values, gradients: [.x: gp.baseAddress!])
                }
            } } }
            if bad > 0 { return nil }
            for k in x.indices { x[k] -= Float(learningRate) * gradient[k] }
        }
        // Scores per class: softmax probabilities, or sigmoids.
        var scores = [Double](repeating: 0, count: samples * classes)
        for r in 0..<samples {
            if mode == .softmax {
                let row = (0..<width).map { Double(x[r * width + $0]) }
                let m = row.max()!
                let z = row.map { Foundation.exp($0 - m) }.reduce(0, +)
                for c in 0..<classes { scores[r * classes + c] = Foundation.exp(row[c] - m) / z }
            } else {
                for c in 0..<classes { scores[r * classes + c] = 1 / (1 + Foundation.exp(-Double(x[r * width + c]))) }
            }
        }
        guard scores.allSatisfy(\.isFinite) else { return nil }
        var aps: [Double] = []
        for c in 0..<classes where labels.contains(c) {
            let order = (0..<samples).sorted { scores[$0 * classes + c] > scores[$1 * classes + c] || (scores[$0 * classes + c] == scores[$1 * classes + c] && $0 < $1) }
            aps.append(Self.averagePrecision(order.map { labels[$0] == c }, positives: labels.filter { $0 == c }.count))
        }
        return aps.reduce(0, +) / Double(max(1, aps.count))
    }

    func regression(_ loss: Expr, steps: Int, using rng: inout SplitMix64) -> Double? {
        guard let slot = try? RegressionSlot(.formula(loss)) else { return nil }
        var positives: [RegressionSlot.Positive] = []
        for _ in 0..<samples {
            let size = Float.random(in: 16...160, using: &rng)
            let x0 = Float.random(in: 0...100, using: &rng), y0 = Float.random(in: 0...100, using: &rng)
            let target = (x0, y0, x0 + size * Float.random(in: 0.5...1.5, using: &rng), y0 + size)
            let location = (x: (target.0 + target.2) / 2 + Float.random(in: -4...4, using: &rng),
                            y: (target.1 + target.3) / 2 + Float.random(in: -4...4, using: &rng))
            // Start from a box of a random size near the location: often not overlapping at all.
            let d = (Float.random(in: 1...80, using: &rng), Float.random(in: 1...80, using: &rng),
                     Float.random(in: 1...80, using: &rng), Float.random(in: 1...80, using: &rng))
            positives.append(RegressionSlot.Positive(location: location, stride: 8, distances: d, target: target))
        }
        var gradient: [Float] = []
        // Distances live in pixels: steps scale with the box, as a detector's log-space head would.
        for _ in 0..<steps {
            guard slot.evaluate(positives, normalizer: 1, gradient: &gradient) != nil else { return nil }
            for k in positives.indices {
                let scale = Float(learningRate) * 400
                var d = positives[k].distances
                d.l = max(0.1, d.l - scale * gradient[4 * k]); d.t = max(0.1, d.t - scale * gradient[4 * k + 1])
                d.r = max(0.1, d.r - scale * gradient[4 * k + 2]); d.b = max(0.1, d.b - scale * gradient[4 * k + 3])
                guard d.l.isFinite, d.t.isFinite, d.r.isFinite, d.b.isFinite else { return nil }
                positives[k].distances = d
            }
        }
        let ious = positives.map { Double(BoxPair(location: $0.location, distances: $0.distances, target: $0.target).iou) }
        let thresholds = stride(from: 0.5, through: 0.951, by: 0.05)
        let share = thresholds.map { t in Double(ious.filter { $0 >= t }.count) / Double(ious.count) }
        return share.reduce(0, +) / Double(share.count)
    }

    /// COCO-style 101-point interpolated AP of a ranked list of hits.
    static func averagePrecision(_ hits: [Bool], positives: Int) -> Double {
        guard positives > 0 else { return 0 }
        var tp = 0.0
        var precision: [Double] = [], recall: [Double] = []
        for (k, hit) in hits.enumerated() {
            if hit { tp += 1 }
            precision.append(tp / Double(k + 1))
            recall.append(tp / Double(positives))
        }
        for k in stride(from: precision.count - 2, through: 0, by: -1) { precision[k] = max(precision[k], precision[k + 1]) }
        var total = 0.0
        var j = 0
        for r in 0...100 {
            let threshold = Double(r) / 100
            while j < recall.count && recall[j] < threshold { j += 1 }
            total += j < precision.count ? precision[j] : 0
        }
        return total / 101
    }
}
