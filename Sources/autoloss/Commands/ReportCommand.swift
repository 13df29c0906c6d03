import ArgumentParser
import Foundation
import LossLanguage
import Report
import Search

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Summarise a search run from its store: configuration, funnel, baselines, hall of fame; --html writes the page with its charts.")

    @Argument(help: "The run folder (or its run.sqlite).") var runFolder: String
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Write the HTML report (one self-contained file) instead; a filter ablation's folder gets its table.") var html = false
    @Option(help: "Where --html writes (default: report.html in the run folder).") var out: String?

    func validate() throws {
        if out != nil && !html { throw ValidationError("--out goes with --html: add --html to write the page there") }
        if html && json { throw ValidationError("choose one of --html and --json") }
    }

    func run() throws {
        if html {
            // Before the page is made, as export, data convert and train refuse one: the page's
            // write (RunFile's rename) would fail on a folder as the environment's error.
            if let out { try CLIError.refuseFolder(out, option: "--out") }
            let page = ReportPage(folder: RunFolder(path: runFolder))
            guard let out else { return print(try page.write().path) }
            try OutputFile.write(Data(try page.html().utf8), to: out) { try page.write(to: URL(fileURLWithPath: out)) }
            return print(URL(fileURLWithPath: out).path)
        }
        let report = try RunReport(store: RunFolder(path: runFolder).open(readOnly: true))
        let o = report.options
        let ranked = report.hallOfFame.top(10)
        if json { return print(Self.json(report, ranked: ranked).text) }
        print("run \(report.path)")
        print("search \(o.branch.rawValue) (mode \(o.mode.rawValue)), partner \(o.partner), baseline \(o.baseline), evaluator \(o.evaluator.name), seed \(o.seed)")
        print("filters: CPV \(o.usesCPV ? "on" : "off"), MOS: \(o.mosLabel); generations \(o.generations), population \(o.population), top-K \(o.topK), top-P \(o.topP); schedule \(o.scheduleInUse.rawValue)\(o.seedWithKnownLosses ? "" : "; from scratch")")
        print("\(report.candidates.count) candidates:")
        for (ending, count) in report.endings { print(String(format: "  %-28@ %d", ending, count)) }
        print("baseline \(o.baseline): proxy AP \(report.baselineProxy?.ap.map { String(format: "%.2f", $0) } ?? "-")")
        print("gain: \(o.gainLabel)")
        print("rank     AP    gain  gen  formula")
        for (k, e) in ranked.enumerated() {
            print(String(format: "%4d %6.2f %+7.2f %4d  %@", k + 1, e.result.ap ?? 0, report.gain(e), e.generation, e.expr.infix))
        }
        if let lineage = report.lineageSummary { print("lineage: " + lineage) }
        let failures = report.failures
        if !failures.isEmpty {
            print("\(failures.count) failed evaluations:")
            for f in failures.prefix(10) { print("  \(f.stage.rawValue) \(f.formula): \(f.reason)") }
        }
        if let confirmation = report.confirmation { print("\n" + ConfirmationTable(confirmation).text) }
    }

    static func json(_ report: RunReport, ranked: [HallOfFame.Entry]) -> JSON {
        let o = report.options
        func number(_ v: Double?) -> JSON { v.map(JSON.number) ?? .null }
        var tuned = JSON.null
        if let t = o.tuned {
            let fields: [(String, JSON)] = [("weight", .number(Double(t.weight))), ("alpha", number(t.alpha.map(Double.init))),
                                            ("gamma", number(t.gamma.map(Double.init))), ("ap", .number(t.ap)), ("sd", .number(t.sd)),
                                            ("seeds", .number(Double(t.seeds)))]
            tuned = .object(fields)
        }
        return .object([
            ("branch", .string(o.branch.rawValue)), ("mode", .string(o.mode.rawValue)), ("partner", .string(o.partner)),
            ("baseline", .string(o.baseline)), ("evaluator", .string(o.evaluator.name)), ("seed", .number(Double(o.seed))),
            ("baseline_ap", number(report.baselineProxy?.ap)), ("baseline_mos_ap", number(report.baselineMOS?.ap)),
            ("baseline_tuned", tuned),
            ("gain_label", .string(o.gainLabel)),
            ("candidates", .number(Double(report.candidates.count))),
            ("funnel", .object(report.endings.map { ($0.ending, .number(Double($0.count))) })),
            ("hall_of_fame", .array(ranked.map { e in
                .object([("formula", .string(e.expr.infix)), ("ap", number(e.result.ap)), ("ap50", number(e.result.figures["ap50"])),
                         ("ap75", number(e.result.figures["ap75"])), ("gain", .number(report.gain(e))),
                         ("generation", .number(Double(e.generation)))])
            })),
            ("trained_at_both_stages", .array(report.trainedAtBothStages.map { t in
                .object([("formula", .string(t.formula)), ("generation", .number(Double(t.generation))), ("slot", .number(Double(t.slot))),
                         ("mos_ap", .number(t.mosAP)), ("proxy_ap", .number(t.proxyAP))])
            })),
            ("mos_proxy_spearman", number(report.mosProxyCorrelation)),
            ("lineages", .array(report.lineages.map { .object([("root", .string($0.root)), ("descendants", .number(Double($0.descendants)))]) })),
            ("failures", .array(report.failures.map { f in
                .object([("formula", .string(f.formula)), ("generation", .number(Double(f.generation))), ("stage", .string(f.stage.rawValue)),
                         ("reason", .string(f.reason))])
            })),
        ])
    }
}
