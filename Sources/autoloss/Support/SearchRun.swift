import Detection
import Foundation
import LossLanguage
import Search

/// One search run on the terminal: creates or reopens the run folder, prints progress per
/// generation, and at the end the hall of fame, also written as hall-of-fame.json.
struct SearchRun {
    var folder: URL
    var json: Bool
    /// The built-in detector's data, resolved once by the caller (nil for other evaluators).
    var detectorData: DetectorData?

    /// A new run in a folder that must not exist yet (nothing is overwritten).
    @discardableResult
    func start(_ o: SearchOptions) throws -> SearchSummary {
        try run(o, store: create(o))
    }

    /// The run folder and its store, for a run that has not started.
    func create(_ o: SearchOptions) throws -> RunStore {
        if FileManager.default.fileExists(atPath: folder.path) {
            throw CLIError("\(folder.path) exists: choose a new --out folder, or continue that run with --resume \(folder.path)")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try RunStore(creating: folder.appendingPathComponent(RunStore.fileName).path, config: o.encoded())
    }

    @discardableResult
    func run(_ o: SearchOptions, store: RunStore) throws -> SearchSummary {
        let log = Log(url: folder.appendingPathComponent("search.log"))
        log.write("search \(o.branch.rawValue): partner \(o.partner), baseline \(o.baseline), evaluator \(o.evaluator), seed \(o.seed), run \(folder.path)", echo: !json)
        let evolution = try Evolution(options: o, store: store, evaluator: o.makeEvaluator(folder: folder, detectorData: detectorData)) { p in
            let line = json ? Self.progressJSON(p).text : Self.progressLine(p, options: o)
            log.write(line, echo: true)
        }
        let summary = try evolution.run()
        let entries = summary.hallOfFame.top(10)
        let fame = JSON.array(entries.map { e in
            .object([("formula", .string(e.expr.infix)), ("prefix", .string(e.expr.prefix(branch: o.branch))),
                     ("ap", .number(e.result.ap ?? -1)), ("ap50", .number(e.result.figures["ap50"] ?? -1)),
                     ("ap75", .number(e.result.figures["ap75"] ?? -1)),
                     ("gain", .number((e.result.ap ?? 0) - (summary.baselineProxy?.ap ?? 0))), ("generation", .number(Double(e.generation)))])
        })
        try Data(fame.text.utf8).write(to: folder.appendingPathComponent("hall-of-fame.json"))
        if json {
            print(JSON.object([("event", .string("done")), ("stop", .string(summary.stopReason)), ("hall_of_fame", fame),
                               ("baseline_ap", .number(summary.baselineProxy?.ap ?? -1))]).text)
        } else {
            print(Self.hallOfFameTable(summary, options: o))
            print("stopped: \(summary.stopReason); run store: \(store.path)")
        }
        return summary
    }

    static func progressLine(_ p: SearchProgress, options o: SearchOptions) -> String {
        let f = p.funnel
        let best = p.bestAP.map { String(format: "%.2f", $0) } ?? "-"
        let base = p.baselineAP.map { String(format: "%.2f", $0) } ?? "-"
        // The nearest of the budgets: generations at the pace so far, the time limit, and the
        // proxy evaluations at the pace so far.
        let perGeneration = p.elapsed / Double(p.generation + 1)
        var left = perGeneration * Double(p.generations - p.generation - 1)
        if let minutes = o.timeLimitMinutes { left = min(left, max(0, minutes * 60 - p.elapsed)) }
        if let evaluations = o.maxEvaluations, f.proxyEvaluated > 0 {
            left = min(left, p.elapsed / Double(f.proxyEvaluated) * Double(max(0, evaluations - f.proxyEvaluated)))
        }
        return String(format: "gen %d/%d  generated %d  invalid %d  duplicate %d  cpv-rejected %d  equivalent %d  mos-rejected %d/%d  proxy %d  best AP %@ (baseline %@)  %.0f cand/s  %@ elapsed, ~%@ left",
                      p.generation + 1, p.generations, f.generated, f.invalid, f.duplicate, f.cpvRejected, f.equivalent,
                      f.mosRejected, f.mosTrained, f.proxyEvaluated, best, base, p.candidatesPerSecond,
                      duration(p.elapsed), duration(left))
    }

    static func progressJSON(_ p: SearchProgress) -> JSON {
        let f = p.funnel
        return .object([
            ("event", .string("generation")), ("generation", .number(Double(p.generation))),
            ("generated", .number(Double(f.generated))), ("invalid", .number(Double(f.invalid))),
            ("duplicate", .number(Double(f.duplicate))), ("cpv_rejected", .number(Double(f.cpvRejected))),
            ("equivalent", .number(Double(f.equivalent))), ("mos_trained", .number(Double(f.mosTrained))),
            ("mos_rejected", .number(Double(f.mosRejected))), ("proxy_evaluated", .number(Double(f.proxyEvaluated))),
            ("best_ap", p.bestAP.map(JSON.number) ?? .null), ("best_formula", p.bestFormula.map(JSON.string) ?? .null),
            ("baseline_ap", p.baselineAP.map(JSON.number) ?? .null), ("elapsed", .number(p.elapsed)),
            ("candidates_per_second", .number(p.candidatesPerSecond)),
        ])
    }

    static func hallOfFameTable(_ s: SearchSummary, options o: SearchOptions) -> String {
        var lines = ["", "Hall of fame (\(o.branch.rawValue), partner \(o.partner); baseline \(o.baseline): AP \(s.baselineProxy?.ap.map { String(format: "%.2f", $0) } ?? "-"))",
                     "rank     AP   AP50   AP75    gain  gen  formula"]
        for (k, e) in s.hallOfFame.top(10).enumerated() {
            let r = e.result
            func cell(_ v: Double?) -> String { v.map { String(format: "%6.2f", $0) } ?? "     -" }
            lines.append(String(format: "%4d %@ %@ %@ %+7.2f %4d  %@", k + 1, cell(r.ap), cell(r.figures["ap50"]),
                                cell(r.figures["ap75"]), (r.ap ?? 0) - (s.baselineProxy?.ap ?? 0), e.generation, e.expr.infix))
        }
        let f = s.funnel
        lines.append(String(format: "funnel: %d generated, %d trained on the proxy (%.2f%% removed before it)", f.generated,
                            f.proxyEvaluated, 100 * f.removedBeforeProxy))
        return lines.joined(separator: "\n")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Appends lines to the run's log (and echoes them).
final class Log: @unchecked Sendable {
    let url: URL
    init(url: URL) { self.url = url }

    func write(_ line: String, echo: Bool) {
        if echo { print(line) }
        let data = Data((line + "\n").utf8)
        if let handle = try? FileHandle(forWritingTo: url) {
            handle.seekToEndOfFile()
            handle.write(data)
            try? handle.close()
        } else {
            try? data.write(to: url)
        }
    }
}
