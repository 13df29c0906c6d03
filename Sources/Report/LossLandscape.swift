import Foundation
import LossLanguage

/// What a loss looks like along the path a training takes, drawn from the compiled evaluator
/// (`CompiledLoss<Double>`, the numbers the detector trains with):
/// - classification (softmax and sigmoid branches): the loss of a positive sample against p_t,
///   the probability the model gives its ground-truth class, in one panel per IoU value w;
///   sigmoid: one logit x = logit(p_t), y = 1; softmax: three classes (two foreground and the
///   background), the ground-truth logit set so that softmax gives it p_t, the others 0;
/// - regression: the loss against IoU along a path onto the ground-truth box (a 100 px square,
///   the prediction the same square shifted sideways from touching it to on it).
///
///     let l = LossLandscape(branch: .reg, losses: [.init(label: "giou", role: .baseline, expr: giou)])
///     l.panels[0].curves[0].points   // (IoU, loss) pairs
public struct LossLandscape: Sendable {
    public enum Role: String, Sendable { case candidate, baseline, published }

    public struct Loss: Sendable {
        public var label: String
        public var role: Role
        public var expr: Expr

        public init(label: String, role: Role, expr: Expr) {
            self.label = label
            self.role = role
            self.expr = expr
        }
    }

    public struct Curve: Sendable {
        public var label: String
        public var role: Role
        /// (p_t or IoU, loss); a non-finite loss stays in as a gap.
        public var points: [SVGChart.Point]
    }

    public struct Panel: Sendable {
        public var title: String
        public var xLabel: String
        public var curves: [Curve]
    }

    /// The IoU values of the classification panels.
    public static let ious: [Double] = [0.25, 0.5, 0.75, 1]
    /// The p_t values of the classification curves: 0.02 ... 0.98.
    public static let probabilities: [Double] = (1...49).map { Double($0) / 50 }
    /// The IoU values of the regression curve: 0.02 ... 1.
    public static let regressionIoUs: [Double] = (1...50).map { Double($0) / 50 }

    public let branch: Branch
    public let panels: [Panel]

    /// The landscapes of `losses` (a loss that fails to compile is left out).
    public init(branch: Branch, losses: [Loss]) {
        self.branch = branch
        let compiled = losses.compactMap { l in
            (try? CompiledLoss<Double>(l.expr, branch: branch, gradientsFor: [])).map { (l, $0) }
        }
        func curve(_ l: Loss, _ loss: CompiledLoss<Double>, xs: [Double], batch: LossBatch<Double>) -> Curve {
            let values = (try? loss.evaluate(batch).values) ?? Array(repeating: .nan, count: xs.count)
            return Curve(label: l.label, role: l.role, points: zip(xs, values).map {
                SVGChart.Point($0, $1, tip: "\(l.label): \(HTML.number($1, 3)) at \(HTML.number($0))")
            })
        }
        switch branch {
        case .reg:
            let batch = Self.regressionBatch(Self.regressionIoUs)
            panels = [Panel(title: "regression loss along a path onto the ground-truth box", xLabel: "IoU with the ground truth",
                            curves: compiled.map { curve($0.0, $0.1, xs: Self.regressionIoUs, batch: batch) })]
        case .softmax, .sigmoid:
            panels = Self.ious.map { w in
                let batch = Self.classificationBatch(branch, w: w, probabilities: Self.probabilities)
                return Panel(title: "positive sample, IoU w = \(HTML.number(w))", xLabel: "p_t (probability of the true class)",
                             curves: compiled.map { curve($0.0, $0.1, xs: Self.probabilities, batch: batch) })
            }
        }
    }

    /// A positive sample at each p_t, with IoU w.
    public static func classificationBatch(_ branch: Branch, w: Double, probabilities: [Double]) -> LossBatch<Double> {
        let n = probabilities.count
        if branch == .sigmoid {
            return LossBatch(rows: n, inputs: [.x: probabilities.map { log($0 / (1 - $0)) }, .y: Array(repeating: 1, count: n),
                                               .w: Array(repeating: w, count: n)])
        }
        // Three classes, the first the true one: e^a / (e^a + 2) = p  <=>  a = log(2p / (1 - p)).
        let classes = 3
        return LossBatch(rows: n, classes: classes, inputs: [
            .x: probabilities.flatMap { [log(Double(classes - 1) * $0 / (1 - $0)), 0, 0] },
            .y: (0..<n).flatMap { _ in [1.0, 0, 0] },
            .w: Array(repeating: w, count: n),
        ])
    }

    /// Box pairs at each IoU: the ground truth (0, 0, 100, 100), the prediction the same square
    /// shifted right by d = 100 (1 - IoU) / (1 + IoU).
    public static func regressionBatch(_ ious: [Double]) -> LossBatch<Double> {
        let pairs = ious.map { t -> BoxPair<Double> in
            let d = 100 * (1 - t) / (1 + t)
            return BoxPair(predicted: .init(x1: d, y1: 0, x2: 100 + d, y2: 100), truth: .init(x1: 0, y1: 0, x2: 100, y2: 100))
        }
        return LossBatch(rows: pairs.count, inputs: [.i: pairs.map(\.intersection), .u: pairs.map(\.union), .e: pairs.map(\.enclosing)])
    }

    /// The losses a run's landscape shows: its best candidates, its baseline, and the published
    /// losses of its branch (CSE-Autoloss A and B).
    public static func losses(top: [Expr], baseline: (name: String, expr: Expr)?, branch: Branch) -> [Loss] {
        var list = top.enumerated().map { Loss(label: "rank \($0.offset + 1)", role: .candidate, expr: $0.element) }
        if let baseline { list.append(Loss(label: "baseline \(baseline.name)", role: .baseline, expr: baseline.expr)) }
        for known in KnownLoss.all where known.name.hasPrefix("cse-") && known.branches.contains(branch) && known.name != baseline?.name {
            if let expr = try? known.expr(branch: branch) { list.append(Loss(label: known.name, role: .published, expr: expr)) }
        }
        return list
    }

    /// The panels as charts; the y range leaves out the highest tenth of the values, so that one
    /// loss that explodes near p_t = 0 does not flatten the others.
    public func charts(name: String) -> [SVGChart] {
        panels.enumerated().map { k, panel in
            var chart = SVGChart(name: "\(name)-\(k)", title: panel.title, xLabel: panel.xLabel, yLabel: "loss")
            chart.width = branch == .reg ? 560 : 420
            chart.height = 260
            chart.xDomain = 0...1
            let values = panel.curves.flatMap { $0.points.map(\.y) }.filter(\.isFinite).sorted()
            if let lo = values.first {
                let hi = values[min(values.count - 1, Int(Double(values.count) * 0.9))]
                chart.yDomain = SVGChart.span([lo, max(hi, lo + 1e-6)])
            }
            var candidates = 0, published = 0
            chart.series = panel.curves.map { c in
                let color: String
                switch c.role {
                case .candidate: color = SVGChart.palette[candidates % 6]; candidates += 1
                case .baseline: color = "#000000"
                case .published: color = ["#777777", "#B0B0B0"][published % 2]; published += 1
                }
                return SVGChart.Series(label: c.label, kind: .line, points: c.points, color: color, dashed: c.role != .candidate)
            }
            return chart
        }
    }
}
