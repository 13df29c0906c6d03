import Foundation
import LossLanguage
import Search

extension ReportPage {
    /// The sections of one run's page, each from the report's numbers (computed once here).
    struct Sections {
        let report: RunReport
        let points: [RunReport.ProxyPoint]
        let ranked: [HallOfFame.Entry]

        init(report: RunReport) {
            self.report = report
            points = report.proxyPoints
            ranked = report.hallOfFame.top(10)
        }

        var all: String {
            [header, funnel, bestOverTime, mosAgainstProxy, complexity, landscapes, hallOfFame, confirmation, failures].joined(separator: "\n")
        }

        var timeLabel: String {
            report.clock.isWallClock ? "seconds into the run (wall-clock)" : "training seconds, cumulative (this store has no times)"
        }

        static func kpi(_ id: String, _ value: String, _ label: String) -> String {
            "<div class=\"kpi\" id=\"kpi-\(id)\"><b>\(value)</b><span>\(label)</span></div>"
        }

        var header: String {
            let o = report.options
            let best = ranked.first?.result.ap
            var out = "<h1>autoloss run \(HTML.escape(URL(fileURLWithPath: report.path).deletingLastPathComponent().lastPathComponent))</h1>\n"
            out += "<p class=\"meta\">search <b>\(o.branch.rawValue)</b> (mode \(o.mode.rawValue)), partner \(HTML.escape(o.partner)), baseline "
                + "\(HTML.escape(o.baseline)), evaluator \(HTML.escape(o.evaluator.name)), seed \(o.seed); CPV \(o.usesCPV ? "on" : "off"), "
                + "MOS: \(HTML.escape(o.mosLabel)); generations \(o.generations), population \(o.population), top-K \(o.topK), top-P \(o.topP); schedule \(o.scheduleInUse.rawValue)\(o.seedWithKnownLosses ? "" : "; from scratch")</p>\n"
            out += "<p class=\"meta\">store <code>\(HTML.escape(report.path))</code></p>\n<div class=\"kpis\">"
            out += Self.kpi("candidates", "\(report.candidates.count)", "candidates")
            out += Self.kpi("generations", "\(Set(report.candidates.map(\.generation)).count)", "generations")
            out += Self.kpi("proxy", "\(report.candidates.filter { $0.stage(.proxy) != nil }.count)", "trained on the proxy")
            out += Self.kpi("best-ap", HTML.number(best), "best proxy AP")
            out += Self.kpi("baseline-ap", HTML.number(report.baselineProxy?.ap), "baseline \(HTML.escape(o.baseline)) AP")
            out += Self.kpi("gain", HTML.signed(ranked.first.map(report.gain)), HTML.escape(o.gainLabel))
            out += Self.kpi("rate", HTML.number(report.candidatesPerSecond, 1), "candidates/s")
            out += Self.kpi("seconds", HTML.number(report.clock.total, 1), report.clock.isWallClock ? "seconds" : "training seconds")
            return out + "</div>\n"
        }

        static let funnelColors = ["#BBBBBB", "#999999", "#CC79A7", "#E69F00", "#D55E00", "#56B4E9", "#0072B2"]

        var funnel: String {
            let rows = report.generationFunnels
            var out = "<h2>Funnel per generation</h2>\n<p class=\"note\">What each stage removed from each generation's candidates, what passed "
                + "every stage it reached without being trained further (not chosen), and what was trained on the proxy task.</p>\n"
            guard !rows.isEmpty else { return out + "<p>No candidate recorded yet.</p>\n" }
            out += Self.funnelChart(rows)
            let columns = RunReport.GenerationFunnel.columns
            var cells = rows.map { r in
                [HTML.cell("\(r.generation)", "generation"), HTML.cell("\(r.generated)", "generated")]
                    + zip(columns, r.counts).map { HTML.cell("\($1)", "n \(Self.slug($0))") }
                    + [HTML.cell(HTML.number(r.seconds, 1), "seconds"), HTML.cell(HTML.number(r.candidatesPerSecond, 1), "rate")]
            }
            let totals = (0..<columns.count).map { k in rows.map { $0.counts[k] }.reduce(0, +) }
            cells.append([HTML.cell("all", "generation"), HTML.cell("\(totals.reduce(0, +))", "generated")]
                         + zip(columns, totals).map { HTML.cell("\($1)", "n \(Self.slug($0))") }
                         + [HTML.cell(HTML.number(report.clock.total, 1), "seconds"), HTML.cell(HTML.number(report.candidatesPerSecond, 1), "rate")])
            let table = HTML.table(["generation", "generated"] + columns + ["seconds", "candidates/s"], cells, attributes: "id=\"funnel\"")
            return out + table.replacingOccurrences(of: "<tr><td class=\"generation\">all", with: "<tr class=\"total\"><td class=\"generation\">all")
        }

