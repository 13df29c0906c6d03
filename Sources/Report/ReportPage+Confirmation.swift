import Foundation
import Search
import Verification

extension ReportPage.Sections {
    /// The confirmation (`autoloss confirm`): a dot-and-interval chart of each loss's difference
    /// to the tuned baseline per horizon (Welch's 95 % interval), and the table of verdicts.
    var confirmation: String {
        guard let summary = report.confirmation else { return "" }
        var out = "<h2>Confirmation</h2>\n<p class=\"note\">Each loss and the baseline tuned (regression weight; focal's alpha and gamma), "
            + "then trained with seeds \(summary.plan.seeds.map(String.init).joined(separator: ", ")) at each horizon (a multiple of the schedule's steps). "
            + "A dot is the difference of mean AP to the tuned baseline, its bar Welch's 95 % interval: better where the bar lies right of 0, "
            + "worse where left, level where it crosses it. \(HTML.number(summary.trainingsSpent)) trainings spent.</p>\n"
        out += Self.intervalChart(summary)
        var rows: [[String]] = []
        for c in summary.contenders {
            let name = c.contender.isBaseline ? "\(c.contender.loss) (baseline)" : c.contender.loss
            for h in c.horizons {
                let i = h.interval
                rows.append([HTML.cell(HTML.escape(name), "formula"), HTML.cell(HTML.escape(c.setting?.label ?? "none trained to its end"), "text"),
                             HTML.cell("x" + ConfirmationTable.number(h.horizon)),
                             HTML.cell(h.aps.isEmpty ? "-" : HTML.number(h.mean) + " ± " + HTML.number(h.sd)), HTML.cell("\(h.aps.count)"),
                             HTML.cell(i.map { HTML.signed($0.difference) + " [" + HTML.signed($0.low) + ", " + HTML.signed($0.high) + "]" } ?? ""),
                             HTML.cell(i?.verdict.rawValue ?? "", "text verdict")])
            }
        }
        out += HTML.table(["loss", "tuned at", "horizon", "AP mean ± sd", "seeds", "difference [95 % CI]", "verdict"], rows,
                          attributes: "id=\"confirmation\"")
        // How each setting was chosen: the same lines `confirm` prints under its table.
        let tuning = ConfirmationTable(summary).tuningLines.filter { !$0.isEmpty }
        guard let heading = tuning.first else { return out }
        return out + "<p class=\"note\">\(HTML.escape(heading))</p>\n<ul id=\"confirmation-tuning\">"
            + tuning.dropFirst().map { "<li>" + HTML.escape(String($0.dropFirst(2))) + "</li>" }.joined() + "</ul>\n"
    }

    /// One row per loss and horizon: the difference as a dot, the interval as a bar, 0 as a rule.
    static func intervalChart(_ summary: ConfirmationSummary) -> String {
        var rows: [(label: String, interval: WelchInterval)] = []
        for c in summary.contenders where !c.contender.isBaseline {
            for h in c.horizons {
                guard let i = h.interval else { continue }
                rows.append(("\(c.contender.loss) x\(ConfirmationTable.number(h.horizon))", i))
            }
        }
        guard !rows.isEmpty else { return "<p>No loss has two seeds beside the baseline's yet.</p>\n" }
        let reach = max(0.5, rows.map { max(abs($0.interval.low), abs($0.interval.high)) }.max()!) * 1.1
        let labelW = 260.0, plotW = 420.0, rowH = 24.0, top = 28.0
        let height = top + Double(rows.count) * rowH + 30
        func px(_ x: Double) -> Double { labelW + (x + reach) / (2 * reach) * plotW }
        let colors = ["better": "#0a7d2c", "worse": "#b3261e", "level": "#555"]
        var svg = "<svg class=\"chart\" id=\"confirmation-chart\" width=\"\(Int(labelW + plotW + 20))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<text class=\"chart-title\" x=\"\(labelW)\" y=\"16\">difference to the tuned baseline, AP points (95 % interval)</text>"
        svg += String(format: "<line class=\"rule\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>", px(0), top - 4, px(0), height - 26)
        for (k, row) in rows.enumerated() {
            let y = top + Double(k) * rowH + rowH / 2
            let color = colors[row.interval.verdict.rawValue] ?? "#555"
            svg += String(format: "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>", labelW - 8, y + 4,
                          HTML.escape(String(row.label.prefix(40))))
            svg += String(format: "<line class=\"interval\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>",
                          px(row.interval.low), y, px(row.interval.high), y, color)
            svg += String(format: "<circle class=\"difference\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%@\"><title>%@: %+.2f [%+.2f, %+.2f], %@</title></circle>",
                          px(row.interval.difference), y, color, HTML.escape(row.label), row.interval.difference, row.interval.low,
                          row.interval.high, row.interval.verdict.rawValue)
        }
        for tick in SVGChart.ticks(-reach...reach) {
            svg += String(format: "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", px(tick), height - 10,
                          SVGChart.tickLabel(tick, step: reach / 2))
        }
        return svg + "</svg>\n"
    }
}

