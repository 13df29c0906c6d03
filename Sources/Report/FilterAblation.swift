import Foundation
import Search

/// The paper's filter ablation on one budget of proxy evaluations: plain evolution (no filters),
/// with CPV, with CPV and MOS. Each arm is a full run in its own folder inside the ablation's;
/// the baseline is trained once, before the arms' clocks start, and shared through each arm's
/// store. The table gives the proxy-evaluated losses, the wall-clock, the best AP, and how long
/// each arm took to reach the best AP of plain evolution (the paper's speed-up, about 20x for
/// CSE-Autoloss); it is written to ablation.txt after every arm, so that an ablation stopped in a
/// later arm keeps the table of the arms it finished.
public struct FilterAblation {
    public struct Arm: Sendable {
        public var name: String
        public var options: SearchOptions
        public var folder: RunFolder
    }

    public let options: SearchOptions
    public let folder: RunFolder
    /// The proxy evaluations each arm may spend.
    public var evaluations: Int { options.maxEvaluations ?? 8 }

    public init(options: SearchOptions, folder: URL) {
        var o = options
        if o.maxEvaluations == nil { o.maxEvaluations = 8 }
        self.options = o
        self.folder = RunFolder(folder)
    }

    public var arms: [Arm] {
        [("none", false, false), ("cpv", true, false), ("cpv-mos", true, true)].map { name, cpv, mos in
            var o = options
            o.usesCPV = cpv
            o.usesMOS = mos
            // From scratch, as the paper's ablation: seeded known losses would hand every arm
            // the same best loss in generation 0.
            o.seedWithKnownLosses = false
            return Arm(name: name, options: o, folder: RunFolder(folder.url.appendingPathComponent(name)))
        }
    }

    public var tablePath: URL { folder.url.appendingPathComponent("ablation.txt") }

    /// Runs the arms in order, each by `runArm`; returns the table. `evaluator` trains the
    /// baseline; `announce` says what is about to happen.
    public func run(evaluator: CandidateEvaluator, announce: (String) -> Void,
                    runArm: (Arm, RunStore) throws -> SearchSummary) throws -> String {
        if FileManager.default.fileExists(atPath: folder.url.path) {
            throw SearchError.options("\(folder.url.path) exists: choose a new --out folder for the ablation")
        }
        let arms = self.arms
        let stores = try arms.map { try $0.folder.create($0.options) }
        // The baseline, trained by the arm with the most stages (CPV + MOS, the last).
        let last = arms[arms.count - 1]
        announce("training the baseline \(last.options.baseline) once for all arms")
        try Evolution(options: last.options, store: stores[stores.count - 1],
                      evaluator: evaluator).measureBaselines()
        for store in stores.dropLast() { try store.copyBaselines(from: stores[stores.count - 1]) }
        var rows: [(name: String, summary: SearchSummary)] = []
        var text = ""
        for (arm, store) in zip(arms, stores) {
            announce("\n== arm: \(arm.name)")
            rows.append((arm.name, try runArm(arm, store)))
            text = table(rows)
            try Data(text.utf8).write(to: tablePath)
        }
        return text
    }

    /// The paper's table: per arm, the candidates screened, the proxy evaluations, the
    /// wall-clock, the best AP, and when the arm first reached plain evolution's best AP (the
    /// first row's), with plain evolution's time over that (the speed-up).
    public func table(_ rows: [(name: String, summary: SearchSummary)]) -> String {
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
}
