import Foundation

/// A chart as inline SVG (no script, no external font): axes with round ticks, and series drawn
/// as lines, steps, points or horizontal rules, with a legend under the plot.
///
///     var chart = SVGChart(name: "best-ap", title: "Best proxy AP", xLabel: "s", yLabel: "AP")
///     chart.series = [.init(label: "best", kind: .step, points: [.init(0, 31), .init(40, 33)])]
///     let svg = chart.svg()
///
/// Every drawn series element carries the class `mark` (the report's test counts them); a point's
/// `tip` becomes its tooltip. Values outside `yDomain` are clipped to the plot area.
public struct SVGChart: Sendable {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var tip: String

        public init(_ x: Double, _ y: Double, tip: String = "") {
            self.x = x
            self.y = y
            self.tip = tip
        }
    }

    public enum Kind: Sendable { case line, step, points, rule }

    public struct Series: Sendable {
        public var label: String
        public var kind: Kind
        public var points: [Point]
        public var color: String
        public var dashed: Bool
        /// Points drawn larger and outlined (the Pareto front, the best loss).
        public var emphasised: Bool

        public init(label: String, kind: Kind, points: [Point], color: String = SVGChart.palette[0],
                    dashed: Bool = false, emphasised: Bool = false) {
            self.label = label
            self.kind = kind
            self.points = points
            self.color = color
            self.dashed = dashed
            self.emphasised = emphasised
        }
    }

    /// Colours that stay apart for the common kinds of colour blindness (Okabe and Ito).
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]

    /// Names the chart in the page (`data-chart`) and keeps its clip path's id unique.
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    public var xDomain: ClosedRange<Double>?
    public var yDomain: ClosedRange<Double>?
    public var width = 560.0
    public var height = 300.0

    public init(name: String, title: String, xLabel: String, yLabel: String) {
        self.name = name
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    static let margin = (left: 58.0, right: 16.0, top: 28.0, bottom: 44.0)

    /// The domain a set of values spans, padded by 5 % (a single value gets ±1).
    static func span(_ values: [Double]) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return 0...1 }
        if hi - lo < 1e-12 { return (lo - 1)...(hi + 1) }
        let pad = (hi - lo) * 0.05
        return (lo - pad)...(hi + pad)
    }

    /// Round tick values (1, 2, 5 times a power of ten) inside `domain`, about `count` of them.
    static func ticks(_ domain: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let range = domain.upperBound - domain.lowerBound
        guard range > 0, range.isFinite else { return [domain.lowerBound] }
        let raw = range / Double(count)
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [Double] = []
        var t = ceil(domain.lowerBound / step) * step
        while t <= domain.upperBound + step * 1e-9 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return ticks
    }

    static func tickLabel(_ v: Double, step: Double) -> String {
        let digits = max(0, min(4, Int(-floor(log10(step)))))
        return String(format: "%.\(digits)f", v)
    }

    /// The chart's SVG element.
    public func svg() -> String {
        let m = Self.margin
        let legendRows = (series.count + 2) / 3
        let total = height + Double(legendRows) * 18
        let plotW = width - m.left - m.right, plotH = height - m.top - m.bottom
        let xd = xDomain ?? Self.span(series.filter { $0.kind != .rule }.flatMap { $0.points.map(\.x) })
        let yd = yDomain ?? Self.span(series.flatMap { $0.points.map(\.y) })
        func px(_ x: Double) -> Double { m.left + (x - xd.lowerBound) / (xd.upperBound - xd.lowerBound) * plotW }
        func py(_ y: Double) -> Double { m.top + plotH - (y - yd.lowerBound) / (yd.upperBound - yd.lowerBound) * plotH }
        let c = HTML.coordinate
        var out = "<svg class=\"chart\" data-chart=\"\(name)\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(total))\" "
            + "width=\"\(c(width))\" height=\"\(c(total))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">\n"
        out += "<title>\(HTML.escape(title))</title>\n"
        out += "<defs><clipPath id=\"clip-\(name)\"><rect x=\"\(c(m.left))\" y=\"\(c(m.top))\" width=\"\(c(plotW))\" height=\"\(c(plotH))\"/></clipPath></defs>\n"
        out += "<text class=\"chart-title\" x=\"\(c(m.left))\" y=\"18\">\(HTML.escape(title))</text>\n"
        // Axes, grid and ticks.
        let xt = Self.ticks(xd), yt = Self.ticks(yd)
        let xs = xt.count > 1 ? xt[1] - xt[0] : 1, ys = yt.count > 1 ? yt[1] - yt[0] : 1
        for t in yt {
            out += "<line class=\"grid\" x1=\"\(c(m.left))\" x2=\"\(c(m.left + plotW))\" y1=\"\(c(py(t)))\" y2=\"\(c(py(t)))\"/>"
            out += "<text class=\"tick\" x=\"\(c(m.left - 6))\" y=\"\(c(py(t) + 4))\" text-anchor=\"end\">\(Self.tickLabel(t, step: ys))</text>\n"
        }
        for t in xt {
            out += "<line class=\"grid\" y1=\"\(c(m.top))\" y2=\"\(c(m.top + plotH))\" x1=\"\(c(px(t)))\" x2=\"\(c(px(t)))\"/>"
            out += "<text class=\"tick\" x=\"\(c(px(t)))\" y=\"\(c(m.top + plotH + 16))\" text-anchor=\"middle\">\(Self.tickLabel(t, step: xs))</text>\n"
        }
        out += "<rect class=\"frame\" x=\"\(c(m.left))\" y=\"\(c(m.top))\" width=\"\(c(plotW))\" height=\"\(c(plotH))\"/>\n"
        out += "<text class=\"axis\" x=\"\(c(m.left + plotW / 2))\" y=\"\(c(height - 6))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        out += "<text class=\"axis\" transform=\"translate(14 \(c(m.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>\n"
        // Series.
        out += "<g clip-path=\"url(#clip-\(name))\">\n"
        for s in series {
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            let label = HTML.escape(s.label)
            switch s.kind {
            case .rule:
                guard let y = s.points.first?.y, y.isFinite else { continue }
                out += "<line class=\"mark rule\" x1=\"\(c(m.left))\" x2=\"\(c(m.left + plotW))\" y1=\"\(c(py(y)))\" y2=\"\(c(py(y)))\" stroke=\"\(s.color)\"\(dash)><title>\(label): \(HTML.number(y))</title></line>\n"
            case .line, .step:
                var d = "", pen = false, last: Point?
                for p in s.points {
                    guard p.x.isFinite, p.y.isFinite else { pen = false; continue }
                    if pen, s.kind == .step, let last { d += "L\(c(px(p.x))) \(c(py(last.y)))" }
                    d += (pen ? "L" : "M") + "\(c(px(p.x))) \(c(py(p.y)))"
                    pen = true
                    last = p
                }
                if s.kind == .step, let last { d += "L\(c(m.left + plotW)) \(c(py(last.y)))" }
                if !d.isEmpty {
                    out += "<path class=\"mark line\" d=\"\(d)\" stroke=\"\(s.color)\"\(dash)><title>\(label)</title></path>\n"
                }
            case .points:
                for p in s.points where p.x.isFinite && p.y.isFinite {
                    let r = s.emphasised ? 5.5 : 3.5
                    let stroke = s.emphasised ? " stroke=\"#000\" stroke-width=\"1.2\"" : ""
                    let tip = HTML.escape(p.tip.isEmpty ? "\(s.label): \(HTML.number(p.x)), \(HTML.number(p.y))" : p.tip)
                    out += "<circle class=\"mark point\" cx=\"\(c(px(p.x)))\" cy=\"\(c(py(p.y)))\" r=\"\(r)\" fill=\"\(s.color)\"\(stroke)><title>\(tip)</title></circle>\n"
                }
            }
        }
        out += "</g>\n"
        // Legend, three entries a row.
        for (k, s) in series.enumerated() {
            let x = m.left + Double(k % 3) * (plotW / 3), y = height + Double(k / 3) * 18 + 4
            let swatch = s.kind == .points
                ? "<circle cx=\"\(c(x + 8))\" cy=\"\(c(y - 4))\" r=\"4\" fill=\"\(s.color)\"/>"
                : "<line x1=\"\(c(x))\" x2=\"\(c(x + 16))\" y1=\"\(c(y - 4))\" y2=\"\(c(y - 4))\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"4 3\"" : "")/>"
            let room = max(8, Int((plotW / 3 - 26) / 6))
            let text = s.label.count > room ? String(s.label.prefix(room - 1)) + "…" : s.label
            out += "<g class=\"legend\">\(swatch)<text x=\"\(c(x + 22))\" y=\"\(c(y))\">\(HTML.escape(text))</text></g>\n"
        }
        return out + "</svg>\n"
    }
}
