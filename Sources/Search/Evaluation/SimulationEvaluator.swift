import Foundation
import LossLanguage
import Detection

/// A seconds-fast stand-in for detector training: optimise free predictions with the loss and
/// measure how well they end up (the loss-rejection protocol of AutoLoss-Zero, Li et al. 2022).
///
/// - classification: a linear classifier over C classes (background last in softmax mode; one
///   positive class or none in sigmoid mode) on overlapping Gaussian class clusters with
///   long-tailed frequencies and a random IoU per positive, trained by gradient descent with the
///   candidate's gradient, scored on held-out samples by per-class average precision (COCO's
///   101-point interpolation), averaged over classes, in every slot of the 12 numbers.
/// - regression: boxes as free distances (l, t, r, b) from noisy starts; gradient descent with
///   the candidate through (i, u, e); scored by the fraction of boxes over each IoU threshold
///   .50:.05:.95, averaged (AP with a perfect ranking).
///
/// It measures optimisation, not generalisation; MOS on the detector measures the same property
/// on real data. Deterministic for a seed.
public struct SimulationEvaluator: CandidateEvaluator {
    /// Samples of the simulated task.
    public var samples = 256
    /// Its classes.
    public var classes = 8
    /// Its features per sample.
    public var features = 8
    /// Spread of the class centres against unit noise: small enough that classes overlap.
    public var separation: Float = 1.2
    /// Gradient steps per stage.
    public var steps: [TrainingStage: Int] = [.mos: 60, .proxy: 200]
    /// The simulated training's learning rate.
    public var learningRate = 0.5

    /// The default simulation.
    public init() {}

