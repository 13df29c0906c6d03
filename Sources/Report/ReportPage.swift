import Foundation
import LossLanguage
import Search

/// The HTML report of a run (DESIGN.md, "Report"): one self-contained file, inline SVG and
/// CSS, MathML for the formulas, no script and nothing fetched, so it opens from file:// and
/// reads the same offline. Made from the store alone, read-only, so it can be written at any
/// time, also while the search runs (the search writes it after every generation and at its end).
///
///     try ReportPage(folder: URL(fileURLWithPath: "runs/reg-1")).write()   // runs/reg-1/report.html
///
/// A filter ablation's folder (its arms in subfolders, `FilterAblation`) gets the ablation table,
/// links to each arm's page, and the sections of its last arm with a store.
public struct ReportPage: Sendable {
    /// A run folder, or a filter ablation's folder.
    public let folder: URL

    public init(folder: URL) { self.folder = folder }
    public init(folder: RunFolder) { self.folder = folder.url }

    public var defaultPath: URL { RunFolder(folder).report }

    /// The arms of an ablation folder that have a store, in run order (empty for a run folder).
    var ablationArms: [(name: String, folder: RunFolder)] {
        FilterAblation.armNames.map { ($0, RunFolder(folder.appendingPathComponent($0))) }
            .filter { FileManager.default.fileExists(atPath: $0.1.storePath) }
    }

    /// The page's HTML.
    public func html() throws -> String {
        let run = RunFolder(folder)
        if FileManager.default.fileExists(atPath: run.storePath) {
            let report = try RunReport(store: run.open(readOnly: true))
            return Self.document(title: "autoloss run \(folder.lastPathComponent)", body: Sections(report: report).all)
        }
        let arms = ablationArms
        guard let last = arms.last else {
            throw SearchError.notAStore(path: run.storePath, reason: "no such file (neither a run folder nor a filter ablation's)")
        }
        let reports = try arms.map { try RunReport(store: $0.folder.open(readOnly: true)) }
        let rows = zip(arms, reports).map { FilterAblation.Row(name: $0.0.name, report: $0.1) }
        var body = "<h1>Filter ablation \(HTML.escape(folder.lastPathComponent))</h1>\n"
        body += Sections.ablation(rows, branch: reports[0].options.branch,
                                  evaluations: reports[0].options.maxEvaluations)
        body += "<p>The arms' own pages: " + arms.map {
            "<a href=\"\($0.name)/\($0.folder.report.lastPathComponent)\">\($0.name)</a>"
        }.joined(separator: ", ") + ". Below: the arm <b>\(last.name)</b>.</p>\n"
        body += Sections(report: reports[reports.count - 1]).all
        return Self.document(title: "autoloss ablation \(folder.lastPathComponent)", body: body)
    }

    /// Writes the page (to `path`, default `report.html` in the folder), whole or not at all:
    /// a reader never sees half a page.
    @discardableResult
    public func write(to path: URL? = nil) throws -> URL {
        let target = path ?? defaultPath
        try RunFile.replace(target, with: Data(html().utf8))
        return target
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)
        <footer>Written by autoloss from the run store at \(HTML.escape(ISO8601DateFormatter().string(from: Date()))).</footer>
        </body>
        </html>

        """
    }

    static let style = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
               max-width: 1240px; margin: 16px auto; padding: 0 16px; background: #fff; }
        h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 17px; margin: 22px 0 6px; border-bottom: 1px solid #ddd; }
        .meta { color: #555; margin: 2px 0; } .note { color: #666; font-size: 12px; }
        .kpis { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; }
        .kpi { border: 1px solid #ddd; border-radius: 6px; padding: 6px 12px; min-width: 110px; }
        .kpi b { display: block; font-size: 18px; } .kpi span { color: #666; font-size: 12px; }
        .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
        table { border-collapse: collapse; margin: 6px 0; font-size: 13px; }
        th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: right; vertical-align: middle; }
        th { background: #f5f5f5; font-weight: 600; }
        td.formula, td.reason, td.text, #hall-of-fame th:nth-child(2), #pareto th:nth-child(3), #failures th { text-align: left; }
        td.formula code, td.reason { font-size: 11px; color: #666; }
        td.formula math { font-size: 15px; }
        td.gain.up { color: #0a7d2c; } td.gain.down { color: #b3261e; }
        svg.chart { font-size: 11px; background: #fff; }
        svg .grid { stroke: #eee; } svg .frame { fill: none; stroke: #999; }
        svg .line { fill: none; stroke-width: 2; } svg .rule { stroke-width: 1.5; }
        svg .chart-title { font-size: 13px; font-weight: 600; } svg .tick { fill: #555; } svg .axis { fill: #333; }
        footer { color: #888; font-size: 11px; margin: 24px 0 8px; }
        """
}