        /// A column's name as a class name: "not chosen" -> "not-chosen", "best AP" -> "best-ap".
        static func slug(_ column: String) -> String {
            column.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
        }

        /// One stacked horizontal bar per generation, a segment per funnel column.
        static func funnelChart(_ rows: [RunReport.GenerationFunnel]) -> String {
            let c = HTML.coordinate
            let left = 70.0, width = 1000.0, bar = 18.0, gap = 6.0
            let widest = Double(rows.map(\.generated).max() ?? 1)
            let columns = RunReport.GenerationFunnel.columns
            let height = 30 + Double(rows.count) * (bar + gap) + 26
            var out = "<svg class=\"chart\" data-chart=\"funnel\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(left + width + 20)) \(c(height))\" "
                + "width=\"\(c(left + width + 20))\" height=\"\(c(height))\" role=\"img\" aria-label=\"funnel per generation\">\n"
            out += "<text class=\"chart-title\" x=\"\(c(left))\" y=\"16\">Candidates per generation, by where their way ended</text>\n"
            for (k, r) in rows.enumerated() {
                let y = 26 + Double(k) * (bar + gap)
                out += "<text class=\"tick\" x=\"\(c(left - 8))\" y=\"\(c(y + 13))\" text-anchor=\"end\">gen \(r.generation)</text>"
                var x = left
                for (j, n) in r.counts.enumerated() where n > 0 {
                    let w = Double(n) / widest * width
                    out += "<rect class=\"mark bar\" x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(w, 1)))\" height=\"\(c(bar))\" fill=\"\(funnelColors[j])\">"
                        + "<title>generation \(r.generation): \(columns[j]) \(n)</title></rect>"
                    x += w
                }
                out += "\n"
            }
            let y = 30 + Double(rows.count) * (bar + gap) + 8
            for (j, name) in columns.enumerated() {
                let x = left + Double(j) * 140
                out += "<g class=\"legend\"><rect x=\"\(c(x))\" y=\"\(c(y - 9))\" width=\"12\" height=\"10\" fill=\"\(funnelColors[j])\"/>"
                    + "<text x=\"\(c(x + 16))\" y=\"\(c(y))\">\(name)</text></g>"
            }
            return out + "\n</svg>\n"
        }

        var bestOverTime: String {
            let out = "<h2>Best proxy AP over time</h2>\n"
            guard !points.isEmpty else { return out + "<p>No candidate has a proxy AP yet.</p>\n" }
            var chart = SVGChart(name: "best-ap", title: "Proxy AP of every proxy-trained candidate, and the best so far", xLabel: timeLabel, yLabel: "AP")
            chart.width = 1000
            chart.height = 320
            chart.xDomain = 0...max(1, report.clock.total * 1.02)
            var best = report.bestOverTime.map { SVGChart.Point($0.elapsed, $0.ap) }
            if let first = best.first { best.insert(SVGChart.Point(0, first.y), at: 0) }
            chart.series = [
                .init(label: "proxy-trained candidates", kind: .points, points: points.map {
                    SVGChart.Point($0.elapsed, $0.ap, tip: "g\($0.generation) #\($0.slot): AP \(HTML.number($0.ap)) at \(HTML.number($0.elapsed, 1)) s  \($0.formula)")
                }, color: SVGChart.palette[5]),
                .init(label: "best so far", kind: .step, points: Array(best.dropFirst()), color: SVGChart.palette[0]),
            ]
            if let ap = report.baselineProxy?.ap {
                chart.series.append(.init(label: "baseline \(report.options.baseline)", kind: .rule, points: [.init(0, ap)], color: "#000000", dashed: true))
            }
            chart.yDomain = SVGChart.span(points.map(\.ap) + [report.baselineProxy?.ap].compactMap { $0 })
            return out + chart.svg()
        }

