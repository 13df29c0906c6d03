import LossLanguage

/// The inputs of the export parity test, per branch: ordinary rows and the extremes the
/// verifier's probes use (logits ±30, IoU 1e-7, background rows, disjoint and 800 px boxes).
enum ParityInputs {
    static func batch(_ branch: Branch) -> LossBatch<Double> {
        var rng = SplitMix64(seed: 1404)
        switch branch {
        case .softmax:
            let classes = 5
            var x: [Double] = [], y: [Double] = [], w: [Double] = []
            func row(_ logits: [Double], _ label: Int, _ iou: Double) {
                x += logits
                y += (0..<classes).map { $0 == label ? 1 : 0 }
                w.append(label == classes - 1 ? 1 : iou)
            }
            for r in 0..<10 { row((0..<classes).map { _ in rng.uniform(-4, 4) }, r % classes, rng.uniform(0.1, 1)) }
            row([30, -30, 0, 0, 0], 0, 0.9)
            row([-30, 30, 0, 0, 0], 0, 0.5)
            row([30, 30, 30, 30, 30], 4, 1)
            row([-30, -30, -30, -30, 30], 4, 1)
            row([-30, -30, -30, -30, 30], 2, 1e-7)
            row([0, 0, 0, 0, 0], 2, 0.5)
            row([10, -10, 5, -5, 0], 1, 1)
            return LossBatch(rows: w.count, classes: classes, inputs: [.x: x, .y: y, .w: w])
        case .sigmoid:
            var x: [Double] = [], y: [Double] = [], w: [Double] = []
            let logits: [Double] = [-30, -10, -4, -1.5, -0.3, 0, 0.3, 1.5, 4, 10, 30]
            let ious: [Double] = [1e-7, 0.1, 0.5, 0.9, 1]
            for (k, v) in logits.enumerated() {
                x += [v, v]
                y += [0, 1]
                w += [0, ious[k % ious.count]]
            }
            for _ in 0..<8 {
                let positive = rng.unit() < 0.5
                x.append(rng.uniform(-6, 6))
                y.append(positive ? 1 : 0)
                w.append(positive ? rng.uniform(0.05, 1) : 0)
            }
            return LossBatch(rows: x.count, inputs: [.x: x, .y: y, .w: w])
        case .reg:
            var i: [Double] = [], u: [Double] = [], e: [Double] = []
            func pair(_ p: [Double], _ t: [Double]) {
                let iw = max(0, min(p[2], t[2]) - max(p[0], t[0])), ih = max(0, min(p[3], t[3]) - max(p[1], t[1]))
                let inter = iw * ih
                let area = { (b: [Double]) in (b[2] - b[0]) * (b[3] - b[1]) }
                let ew = max(p[2], t[2]) - min(p[0], t[0]), eh = max(p[3], t[3]) - min(p[1], t[1])
                i.append(inter)
                u.append(area(p) + area(t) - inter + 1e-7)
                e.append(ew * eh + 1e-7)
            }
            for s in [16.0, 128, 800] {
                let t = [s, s, 2 * s, 1.5 * s]
                pair(t, t)
                for shift in [0.05, 0.3, 0.7, 1.5, 6] { pair(t.map { $0 + shift * s }, t) }
                pair([s * 1.1, s * 1.1, s * 1.6, s * 1.3], t)
                pair([0, 0, 3 * s, 3 * s], t)
                pair([s, s, s + rng.uniform(1, s), s + rng.uniform(1, s)], t)
            }
            return LossBatch(rows: i.count, inputs: [.i: i, .u: u, .e: e])
        }
    }
}

/// Compares the evaluator's numbers with the export's and keeps the disagreements, worded.
///
/// Where both are finite and differ by more than rtol, an entry is still accepted when the
/// difference is within 1024 ulps of its magnitude (`GradientMagnitude`: for a gradient the sum
/// of its path terms' absolute values, for a value the sum of |input| times those): it is then a
/// difference of far larger terms, determined by neither side to rtol (w/w at w = 1e-7); such
/// entries are counted and reported.
struct ParityComparison {
    static let ulps = 1024.0
    var finite = 0
    var illConditioned = 0
    var bothNonFinite = 0
    var mismatches: [String] = []

    /// Indices where the two disagree before conditioning is considered.
    static func disagreements(_ ours: [Double], _ theirs: [Double], rtol: Double) -> [Int] {
        ours.indices.filter { k in
            let (a, b) = (ours[k], theirs[k])
            if !a.isFinite || !b.isFinite { return a.isFinite || b.isFinite }
            return abs(a - b) > rtol * max(abs(a), abs(b))
        }
    }

    /// `magnitude(k)`: entry k's cancellation scale, asked for only where the two disagree.
    mutating func compare(_ ours: [Double], _ theirs: [Double], rtol: Double, magnitude: (Int) throws -> Double, label: String) rethrows {
        let bad = Set(Self.disagreements(ours, theirs, rtol: rtol))
        for (k, (a, b)) in zip(ours, theirs).enumerated() {
            if !bad.contains(k) {
                if a.isFinite { finite += 1 } else { bothNonFinite += 1 }
                continue
            }
            let scale = a.isFinite && b.isFinite ? try magnitude(k) : 0
            if abs(a - b) <= Self.ulps * Double.ulpOfOne * scale {
                illConditioned += 1
            } else {
                mismatches.append("\(label) [\(k)]: evaluator \(a), export \(b) (magnitude of its terms \(scale))")
            }
        }
    }
}
