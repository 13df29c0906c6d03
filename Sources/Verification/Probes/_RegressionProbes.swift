import Foundation
import LossLanguage

/// The validity and fingerprint probes of the regression branch.
enum RegressionProbes {
    /// Per scale s (a GT of s x 0.75 s): identical boxes, far apart, touching, nested both ways,
    /// half overlapping, a 1 px box inside and far outside, a box 20 times larger around the GT;
    /// then 1 px boxes (identical, apart) and 8000 px boxes (identical, shifted).
    static func validity(_ options: CPVOptions) -> ValidityProbe {
        var pairs: [BoxPair<Double>] = [], descriptions: [String] = []
        func add(_ p: Box, _ t: Box, _ what: String) {
            pairs.append(BoxPair(predicted: p, truth: t))
            descriptions.append(what)
        }
        for s in options.boxScales {
            let gt = Box(centerX: 3 * s, centerY: 2 * s, width: s, height: 0.75 * s)
            let at = "at \(Format.number(s)) px"
            func moved(_ dx: Double, _ dy: Double, _ f: Double = 1) -> Box {
                Box(centerX: gt.centerX + dx, centerY: gt.centerY + dy, width: gt.width * f, height: gt.height * f)
            }
            add(gt, gt, "identical boxes \(at)")
            add(moved(10 * s, 7 * s), gt, "non-overlapping boxes far apart \(at)")
            add(moved(s, 0), gt, "touching boxes \(at)")
            add(moved(0, 0, 0.5), gt, "a box inside its GT \(at)")
            add(moved(0, 0, 2), gt, "a box around its GT \(at)")
            add(moved(0.5 * s, 0.2 * s), gt, "half-overlapping boxes \(at)")
            add(Box(centerX: gt.centerX, centerY: gt.centerY, width: 1, height: 1), gt, "a 1 px box inside a GT \(at)")
            add(Box(centerX: gt.centerX + 5 * s, centerY: gt.centerY, width: 1, height: 1), gt, "a 1 px box far from a GT \(at)")
            add(moved(0, 0, 20), gt, "a box 20 times larger around a GT \(at)")
        }
        let tiny = Box(centerX: 5, centerY: 5, width: 1, height: 1)
        add(tiny, tiny, "identical 1 px boxes")
        add(Box(centerX: 9, centerY: 5, width: 1, height: 1), tiny, "non-overlapping 1 px boxes")
        let huge = Box(centerX: 4000, centerY: 4000, width: 8000, height: 8000)
        add(huge, huge, "identical 8000 px boxes")
        add(Box(centerX: 6000, centerY: 4000, width: 8000, height: 8000), huge, "shifted 8000 px boxes")
        let batch = ProbeBatch(rows: pairs.count, classes: 1, inputs: regressionInputs(pairs))
        // Every input is the prediction's here: one group, in which the loss must vary.
        return ValidityProbe(batch: batch, groups: [0..<pairs.count], descriptions: descriptions)
    }

    /// Random pairs: a scale from `boxScales`, GT sides from 0.5 to 1.5 times it, the predicted
    /// box shifted by up to 1.2 GT sizes and scaled by 0.5 to 2 per side.
    static func fingerprint(_ options: CPVOptions) -> ProbeBatch {
        var rng = ProbeRandom(seed: options.seed &+ 6)
        var pairs: [BoxPair<Double>] = []
        for _ in 0..<options.fingerprintRows {
            let s = options.boxScales[rng.index(options.boxScales.count)]
            let gt = Box(centerX: rng.uniform(0, 4 * s), centerY: rng.uniform(0, 4 * s),
                         width: s * rng.uniform(0.5, 1.5), height: s * rng.uniform(0.5, 1.5))
            let p = Box(centerX: gt.centerX + gt.width * rng.uniform(-1.2, 1.2), centerY: gt.centerY + gt.height * rng.uniform(-1.2, 1.2),
                        width: gt.width * rng.uniform(0.5, 2), height: gt.height * rng.uniform(0.5, 2))
            pairs.append(BoxPair(predicted: p, truth: gt))
        }
        return ProbeBatch(rows: pairs.count, classes: 1, inputs: regressionInputs(pairs))
    }
}

/// The regression CPV probe (distance-loss consistency), per scale: GT boxes, each with its
/// perfect match and predicted boxes in every IoU bin (exactly 0, then tenths); and paths that
/// move a box from far away onto its GT while its size converges to the GT's.
struct RegressionProbe: Sendable {
    struct Path: Sendable {
        var scale: Double
        var rows: Range<Int>
        var sizeFactor: Double
    }

