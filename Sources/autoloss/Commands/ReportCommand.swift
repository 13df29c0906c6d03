import ArgumentParser
import Foundation
import LossLanguage
import Search

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Summarise a search run from its store: configuration, funnel, baselines, hall of fame.")

    @Argument(help: "The run folder (or its run.sqlite).") var runFolder: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let path = runFolder.hasSuffix(".sqlite") ? runFolder : URL(fileURLWithPath: runFolder).appendingPathComponent(RunStore.fileName).path
        let store = try RunStore(opening: path)
        let o = try SearchOptions.decoded(from: store.config())
        let candidates = try store.candidates()
        // Where each candidate's way ended: its last recorded stage, or still pending.
        var ended: [String: Int] = [:]
        for c in candidates {
            guard let last = c.stages.last else { continue }
            let key = last.passed ? (last.stage == .proxy ? "proxy-evaluated" : "passed \(last.stage.rawValue)") : "rejected at \(last.stage.rawValue)"
            ended[key, default: 0] += 1
        }
        let proxy = candidates.compactMap { c -> (CandidateRecord, Double)? in
            guard let p = c.stages.first(where: { $0.stage == .proxy }), let ap = p.figures["ap"] else { return nil }
            return (c, ap)
        }.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0.generation < $1.0.generation) }
        let baseline = try store.baseline(name: o.baseline, stage: .proxy)?["ap"]
        if json {
            print(JSON.object([
                ("branch", .string(o.branch.rawValue)), ("partner", .string(o.partner)), ("baseline", .string(o.baseline)),
                ("baseline_ap", baseline.map(JSON.number) ?? .null), ("candidates", .number(Double(candidates.count))),
                ("funnel", .object(ended.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })),
                ("hall_of_fame", .array(proxy.prefix(10).map { c, ap in
                    .object([("formula", .string(c.formula)), ("ap", .number(ap)), ("generation", .number(Double(c.generation)))])
                })),
            ]).text)
            return
        }
        print("run \(path)")
        print("search \(o.branch.rawValue) (mode \(o.mode.rawValue)), partner \(o.partner), baseline \(o.baseline), evaluator \(o.evaluator), seed \(o.seed)")
        print("filters: CPV \(o.usesCPV ? "on" : "off"), MOS \(o.usesMOS ? "on" : "off"); generations \(o.generations), population \(o.population), top-K \(o.topK), top-P \(o.topP)")
        print("\(candidates.count) candidates:")
        for (k, v) in ended.sorted(by: { $0.key < $1.key }) { print(String(format: "  %-28@ %d", k, v)) }
        print("baseline \(o.baseline): proxy AP \(baseline.map { String(format: "%.2f", $0) } ?? "-")")
        print("rank     AP    gain  gen  formula")
        for (k, (c, ap)) in proxy.prefix(10).enumerated() {
            print(String(format: "%4d %6.2f %+7.2f %4d  %@", k + 1, ap, ap - (baseline ?? 0), c.generation, c.formula))
        }
    }
}
