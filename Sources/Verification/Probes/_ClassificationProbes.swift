import LossLanguage

/// The validity and fingerprint probes of the two classification branches.
enum ClassificationProbes {
    /// IoUs of the validity probes: the authors clamp the IoU at 1e-7, so that is the smallest.
    static let validityIoUs: [Double] = [1e-7, 0.1, 0.5, 0.9, 1]

    // MARK: Softmax

    /// Contexts (GT class, w): the first foreground class at every validity IoU, and a
    /// background row (the last class, w = 1). Per context, rows of logits: random, GT at +X and the others
    /// at -X, the reverse, all +X, all -X, random signs of X, all zero (X = `extremeLogit`).
    static func softmaxValidity(_ options: CPVOptions) -> ValidityProbe {
        var rng = ProbeRandom(seed: options.seed &+ 1)
        let c = options.classes, big = options.extremeLogit
        var contexts: [(target: Int, w: Double)] = []
        for w in validityIoUs { contexts.append((0, w)) }
        contexts.append((c - 1, 1))
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        var groups: [Range<Int>] = [], descriptions: [String] = []
        for (t, iou) in contexts {
            let first = w.count
            var patterns: [(String, [Double])] = []
            for k in 1...3 { patterns.append(("random logits #\(k)", (0..<c).map { _ in rng.bell(sd: 2) })) }
            let x0 = Format.number(big)
            patterns.append(("GT logit +\(x0), others -\(x0)", (0..<c).map { $0 == t ? big : -big }))
            patterns.append(("GT logit -\(x0), others +\(x0)", (0..<c).map { $0 == t ? -big : big }))
            patterns.append(("all logits +\(x0)", Array(repeating: big, count: c)))
            patterns.append(("all logits -\(x0)", Array(repeating: -big, count: c)))
            patterns.append(("logits of random sign ±\(x0)", (0..<c).map { _ in rng.index(2) == 0 ? big : -big }))
            patterns.append(("all logits 0", Array(repeating: 0, count: c)))
            let label = t == c - 1 ? "background row" : "GT class \(t)"
            for (name, logits) in patterns {
                x += logits
                y += (0..<c).map { $0 == t ? 1 : 0 }
                w.append(iou)
                descriptions.append("\(name), \(label), w = \(Format.number(iou))")
            }
            groups.append(first..<w.count)
        }
        let batch = ProbeBatch(rows: w.count, classes: c, inputs: [.x: x, .y: y, .w: w])
        return ValidityProbe(batch: batch, groups: groups, descriptions: descriptions)
    }

    /// Random rows: logits with standard deviation 2, labels uniform over the classes
    /// (background included), w uniform in [0.05, 1) on foreground rows and 1 on background.
    static func softmaxFingerprint(_ options: CPVOptions) -> ProbeBatch {
        var rng = ProbeRandom(seed: options.seed &+ 2)
        let c = options.classes, rows = options.fingerprintRows
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        for _ in 0..<rows {
            let t = rng.index(c)
            x += (0..<c).map { _ in rng.bell(sd: 2) }
            y += (0..<c).map { $0 == t ? 1 : 0 }
            w.append(t == c - 1 ? 1 : rng.uniform(0.05, 1))
        }
        return ProbeBatch(rows: rows, classes: c, inputs: [.x: x, .y: y, .w: w])
    }

    // MARK: Sigmoid

    /// Contexts: negatives (y = 0, w = 0) and positives (y = 1) at every validity IoU. Per
    /// context, logits -X, -10, -3, -1, -0.25, 0, 0.25, 1, 3, 10, X and two random ones.
    static func sigmoidValidity(_ options: CPVOptions) -> ValidityProbe {
        var rng = ProbeRandom(seed: options.seed &+ 3)
        let big = options.extremeLogit
        let fixed: [Double] = [-big, -10, -3, -1, -0.25, 0, 0.25, 1, 3, 10, big]
        var contexts: [(y: Double, w: Double)] = [(0, 0)]
        for iou in validityIoUs { contexts.append((1, iou)) }
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        var groups: [Range<Int>] = [], descriptions: [String] = []
        for (label, iou) in contexts {
            let first = x.count
            for logit in fixed + [rng.uniform(-5, 5), rng.uniform(-5, 5)] {
                x.append(logit)
                y.append(label)
                w.append(iou)
                let kind = label == 0 ? "y = 0 (a negative)" : "y = 1, w = \(Format.number(iou)) (a positive)"
                descriptions.append("x = \(Format.number(logit)), \(kind)")
            }
            groups.append(first..<x.count)
        }
        let batch = ProbeBatch(rows: x.count, classes: 1, inputs: [.x: x, .y: y, .w: w])
        return ValidityProbe(batch: batch, groups: groups, descriptions: descriptions)
    }

