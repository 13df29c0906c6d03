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

    /// The arms' names, which are their folders' names, in the order they run. The last,
    /// multi-fidelity proxy training with hurdles (issue 18), runs where hurdles can: the built-in
    /// detector in this process.
    public static let armNames = ["none", "cpv", "cpv-mos", "cpv-mos-hurdles"]

    /// The rungs of the hurdles arm where the options name none.
    public static let defaultRungs = [0.25, 0.5]

    public var arms: [Arm] {
        var hurdles = options
        hurdles.rungs = options.rungs ?? Self.defaultRungs
        let withHurdles = hurdles.problem == nil
        return zip(Self.armNames, [(false, false, false), (true, false, false), (true, true, false), (true, true, true)]).compactMap { name, filters in
            let (cpv, mos, rungs) = filters
            if rungs && !withHurdles { return nil }
            var o = rungs ? hurdles : options
            if !rungs { o.rungs = nil }
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
        // The baseline, trained by the arm with the most stages (the last: its proxy training
        // scored at the hurdles' rungs).
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
        /// Whole proxy trainings spent (trainings a hurdle ended count their fraction).
        public var spent: Double

        public init(name: String, summary s: SearchSummary) {
            self.init(name: name, screened: s.funnel.generated, proxyEvaluated: s.proxyEvaluations, seconds: s.seconds, hallOfFame: s.hallOfFame,
                      spent: s.funnel.proxyEquivalents)
        }

        /// From the arm's store (its clock, see `RunClock`).
        public init(name: String, report r: RunReport) {
            let proxied = r.candidates.compactMap { $0.stage(.proxy) }
            self.init(name: name, screened: r.candidates.count, proxyEvaluated: proxied.count,
                      seconds: r.clock.total, hallOfFame: r.hallOfFame, spent: proxied.reduce(0) { $0 + ($1.result?.cost ?? 1) })
        }

        public init(name: String, screened: Int, proxyEvaluated: Int, seconds: Double, hallOfFame: HallOfFame, spent: Double? = nil) {
            self.name = name
            self.screened = screened
            self.proxyEvaluated = proxyEvaluated
            self.seconds = seconds
            self.hallOfFame = hallOfFame
            self.spent = spent ?? Double(proxyEvaluated)
        }
    }

    /// The table's columns.
    public static let columns = ["arm", "screened", "proxy-evaluated", "trainings spent", "wall-clock (s)", "best AP", "s to plain's best",
                                 "speed-up", "trainings to plain's best", "speed-up (trainings)"]

    /// The paper's table, one row of cells per arm: the candidates screened, the proxy
    /// evaluations and the whole trainings they cost, the wall-clock, the best AP, and when the
    /// arm first reached plain evolution's best AP (the first row's), in seconds and in whole
    /// proxy trainings spent, with plain evolution's over the arm's (the speed-ups). The
    /// trainings are the machine-independent clock: the wall-clock moves with the machine's
    /// load, and MOS and screening cost seconds against a training's minutes.
    public static func cells(_ rows: [Row]) -> [[String]] {
        let target = rows.first?.hallOfFame.top(1).first?.result.ap
        func reaching(_ r: Row) -> [HallOfFame.Entry] {
            guard let target else { return [] }
            return r.hallOfFame.entries.filter { ($0.result.ap ?? -1) >= target - 1e-9 }
        }
        func ratio(_ plain: Double?, _ arm: Double?) -> String {
            guard let plain, let arm, arm > 0 else { return "-" }
            return String(format: "%.1fx", plain / arm)
        }
        let plainTime = rows.first.flatMap { reaching($0).map(\.elapsed).min() }
        let plainSpent = rows.first.flatMap { reaching($0).map(\.spent).min() }
        return rows.map { r in
            let reach = reaching(r).map(\.elapsed).min(), spent = reaching(r).map(\.spent).min()
            let best = r.hallOfFame.top(1).first?.result.ap.map { String(format: "%.2f", $0) } ?? "-"
            return [r.name, "\(r.screened)", "\(r.proxyEvaluated)", String(format: "%.2f", r.spent), String(format: "%.1f", r.seconds), best,
                    reach.map { String(format: "%.1f", $0) } ?? "not reached", ratio(plainTime, reach),
                    spent.map { String(format: "%.2f", $0) } ?? "not reached", ratio(plainSpent, spent)]
        }
    }

    /// The table as text (ablation.txt).
    public func table(_ rows: [(name: String, summary: SearchSummary)]) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        var lines = ["", "Filter ablation (\(options.branch.rawValue), \(evaluations) proxy trainings per arm, from scratch)",
                     "arm              screened  proxy-evaluated  trainings spent  wall-clock (s)  best AP  s to plain's best  speed-up  trainings to plain's best  speed-up (trainings)"]
        for c in Self.cells(rows.map { Row(name: $0.name, summary: $0.summary) }) {
            lines.append(c[0].padding(toLength: 15, withPad: " ", startingAt: 0) + pad(c[1], 10) + pad(c[2], 17) + pad(c[3], 17) + pad(c[4], 16)
                         + pad(c[5], 9) + pad(c[6], 19) + pad(c[7], 10) + pad(c[8], 27) + pad(c[9], 22))
        }
        return lines.joined(separator: "\n")
    }
}