    var batch: ProbeBatch
    var pairs: [BoxPair<Double>]
    var scales: [Double]
    /// Per scale, the rows of the ranking pairs (perfect matches included).
    var rankRows: [[Int]]
    /// For every row, the row of its GT's perfect match.
    var perfectRow: [Int]
    var paths: [Path]
    /// The rows whose boxes do not overlap.
    var nonOverlapRows: [Int]

    init(_ options: CPVOptions) {
        var rng = ProbeRandom(seed: options.seed &+ 7)
        scales = options.boxScales
        pairs = []
        perfectRow = []
        rankRows = []
        paths = []
        var truths: [[Box]] = []
        for s in scales {
            var rows: [Int] = []
            var gts: [Box] = []
            for _ in 0..<options.groundTruthsPerScale {
                let gt = Box(centerX: rng.uniform(0, 4 * s), centerY: rng.uniform(0, 4 * s),
                             width: s * rng.uniform(0.6, 1.4), height: s * rng.uniform(0.6, 1.4))
                gts.append(gt)
                let perfect = pairs.count
                rows.append(perfect)
                pairs.append(BoxPair(predicted: gt, truth: gt))
                perfectRow.append(perfect)
                for bin in 0...10 {
                    for _ in 0..<options.pairsPerIoUBin {
                        rows.append(pairs.count)
                        pairs.append(BoxPair(predicted: Self.predicted(for: gt, bin: bin, using: &rng), truth: gt))
                        perfectRow.append(perfect)
                    }
                }
            }
            rankRows.append(rows)
            truths.append(gts)
        }
        let factors: [Double] = [1, 0.5, 2, 0.7, 1.5]
        for (k, s) in scales.enumerated() {
            for p in 0..<options.pathsPerScale {
                let gt = truths[k][p % truths[k].count]
                let angle = 2 * Double.pi * (Double(p) + 0.25) / Double(options.pathsPerScale)
                let f = factors[p % factors.count]
                let reach = 5 * max(gt.width, gt.height)
                let first = pairs.count
                let perfect = pairs.count + options.pathPoints - 1
                for t in linspace(0, 1, options.pathPoints) {
                    let g = pow(f, 1 - t)
                    let box = t == 1 ? gt : Box(centerX: gt.centerX + (1 - t) * reach * cos(angle), centerY: gt.centerY + (1 - t) * reach * sin(angle),
                                                width: gt.width * g, height: gt.height * g)
                    pairs.append(BoxPair(predicted: box, truth: gt))
                    perfectRow.append(perfect)
                }
                paths.append(Path(scale: s, rows: first..<pairs.count, sizeFactor: f))
            }
        }
        let all = pairs
        nonOverlapRows = all.indices.filter { all[$0].intersection == 0 }
        batch = ProbeBatch(rows: all.count, classes: 1, inputs: regressionInputs(all))
    }

    /// A predicted box whose IoU with `gt` is exactly 0 (bin 0) or in (bin - 1, bin] tenths,
    /// found by seeded rejection sampling over shifts and side scalings.
    static func predicted(for gt: Box, bin: Int, using rng: inout ProbeRandom) -> Box {
        let low = bin == 0 ? 0 : Double(bin - 1) / 10, high = Double(bin) / 10
        for _ in 0..<100_000 {
            if bin == 0 {
                // Outside the GT along x or y, at a random distance, any size.
                let w = gt.width * rng.uniform(0.3, 2.5), h = gt.height * rng.uniform(0.3, 2.5)
                let gap = rng.uniform(0.05, 3) * max(gt.width, gt.height)
                let side = rng.index(4)
                let dx = (gt.width + w) / 2 + gap, dy = (gt.height + h) / 2 + gap
                let cx = gt.centerX + (side == 0 ? dx : side == 1 ? -dx : rng.uniform(-dx, dx))
                let cy = gt.centerY + (side == 2 ? dy : side == 3 ? -dy : rng.uniform(-dy, dy))
                return Box(centerX: cx, centerY: cy, width: w, height: h)
            }
            // Perturbations shrink as the bin rises, so that every bin fills quickly.
            let spread = 1.6 * (1 - low) + 0.02
            let box = Box(x1: gt.x1 + gt.width * spread * rng.uniform(-1, 1), y1: gt.y1 + gt.height * spread * rng.uniform(-1, 1),
                          x2: gt.x2 + gt.width * spread * rng.uniform(-1, 1), y2: gt.y2 + gt.height * spread * rng.uniform(-1, 1))
            guard box.width > 0, box.height > 0 else { continue }
            let iou = BoxPair(predicted: box, truth: gt).iou
            if iou > low && iou <= high && iou < 1 { return box }
        }
        preconditionFailure("no box found in IoU bin \(bin): the sampler's spreads are wrong")
    }
}
