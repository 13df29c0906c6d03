import Detection
import Foundation
import Search

/// The paper's filter ablation on one budget of proxy evaluations: plain evolution (no filters),
/// with CPV, with CPV and MOS. Each arm is a full run in its own folder; the table gives the
/// proxy-evaluated losses, the wall-clock, the best AP, and how long each arm took to reach the
/// best AP of plain evolution (the paper's speed-up, about 20x for CSE-Autoloss).
struct Ablation {
    var options: SearchOptions
    var folder: URL
    var json: Bool
    /// The built-in detector's data, resolved once for every arm (nil for other evaluators).
    var detectorData: DetectorData?

    func run() throws {
        var base = options
        if base.maxEvaluations == nil { base.maxEvaluations = 8 }
        let arms: [(name: String, cpv: Bool, mos: Bool)] = [("none", false, false), ("cpv", true, false), ("cpv-mos", true, true)]
        if FileManager.default.fileExists(atPath: folder.path) {
            throw CLIError("\(folder.path) exists: choose a new --out folder for the ablation")
        }
        let runs = arms.map { arm -> (name: String, options: SearchOptions, run: SearchRun) in
            var o = base
            o.usesCPV = arm.cpv
            o.usesMOS = arm.mos
            // From scratch, as the paper's ablation: seeded known losses would hand every arm
            // the same best loss in generation 0.
            o.seedWithKnownLosses = false
            return (arm.name, o, SearchRun(folder: folder.appendingPathComponent(arm.name), json: json, detectorData: detectorData))
        }
        let stores = try runs.map { try $0.run.create($0.options) }
        try shareBaseline(runs.map(\.options), stores)
        var rows: [(name: String, summary: SearchSummary)] = []
        var text = ""
        for (arm, store) in zip(runs, stores) {
            if !json { print("\n== arm: \(arm.name)") }
            rows.append((arm.name, try arm.run.run(arm.options, store: store)))
            // Written after every arm, so that an ablation stopped in a later arm keeps the
            // table of the arms it finished.
            text = table(rows, evaluations: base.maxEvaluations!)
            try Data(text.utf8).write(to: folder.appendingPathComponent("ablation.txt"))
        }
        print(text)
    }

    /// The paper's table: per arm, the candidates screened, the proxy evaluations, the
    /// wall-clock, the best AP, and when the arm first reached plain evolution's best AP (the
    /// first row's), with plain evolution's time over that (the speed-up).
    func table(_ rows: [(name: String, summary: SearchSummary)], evaluations: Int) -> String {
        let target = rows.first?.summary.hallOfFame.top(1).first?.result.ap
        func timeToReach(_ s: SearchSummary) -> Double? {
            guard let target else { return nil }
            return s.hallOfFame.entries.filter { ($0.result.ap ?? -1) >= target - 1e-9 }.map(\.elapsed).min()
        }
        let plainTime = rows.first.flatMap { timeToReach($0.summary) }
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        var lines = ["", "Filter ablation (\(options.branch.rawValue), \(evaluations) proxy evaluations per arm, from scratch)",
                     "arm       screened  proxy-evaluated  wall-clock (s)  best AP  s to plain's best  speed-up"]
        for (name, s) in rows {
            let reach = timeToReach(s)
            let speedup = (plainTime != nil && reach != nil && reach! > 0) ? String(format: "%.1fx", plainTime! / reach!) : "-"
            let best = s.hallOfFame.top(1).first?.result.ap.map { String(format: "%.2f", $0) } ?? "-"
            lines.append(name.padding(toLength: 8, withPad: " ", startingAt: 0) + pad("\(s.funnel.generated)", 10)
                         + pad("\(s.proxyEvaluations)", 17) + pad(String(format: "%.1f", s.seconds), 16) + pad(best, 9)
                         + pad(reach.map { String(format: "%.1f", $0) } ?? "not reached", 19) + pad(speedup, 10))
        }
        return lines.joined(separator: "\n")
    }

    /// Trains the baseline once, by the arm with the most stages (CPV + MOS, the last), and
    /// records it in every arm's store, where each arm's search reads it. Each arm's clock starts
    /// after that, so the wall-clock column compares the searches alone, and the baseline's
    /// proxy training is not paid three times.
    func shareBaseline(_ options: [SearchOptions], _ stores: [RunStore]) throws {
        let o = options[options.count - 1], measured = stores[stores.count - 1]
        if !json { print("training the baseline \(o.baseline) once for all arms") }
        try Evolution(options: o, store: measured, evaluator: o.makeEvaluator(folder: folder, detectorData: detectorData)).measureBaselines()
        for store in stores.dropLast() {
            for stage in [Stage.mos, .proxy] {
                if let figures = try measured.baseline(name: o.baseline, stage: stage) {
                    try store.recordBaseline(name: o.baseline, stage: stage, figures: figures, seconds: 0)
                }
            }
        }
    }
}