    public func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
        let (pair, searched, stage, seed) = (request.pair, request.searched, request.stage, request.seed)
        let start = Date()
        var rng = SplitMix64(seed: seed &+ (stage == .mos ? 11 : 23))
        let score: Double?
        if searched == .reg {
            guard let formula = pair.regressionFormula else {
                return EvaluationResult(status: .failed, seconds: 0, reason: "the simulation trains formulas of (i, u, e), not the built-in \(pair.regression.name)")
            }
            score = regression(formula, steps: steps[stage]!, using: &rng)
        } else {
            score = classification(pair.classification, mode: pair.mode, steps: steps[stage]!, using: &rng)
        }
        let seconds = Date().timeIntervalSince(start)
        guard let score else { return EvaluationResult(status: .diverged, seconds: seconds, reason: "loss or gradient went non-finite") }
        return EvaluationResult(status: .ok, stats: [Double](repeating: score, count: 12), seconds: seconds)
    }

    /// A linear classifier on overlapping class clusters, trained with the candidate's gradient
    /// on one half of the samples and scored on the other: free logits would be separable by any
    /// sane loss, a shared model is not.
    func classification(_ loss: Expr, mode: Branch, steps: Int, using rng: inout SplitMix64) -> Double? {
        guard let compiled = try? CompiledLoss<Float>(loss, branch: mode, gradientsFor: [.x]) else { return nil }
        let width = mode == .softmax ? classes + 1 : classes
        let d = features
        // Class centres; background around the origin, wider. Long-tailed labels, a third background.
        let centres = (0..<classes).map { _ in (0..<d).map { _ in Float.random(in: -1...1, using: &rng) * separation } }
        func draw(_ n: Int) -> (features: [Float], labels: [Int], iou: [Float]) {
            var f = [Float](), labels = [Int](), iou = [Float]()
            for _ in 0..<n {
                let label = Int.random(in: 0..<3, using: &rng) == 0 ? -1
                    : min(classes - 1, Int(Double(classes) * pow(Double.random(in: 0..<1, using: &rng), 2)))
                let spread: Float = label < 0 ? 1.5 : 1
                for k in 0..<d { f.append((label < 0 ? 0 : centres[label][k]) + spread * gaussian(&rng)) }
                labels.append(label)
                iou.append(Float.random(in: 0.3...1, using: &rng))
            }
            return (f, labels, iou)
        }
        let train = draw(samples), val = draw(samples)
        var weights = [Float](repeating: 0, count: width * (d + 1))
        var x = [Float](repeating: 0, count: samples * width), gradient = x
        var y = [Float](repeating: 0, count: samples * width)
        var w = [Float](repeating: mode == .softmax ? 1 : 0, count: mode == .softmax ? samples : samples * width)
        for r in 0..<samples {
            let label = train.labels[r]
            if mode == .softmax {
                y[r * width + (label >= 0 ? label : classes)] = 1
                if label >= 0 { w[r] = train.iou[r] }
            } else if label >= 0 {
                y[r * width + label] = 1
                w[r * width + label] = train.iou[r]
            }
        }
        let rows = mode == .softmax ? samples : samples * width
        let columns = mode == .softmax ? width : 1
        var values = [Float](repeating: 0, count: rows)
        for _ in 0..<steps {
            logits(weights, train.features, width: width, into: &x)
            let bad = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
                gradient.withUnsafeMutableBufferPointer { gp in
                    compiled.run(rows: rows, classes: columns, inputs: [.x: xp.baseAddress!, .y: yp.baseAddress!, .w: wp.baseAddress!],
                                 values: &values, gradients: [.x: gp.baseAddress!])
                }
            } } }
            if bad > 0 { return nil }
            // dW[c] = mean over samples of g[r, c] * [features, 1].
            let scale = Float(learningRate) / Float(samples)
            for c in 0..<width {
                for r in 0..<samples {
                    let g = gradient[r * width + c] * scale
                    if g == 0 { continue }
                    for k in 0..<d { weights[c * (d + 1) + k] -= g * train.features[r * d + k] }
                    weights[c * (d + 1) + d] -= g
                }
            }
            guard weights.allSatisfy(\.isFinite) else { return nil }
        }
        logits(weights, val.features, width: width, into: &x)
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
        for c in 0..<classes where val.labels.contains(c) {
            let order = (0..<samples).sorted { scores[$0 * classes + c] > scores[$1 * classes + c] || (scores[$0 * classes + c] == scores[$1 * classes + c] && $0 < $1) }
            aps.append(Self.averagePrecision(order.map { val.labels[$0] == c }, positives: val.labels.filter { $0 == c }.count))
        }
        return aps.reduce(0, +) / Double(max(1, aps.count))
    }

    func logits(_ weights: [Float], _ features: [Float], width: Int, into x: inout [Float]) {
        let d = features.count / samples
        for r in 0..<samples {
            for c in 0..<width {
                var v = weights[c * (d + 1) + d]
                for k in 0..<d { v += weights[c * (d + 1) + k] * features[r * d + k] }
                x[r * width + c] = v
            }
        }
    }

    func gaussian(_ rng: inout SplitMix64) -> Float {
        let u = Float.random(in: Float.ulpOfOne..<1, using: &rng), v = Float.random(in: 0..<1, using: &rng)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
    }

    /// Free boxes, each as distances (l, t, r, b) from a location near its GT's centre (the
    /// detector's parametrisation), trained by gradient descent with the candidate through
    /// (i, u, e): LossLanguage's `BoxPair` and the compiled evaluator, no detector.
    func regression(_ loss: Expr, steps: Int, using rng: inout SplitMix64) -> Double? {
        guard let compiled = try? CompiledLoss<Float>(loss, branch: .reg, gradientsFor: [.i, .u, .e]) else { return nil }
        typealias Distances = (l: Float, t: Float, r: Float, b: Float)
        var boxes: [(location: (x: Float, y: Float), distances: Distances, target: (Float, Float, Float, Float))] = []
        for _ in 0..<samples {
            let size = Float.random(in: 16...160, using: &rng)
            let x0 = Float.random(in: 0...100, using: &rng), y0 = Float.random(in: 0...100, using: &rng)
            let target = (x0, y0, x0 + size * Float.random(in: 0.5...1.5, using: &rng), y0 + size)
            let location = (x: (target.0 + target.2) / 2 + Float.random(in: -4...4, using: &rng),
                            y: (target.1 + target.3) / 2 + Float.random(in: -4...4, using: &rng))
            // Start from a box of a random size near the location: often not overlapping at all.
            let d = (Float.random(in: 1...80, using: &rng), Float.random(in: 1...80, using: &rng),
                     Float.random(in: 1...80, using: &rng), Float.random(in: 1...80, using: &rng))
            boxes.append((location, d, target))
        }
        func pairs() -> [BoxPair<Float>] { boxes.map { BoxPair(location: $0.location, distances: $0.distances, target: $0.target) } }
        // Distances live in pixels: steps scale with the box, as a detector's log-space head would.
        for _ in 0..<steps {
            let current = pairs()
            let inputs = current.map(\.inputs)
            let batch = LossBatch(rows: boxes.count, inputs: [.i: inputs.map(\.i), .u: inputs.map(\.u), .e: inputs.map(\.e)])
            guard let r = try? compiled.evaluate(batch), r.isFinite, r.values.reduce(0, +).isFinite,
                  let gi = r.gradients[.i], let gu = r.gradients[.u], let ge = r.gradients[.e] else { return nil }
            for k in boxes.indices {
                let g = current[k].distanceGradient(di: gi[k], du: gu[k], de: ge[k])
                let scale = Float(learningRate) * 400
                var d = boxes[k].distances
                d.l = max(0.1, d.l - scale * g.l); d.t = max(0.1, d.t - scale * g.t)
                d.r = max(0.1, d.r - scale * g.r); d.b = max(0.1, d.b - scale * g.b)
                guard d.l.isFinite, d.t.isFinite, d.r.isFinite, d.b.isFinite else { return nil }
                boxes[k].distances = d
            }
        }
        let ious = pairs().map { Double($0.iou) }
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
