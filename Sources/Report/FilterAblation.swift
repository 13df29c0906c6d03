import Foundation
import Search

/// The paper's filter ablation on one budget of proxy evaluations: plain evolution (no filters),
/// with CPV, with CPV and MOS. Each arm is a full run in its own folder inside the ablation's;
/// the baseline is trained once, before the arms' clocks start, and shared through each arm's
/// store. The table gives the proxy-evaluated losses, the wall-clock, the best AP, and how long
/// each arm took to reach the best AP of plain evolution (the paper's speed-up, about 20x for
/// CSE-Autoloss); it is written to ablation.txt (and the ablation's report.html) after every
/// arm, so that an ablation stopped in a later arm keeps the table of the arms it finished.
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

    /// The arms' names, which are their folders' names, in the order they run.
    public static let armNames = ["none", "cpv", "cpv-mos"]

    public var arms: [Arm] {
        zip(Self.armNames, [(false, false), (true, false), (true, true)]).map { name, filters in
            let (cpv, mos) = filters
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
            _ = try? ReportPage(folder: folder).write()
        }
        return text
    }

    /// One arm's figures for the table: from its summary as it ends, or from its store.
    public struct Row: Sendable {
        public var name: String
        public var screened: Int
        public var proxyEvaluated: Int
        public var seconds: Double
        public var hallOfFame: HallOfFame

        public init(name: String, summary s: SearchSummary) {
            self.init(name: name, screened: s.funnel.generated, proxyEvaluated: s.proxyEvaluations, seconds: s.seconds, hallOfFame: s.hallOfFame)
        }

        /// From the arm's store (its clock, see `RunClock`).
        public init(name: String, report r: RunReport) {
            self.init(name: name, screened: r.candidates.count, proxyEvaluated: r.candidates.filter { $0.stage(.proxy) != nil }.count,
                      seconds: r.clock.total, hallOfFame: r.hallOfFame)
        }

        public init(name: String, screened: Int, proxyEvaluated: Int, seconds: Double, hallOfFame: HallOfFame) {
            self.name = name
            self.screened = screened
            self.proxyEvaluated = proxyEvaluated
            self.seconds = seconds
            self.hallOfFame = hallOfFame
        }
    }

    /// The table's columns.
    public static let columns = ["arm", "screened", "proxy-evaluated", "wall-clock (s)", "best AP", "s to plain's best", "speed-up"]

    /// The paper's table, one row of cells per arm: the candidates screened, the proxy
    /// evaluations, the wall-clock, the best AP, and when the arm first reached plain
    /// evolution's best AP (the first row's), with plain evolution's time over that (the speed-up).
    public static func cells(_ rows: [Row]) -> [[String]] {
        let target = rows.first?.hallOfFame.top(1).first?.result.ap
        func timeToReach(_ r: Row) -> Double? {
            guard let target else { return nil }
            return r.hallOfFame.entries.filter { ($0.result.ap ?? -1) >= target - 1e-9 }.map(\.elapsed).min()
        }
        let plainTime = rows.first.flatMap(timeToReach)
        return rows.map { r in
            let reach = timeToReach(r)
            let speedup = (plainTime != nil && reach != nil && reach! > 0) ? String(format: "%.1fx", plainTime! / reach!) : "-"
            let best = r.hallOfFame.top(1).first?.result.ap.map { String(format: "%.2f", $0) } ?? "-"
            return [r.name, "\(r.screened)", "\(r.proxyEvaluated)", String(format: "%.1f", r.seconds), best,
                    reach.map { String(format: "%.1f", $0) } ?? "not reached", speedup]
        }
    }

    /// The table as text (ablation.txt).
    public func table(_ rows: [(name: String, summary: SearchSummary)]) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        var lines = ["", "Filter ablation (\(options.branch.rawValue), \(evaluations) proxy evaluations per arm, from scratch)",
                     "arm       screened  proxy-evaluated  wall-clock (s)  best AP  s to plain's best  speed-up"]
        for c in Self.cells(rows.map { Row(name: $0.name, summary: $0.summary) }) {
            lines.append(c[0].padding(toLength: 8, withPad: " ", startingAt: 0) + pad(c[1], 10) + pad(c[2], 17) + pad(c[3], 16)
                         + pad(c[4], 9) + pad(c[5], 19) + pad(c[6], 10))
        }
        return lines.joined(separator: "\n")
    }
}