        var mosAgainstProxy: String {
            let trained = report.trainedAtBothStages
            let rho = report.mosProxyCorrelation
            let out = "<h2>MOS AP against proxy AP</h2>\n<p>Candidates trained at both stages: \(trained.count); Spearman's ρ "
                + "<span id=\"spearman-rho\">\(HTML.number(rho, 3))</span> (with the baseline; none below three pairs).</p>\n"
            guard !trained.isEmpty || report.baselineMOS?.ap != nil else { return out }
            var chart = SVGChart(name: "mos-proxy", title: "MOS AP against proxy AP, ρ = \(HTML.number(rho, 3))", xLabel: "MOS AP", yLabel: "proxy AP")
            chart.series = [.init(label: "candidates", kind: .points, points: trained.map {
                SVGChart.Point($0.mosAP, $0.proxyAP, tip: "g\($0.generation) #\($0.slot): MOS \(HTML.number($0.mosAP)), proxy \(HTML.number($0.proxyAP))  \($0.formula)")
            })]
            if let m = report.baselineMOS?.ap, let p = report.baselineProxy?.ap {
                chart.series.append(.init(label: "baseline \(report.options.baseline)", kind: .points, points: [.init(m, p)],
                                          color: "#000000", emphasised: true))
            }
            return out + chart.svg()
        }

        var complexity: String {
            let out = "<h2>Complexity against proxy AP</h2>\n"
            guard !points.isEmpty else { return out + "<p>No candidate has a proxy AP yet.</p>\n" }
            let front = report.paretoFront
            var chart = SVGChart(name: "complexity", title: "Nodes against proxy AP; the Pareto front outlined", xLabel: "nodes in the formula's tree", yLabel: "proxy AP")
            chart.series = [
                .init(label: "proxy-trained candidates", kind: .points, points: points.map {
                    SVGChart.Point(Double($0.size), $0.ap, tip: "\($0.size) nodes, AP \(HTML.number($0.ap))  \($0.formula)")
                }, color: SVGChart.palette[5]),
                .init(label: "Pareto front", kind: .step, points: front.map { SVGChart.Point(Double($0.size), $0.ap) }, color: SVGChart.palette[1]),
                .init(label: "on the front", kind: .points, points: front.map {
                    SVGChart.Point(Double($0.size), $0.ap, tip: "front: \($0.size) nodes, AP \(HTML.number($0.ap))  \($0.formula)")
                }, color: SVGChart.palette[1], emphasised: true),
            ]
            let rows = front.map { [HTML.cell("\($0.size)", "nodes"), HTML.cell(HTML.number($0.ap), "ap"),
                                    HTML.cell("<code>\(HTML.escape($0.formula))</code>", "formula")] }
            return out + "<div class=\"row\">" + chart.svg() + HTML.table(["nodes", "AP", "<span class=\"formula\">formula on the front</span>"], rows,
                                                                       attributes: "id=\"pareto\"") + "</div>\n"
        }

        var landscapes: String {
            let branch = report.options.branch
            var out = "<h2>Loss landscapes</h2>\n<p class=\"note\">"
            out += branch == .reg
                ? "Regression loss along a path onto the ground-truth box (a 100 px square, the prediction shifted sideways onto it), against IoU."
                : "Classification loss of a positive sample against p_t, the probability of its true class, at several IoU values w (\(branch.rawValue) branch)."
            out += " The best candidates (solid), the baseline (black, dashed) and the published CSE-Autoloss losses (grey, dashed), "
                + "from the compiled evaluator; the y range leaves out the highest tenth of the values.</p>\n"
            let baseline = (try? Expr.resolve(report.options.baseline, branch: branch)).map { (report.options.baseline, $0) }
            let losses = LossLandscape.losses(top: ranked.prefix(3).map(\.expr), baseline: baseline, branch: branch)
            let charts = LossLandscape(branch: branch, losses: losses).charts(name: "landscape")
            return out + "<div class=\"row\">" + charts.map { $0.svg() }.joined() + "</div>\n"
        }

