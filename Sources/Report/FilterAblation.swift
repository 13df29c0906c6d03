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

    public var tablePath: URL { folder.ablationTable }

    /// What an arm's evaluations run on: made for its options (the hurdles arm's evaluator
    /// scores the rungs, the others' do not) and its folder.
    public typealias Evaluators = (Arm) throws -> any Executor
    /// Runs an arm's search with its evaluator.
    public typealias ArmRun = (Arm, RunStore, any Executor) throws -> SearchSummary

    /// Runs the arms in order, each by `runArm` with its evaluator; returns the table. The last
    /// arm's evaluator trains the baseline; `announce` says what is about to happen.
    public func run(evaluators: Evaluators, announce: (String) -> Void, runArm: ArmRun) throws -> String {
        if FileManager.default.fileExists(atPath: folder.url.path) {
            throw SearchError.ablationExists(path: folder.url.path)
        }
        let arms = self.arms
        let stores = try arms.map { try $0.folder.create($0.options) }
        // Held while the arms run, as a resume of the ablation holds it: one process at a time.
        let lock = try folder.lock()
        defer { lock.release() }
        return try resume(zip(arms, stores).map { ($0, $1) }, evaluators: evaluators, announce: announce, runArm: runArm)
    }

    /// Whether `url` holds a filter ablation (its arms' stores; no run of its own).
    public static func isAblation(_ url: URL) -> Bool {
        let fm = FileManager.default
        return !fm.fileExists(atPath: RunFolder(url).storePath)
            && fm.fileExists(atPath: RunFolder(url.appendingPathComponent(armNames[0])).storePath)
    }

    /// The arms of a stopped ablation, each with the options its store was created with, passed
    /// through `adjust` (where evaluations run may change on resume; what they compute may not).
    public static func stored(_ url: URL, adjust: (SearchOptions) throws -> SearchOptions) throws -> (FilterAblation, [(Arm, RunStore)]) {
        let arms = try armNames.map { RunFolder(url.appendingPathComponent($0)) }
            .filter { FileManager.default.fileExists(atPath: $0.storePath) }
            .map { folder -> (Arm, RunStore) in
                let store = try folder.open()
                return (Arm(name: folder.url.lastPathComponent, options: try adjust(store.options()), folder: folder), store)
            }
        guard let first = arms.first else { throw SearchError.options("\(url.path) holds no filter ablation") }
        // The table's title (branch, budget) is the arms'.
        return (FilterAblation(options: first.0.options, folder: url), arms)
    }

    /// Runs the arms, new (`run`) or of a stopped ablation (`stored`): the baseline, trained once
    /// (by the arm with the most stages, the last: its proxy training scored at the hurdles'
    /// rungs; a store that has it already trains nothing) and copied to the other arms, then
    /// every arm as a search (an arm that had ended ends again at once: its budget is spent). The
    /// table is written after every arm, from the arms' stores, so that it is whole and counts
    /// the time of every session of a resumed ablation.
    public func resume(_ arms: [(arm: Arm, store: RunStore)], evaluators: Evaluators, announce: (String) -> Void, runArm: ArmRun) throws -> String {
        // One evaluator per arm (the built-in detector prepares its images on first use): the
        // last arm's trains the baseline and then that arm's candidates on the same images.
        let armEvaluators = try arms.map { try evaluators($0.arm) }
        let last = arms[arms.count - 1]
        announce("training the baseline \(last.arm.options.baseline) once for all arms")
        try Evolution(options: last.arm.options, store: last.store, evaluator: armEvaluators[arms.count - 1]).measureBaselines()
        for (_, store) in arms.dropLast() { try store.copyBaselines(from: last.store) }
        var rows: [Row] = []
        var text = ""
        for ((arm, store), evaluator) in zip(arms, armEvaluators) {
            announce("\n== arm: \(arm.name)")
            _ = try runArm(arm, store, evaluator)
            rows.append(Row(name: arm.name, report: try RunReport(store: store)))
            text = table(rows)
            try RunFile.replace(tablePath, with: Data(text.utf8))
            _ = try? ReportPage(folder: folder).write()
        }
        return text
    }

    /// One arm's figures for the table, from its store.
    public struct Row: Sendable {
        public var name: String
        public var screened: Int
        public var proxyEvaluated: Int
        public var seconds: Double
        public var hallOfFame: HallOfFame
        /// Whole proxy trainings spent (trainings a hurdle ended count their fraction).
        public var spent: Double

        /// From the arm's store (its clock, see `RunClock`).
        public init(name: String, report r: RunReport) {
            let proxied = r.candidates.compactMap { $0.stage(.proxy) }
            self.init(name: name, screened: r.candidates.count, proxyEvaluated: proxied.count,
                      seconds: r.clock.total, hallOfFame: r.hallOfFame, spent: r.trainingsSpent)
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
        let target = rows.first.flatMap(best)
        func ratio(_ plain: Double?, _ arm: Double?) -> String {
            guard let plain, let arm, arm > 0 else { return "-" }
            return String(format: "%.1fx", plain / arm)
        }
        let plain = rows.first.map { reach($0, target) }
        return rows.map { r in
            let (seconds, spent) = reach(r, target)
            return [r.name, "\(r.screened)", "\(r.proxyEvaluated)", String(format: "%.2f", r.spent), String(format: "%.1f", r.seconds),
                    best(r).map { String(format: "%.2f", $0) } ?? "-",
                    seconds.map { String(format: "%.1f", $0) } ?? "not reached", ratio(plain?.elapsed, seconds),
                    spent.map { String(format: "%.2f", $0) } ?? "not reached", ratio(plain?.spent, spent)]
        }
    }

    /// Whole proxy trainings each arm spent to first reach every arm's best AP: one column per
    /// level, the arms' best APs ascending, each named by the first arm that holds it. Plain
    /// evolution's best alone can be a low bar that one lucky early training clears; the higher
    /// levels show which filters reach a good loss sooner.
    public static func levels(_ rows: [Row]) -> (header: [String], cells: [[String]]) {
        var levels: [(ap: Double, arm: String)] = []
        for r in rows {
            guard let ap = best(r), !levels.contains(where: { abs($0.ap - ap) < 1e-9 }) else { continue }
            levels.append((ap, r.name))
        }
        levels.sort { $0.ap < $1.ap }
        let header = ["arm"] + levels.map { String(format: "%.2f", $0.ap) + " (\($0.arm))" }
        return (header, rows.map { r in
            [r.name] + levels.map { level in reach(r, level.ap).spent.map { String(format: "%.2f", $0) } ?? "-" }
        })
    }

    /// The levels table's title, in ablation.txt and on the report page.
    public static let levelsTitle = "Whole proxy trainings to each arm's best AP (-: not reached)"

    /// An arm's best proxy AP.
    static func best(_ r: Row) -> Double? { r.hallOfFame.top(1).first?.result.ap }

    /// When the arm first reached `target`: seconds into its run and whole trainings spent.
    static func reach(_ r: Row, _ target: Double?) -> (elapsed: Double?, spent: Double?) {
        guard let target else { return (nil, nil) }
        let reaching = r.hallOfFame.entries.filter { ($0.result.ap ?? -1) >= target - 1e-9 }
        return (reaching.map(\.elapsed).min(), reaching.map(\.spent).min())
    }

    /// The table as text (ablation.txt).
    public func table(_ rows: [Row]) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        // One row of either table: the arm left-aligned in the first width, each other cell
        // right-aligned in its own.
        func line(_ c: [String], _ widths: [Int]) -> String {
            zip(c, widths).dropFirst().reduce(c[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)) { $0 + pad($1.0, $1.1) }
        }
        let armWidths = [15, 10, 17, 17, 16, 9, 19, 10, 27, 22]
        var lines = ["", "Filter ablation (\(options.branch.rawValue), \(evaluations) proxy trainings per arm, from scratch)",
                     "arm              screened  proxy-evaluated  trainings spent  wall-clock (s)  best AP  s to plain's best  speed-up  trainings to plain's best  speed-up (trainings)"]
        lines += Self.cells(rows).map { line($0, armWidths) }
        let (header, cells) = Self.levels(rows)
        let widths = [armWidths[0]] + header.dropFirst().map { max($0.count, 8) + 2 }
        lines += ["", Self.levelsTitle, line(header, widths)] + cells.map { line($0, widths) }
        return lines.joined(separator: "\n")
    }
}