    /// Random elements: logits with standard deviation 3, a quarter of them positives with
    /// w uniform in [0.05, 1).
    static func sigmoidFingerprint(_ options: CPVOptions) -> ProbeBatch {
        var rng = ProbeRandom(seed: options.seed &+ 4)
        let rows = options.fingerprintRows
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        for _ in 0..<rows {
            let positive = rng.index(4) == 0
            x.append(rng.bell(sd: 3))
            y.append(positive ? 1 : 0)
            w.append(positive ? rng.uniform(0.05, 1) : 0)
        }
        return ProbeBatch(rows: rows, classes: 1, inputs: [.x: x, .y: y, .w: w])
    }
}

/// The softmax CPV probe: for each random vector of the other logits, and for each foreground
/// IoU and a background row, the GT logit swept over [-limit, limit].
struct SoftmaxSweep: Sendable {
    struct Sweep: Sendable {
        var firstRow: Int
        var target: Int
        var w: Double
        var isBackground: Bool

        var label: String {
            isBackground ? "a background row" : "w = \(Format.number(w)) (GT class \(target))"
        }
    }

    var batch: ProbeBatch
    var points: [Double]
    var sweeps: [Sweep]
    /// Checks look at the first sweep, then at all: most failing losses fail in the first.
    var stages: [(sweeps: Int, rows: Int)] { [(1, points.count), (sweeps.count, batch.rows)] }

    init(_ options: CPVOptions) {
        var rng = ProbeRandom(seed: options.seed &+ 5)
        let c = options.classes
        points = linspace(-options.sweepLimit, options.sweepLimit, options.softmaxSweepPoints)
        sweeps = []
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        for b in 0..<options.softmaxBaseVectors {
            let base = (0..<c).map { _ in rng.bell(sd: 2) }
            var conditions = options.softmaxIoUs.map { (target: b % (c - 1), w: $0, background: false) }
            conditions.append((target: c - 1, w: 1, background: true))
            for (t, iou, background) in conditions {
                sweeps.append(Sweep(firstRow: w.count, target: t, w: iou, isBackground: background))
                for p in points {
                    var logits = base
                    logits[t] = p
                    x += logits
                    y += (0..<c).map { $0 == t ? 1 : 0 }
                    w.append(iou)
                }
            }
        }
        batch = ProbeBatch(rows: w.count, classes: c, inputs: [.x: x, .y: y, .w: w])
    }
}

/// The sigmoid CPV probe: x swept over [-limit, limit] for negatives (y = 0, w = 0), then for
/// positives (y = 1) at w = 1 (the last of `sigmoidIoUs`), then at the other IoUs in order: the
/// cheaper checks read a prefix of the rows.
struct SigmoidSweep: Sendable {
    var batch: ProbeBatch
    var points: [Double]
    /// The first row of the negatives' sweep (0).
    var negativeRow: Int
    /// The positive sweeps in increasing w, with their first rows.
    var positives: [(w: Double, firstRow: Int)]
    /// The sweep at w = 1 (the last of `positives`), placed right after the negatives.
    var perfect: (w: Double, firstRow: Int) { positives.last! }

    init(_ options: CPVOptions) {
        points = linspace(-options.sweepLimit, options.sweepLimit, options.sigmoidSweepPoints)
        let n = points.count
        negativeRow = 0
        let ious = options.sigmoidIoUs
        let rowOrder = [ious.count - 1] + Array(0..<(ious.count - 1))
        var firstRows = [Int](repeating: 0, count: ious.count)
        for (position, k) in rowOrder.enumerated() { firstRows[k] = n * (position + 1) }
        positives = zip(ious, firstRows).map { ($0, $1) }
        var x = points, y = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
        for k in rowOrder {
            x += points
            y += Array(repeating: 1, count: n)
            w += Array(repeating: ious[k], count: n)
        }
        batch = ProbeBatch(rows: x.count, classes: 1, inputs: [.x: x, .y: y, .w: w])
    }
}