        var hallOfFame: String {
            var out = "<h2>Hall of fame</h2>\n"
            guard !ranked.isEmpty else { return out + "<p>No candidate has a proxy AP yet.</p>\n" }
            out += "<p class=\"note\">Ranked as the search ranks (proxy AP; ties to the earlier generation, then the shorter formula). Gain: "
                + "over the baseline \(HTML.escape(report.options.baseline))'s proxy AP \(HTML.number(report.baselineProxy?.ap)).</p>\n"
            let rows = ranked.enumerated().map { k, e -> [String] in
                let gain = report.gain(e)
                return [HTML.cell("\(k + 1)", "rank"), HTML.cell("\(e.expr.mathML)<br><code>\(HTML.escape(e.expr.infix))</code>", "formula"),
                        HTML.cell(HTML.number(e.result.ap), "ap"), HTML.cell(HTML.number(e.result.figures["ap50"]), "ap50"),
                        HTML.cell(HTML.number(e.result.figures["ap75"]), "ap75"),
                        HTML.cell(HTML.signed(gain), "gain \(gain > 0 ? "up" : gain < 0 ? "down" : "")"), HTML.cell("\(e.generation)", "generation")]
            }
            out += HTML.table(["rank", "<span class=\"formula\">formula</span>", "AP", "AP50", "AP75", "gain", "generation"], rows,
                              attributes: "id=\"hall-of-fame\"")
            // Whether the ranked losses are one family or several.
            return out + (report.lineageSummary.map { "<p class=\"note\" id=\"lineage\">Lineage: \(HTML.escape($0)).</p>\n" } ?? "")
        }

        var failures: String {
            let list = report.failures
            let out = "<h2>Failed evaluations</h2>\n"
            guard !list.isEmpty else { return out + "<p id=\"no-failures\">No evaluation failed.</p>\n" }
            let rows = list.prefix(50).map { f -> [String] in
                let reason = f.reason.split(separator: "\n").first.map(String.init) ?? ""
                return [HTML.cell(f.generation < 0 ? "-" : "\(f.generation)", "generation"), HTML.cell(f.slot < 0 ? "-" : "\(f.slot)", "slot"),
                        HTML.cell(f.stage.rawValue, "text"), HTML.cell("<code>\(HTML.escape(f.formula))</code>", "formula"),
                        HTML.cell(HTML.escape(String(reason.prefix(300))), "reason")]
            }
            return out + "<p>\(list.count) evaluations failed (the evaluator gave no result; counted apart from rejections).</p>\n"
                + HTML.table(["generation", "slot", "stage", "formula", "reason"], rows, attributes: "id=\"failures\"")
        }

        /// The filter ablation's table, from the arms' stores.
        static func ablation(_ rows: [FilterAblation.Row], branch: Branch, evaluations: Int?) -> String {
            let cells = FilterAblation.cells(rows).map { row in
                zip(FilterAblation.columns, row).map { HTML.cell(HTML.escape($1), slug($0)) }
            }
            return "<h2>Filter ablation</h2>\n<p class=\"note\">\(branch.rawValue), \(evaluations.map(String.init) ?? "-") proxy evaluations per arm, "
                + "from scratch; times from the arms' stores (see the arms' pages).</p>\n"
                + HTML.table(FilterAblation.columns, cells, attributes: "id=\"ablation\"")
                + levels(rows)
        }

        /// Whole trainings each arm took to reach each arm's best AP.
        static func levels(_ rows: [FilterAblation.Row]) -> String {
            let (header, cells) = FilterAblation.levels(rows)
            return "<p class=\"note\">\(HTML.escape(FilterAblation.levelsTitle)).</p>\n"
                + HTML.table(header.map(HTML.escape), cells.map { row in row.enumerated().map { HTML.cell(HTML.escape($1), $0 == 0 ? "arm" : "trainings") } },
                             attributes: "id=\"ablation-levels\"")
        }
    }
}
