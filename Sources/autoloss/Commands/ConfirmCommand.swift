import ArgumentParser
import Detection
import Foundation
import LossLanguage
import Report
import Search
import TensorEngine

/// `autoloss confirm`: did the search find anything? The run's top losses and its baseline, each
/// tuned, trained over seeds and horizons, with the verdict against the tuned baseline
/// (`Confirmation`). Exit 0 done, 2 bad input, 3 I/O or every training failed, 130 / 143
/// interrupted (the same command goes on).
struct ConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Confirm a run's best losses against its tuned baseline: tuned, several seeds, two horizons, Welch's intervals.",
        discussion: """
        Each loss (the baseline too) gets its regression weight (and for sigmoid focal alpha and \
        gamma) tuned by successive halving: the first seed of each setting is scored at 1/4 and \
        1/2 of its schedule (built-in detector), and ends there where it falls more than 1 AP \
        behind the best so far. The two best settings on that seed train with every seed, and the \
        better mean is the tuned setting (--finalists), then trained with every seed at each horizon \
        (x2: twice the steps). Per loss: AP mean ± sd, the difference to the baseline with its 95 % \
        Welch interval, and a verdict (better: the interval above 0; worse: below; else level). \
        Everything goes to the run store (report shows it); the same command continues an \
        interrupted confirmation. Without a run, confirm losses on a task directly: \
        autoloss confirm --data shapes --mode sigmoid --baseline focal --losses 'bce' --out runs/q1
        """)

    @Argument(help: "The run folder (or its run.sqlite) whose best losses are confirmed.") var runFolder: String?
    @Option(help: "How many of the run's best distinct losses (a loss whose proxy training ended with the same figures as a better one's is left out).") var top = 3
    @Option(help: ArgumentHelp("Training seeds of each tuned loss (the first also tunes).", valueName: "S,S,...")) var seeds = "1,2,3"
    @Option(help: ArgumentHelp("Multiples of the schedule each tuned loss trains at.", valueName: "H,H,...")) var horizons = "1,2"
    @Option(help: ArgumentHelp("Regression weights of the tuning.", valueName: "W,W,...")) var weights = "0.5,1,2,3,5"
    @Option(help: "How many of the tuning's best settings on the first seed train with every seed, the best mean among them being the tuned setting (1: the first seed alone chooses).") var finalists = 2
    @Flag(name: .customLong("fixed-grid"), help: "Keep to --weights even where the best weight is the grid's largest or smallest (by default the grid grows past that edge, up to 2 weights more).")
    var fixedGrid = false
    @Option(help: "Trainings at the same time (default: the run's).") var jobs: Int?
    @Option(help: "local or slurm (default: the run's).") var executor: ExecutorChoice?
    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue, help: "An extra sbatch argument (repeatable).") var sbatchArguments: [String] = []
    @Option(name: .customLong("eval-timeout"), help: "Seconds one external evaluation (or Slurm job) may take.") var evalTimeout: Double?
    // Without a run: the task and the losses.
    @Option(help: "Without a run: the data (shapes, a shapes variant, coco128 or a folder).") var data: String?
    @Option(help: "Without a run: the classification mode, softmax or sigmoid.") var mode: Branch?
    @Option(help: "Without a run: the confirmed slot (default: the classification slot).") var branch: Branch?
    @Option(parsing: .unconditional, help: "Without a run: the baseline loss of the confirmed slot (default: ce, focal or giou).") var baseline: String?
    @Option(parsing: .unconditional, help: "Without a run: the loss of the other slot (default: giou, or ce / focal).") var partner: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Without a run: the losses to confirm, names or formulas, comma-separated (commas inside a formula's parentheses stay in it).", valueName: "LOSS,LOSS,...")) var losses: String?
    @Option(help: "Without a run: simulation, detector or external.") var evaluator: EvaluatorChoice?
    @Option(help: "Without a run: the external evaluator's command; {dir} is the candidate's folder.") var command: String?
    @Option(name: .customLong("schedule-scale"), help: "Without a run: the proxy schedule at this fraction of its preset's steps.") var scheduleScale: Double?
    @Option(help: ArgumentHelp("Without a run: the convolutions' number format in every training: fp32, bf16 (bfloat16 inputs, float32 weights and outputs; needs AVX512_BF16 or AMX) or auto, the default (bf16 where the training's processor has it; built-in detector).", valueName: "fp32|bf16|auto")) var precision: Precision?
    @Option(help: "Without a run: the folder its store goes in (an existing one is continued).") var out: String?

    func validate() throws {
        if (runFolder == nil) == (losses == nil) { throw ValidationError("give a run folder, or --losses with --out for losses without a run") }
        if runFolder != nil, data != nil || mode != nil || branch != nil || baseline != nil || partner != nil || evaluator != nil || command != nil
            || scheduleScale != nil || out != nil || precision != nil {
            throw ValidationError("a run brings its own task, losses and evaluator: give only --top, --seeds, --horizons, --weights and where trainings run (--jobs, --executor, --sbatch-arg, --eval-timeout) with it")
        }
        if losses != nil, out == nil { throw ValidationError("--losses needs --out DIR for the confirmation's store") }
        if !(1...100).contains(top) { throw ValidationError("--top must be from 1 to 100 (got \(top))") }
    }

    func run() throws {
        let (folder, store, o, plan, notes) = try prepare()
        try Self.confirm(plan, options: o, folder: folder, store: store, notes: notes)
    }

    /// The run's folder, store, options and plan: a run's own, or made from the options.
    func prepare() throws -> (RunFolder, RunStore, SearchOptions, Confirmation, notes: [String]) {
        let seedList = try commaList(seeds, option: "--seeds") { UInt64($0) }
        let horizonList = try commaList(horizons, option: "--horizons") { Double($0).flatMap { $0 > 0 && $0 <= 8 ? $0 : nil } }
        let weightList = try commaList(weights, option: "--weights") { Float($0).flatMap { $0 >= 0 && $0 <= 1000 ? $0 : nil } }
        var o: SearchOptions, folder: RunFolder, store: RunStore?, chosen: [String], notes: [String] = []
        if let run = runFolder {
            folder = RunFolder(path: run)
            let opened = try folder.open()
            store = opened
            o = try opened.options()
            let report = try RunReport(store: opened)
            (chosen, notes) = Self.choose(report, top: top)
            if chosen.isEmpty { throw CLIError("\(run): the run has no loss trained on the proxy task yet: nothing to confirm") }
        } else {
            let mode = mode ?? .softmax
            o = SearchOptions(branch: branch ?? mode, mode: mode, partner: partner, baseline: baseline)
            o.chooseEvaluator(evaluator, command: command, data: data)
            o.scheduleScale = scheduleScale
            folder = RunFolder(path: out!)
            store = FileManager.default.fileExists(atPath: folder.storePath) ? try folder.open() : nil
            chosen = Self.split(losses!)
            // A continued confirmation keeps the number format its first trainings had.
            let stored = try store?.options().precision
            if let store, let precision, precision != stored {
                throw CLIError("--precision \(precision.rawValue): \(store.path) trained \((stored ?? .fp32).rawValue); give that, or a new --out")
            }
            o.precision = store == nil ? o.defaultPrecision(precision) : stored
        }
        if let jobs { o.executor = o.executor.with(jobs: jobs) }
        if let executor { o.executor = executor.name == "slurm" ? .slurm(arguments: sbatchArguments, jobs: o.executor.jobs) : .local(jobs: o.executor.jobs) }
        if let evalTimeout { o.evalTimeoutSeconds = evalTimeout }
        if let problem = o.problem { throw CLIError(problem) }
        var plan = Confirmation(branch: o.branch, mode: o.mode, partner: o.partner, baseline: o.baseline, losses: chosen, seeds: seedList,
                                horizons: horizonList)
        plan.weights = weightList
        plan.finalists = finalists
        if fixedGrid { plan.edgeExtensions = 0 }
        if let problem = plan.problem { throw CLIError(problem) }
        _ = try o.losses()
        // A new folder only for a plan that can run.
        return (folder, try store ?? folder.create(o), o, plan, notes)
    }

    /// A run's best `top` losses that trained differently (`HallOfFame.distinct`), and a line
    /// for each one left out as a twin.
    static func choose(_ report: RunReport, top: Int) -> (losses: [String], notes: [String]) {
        let (chosen, twins) = report.hallOfFame.distinct(top)
        let notes = twins.map { t in
            "\(t.twin.expr.infix) is left out: its proxy training ended with every figure equal to that of \(t.of.expr.infix)"
                + (t.of.result.ap.map { String(format: " (AP %.2f)", $0) } ?? "") + ": the two trained alike"
        }
        return (chosen.map(\.expr.infix), notes)
    }

    /// Tunes and trains the plan through the run's evaluator, where it says; prints the table.
    static func confirm(_ plan: Confirmation, options o: SearchOptions, folder: RunFolder, store: RunStore, locked: Bool = false,
                        notes: [String] = []) throws {
        let lock = locked ? nil : try folder.lock()
        defer { lock?.release() }
        let data = try o.resolveData(searchingFrom: DetectorData.searchPath)
        // Every contender tunes its own setting: none inherits the run's tuned baseline.
        var training = o
        training.tuned = nil
        training.rungs = nil
        training.mosRung = nil
        var tuning = training
        if case .detector = o.evaluator { tuning.rungs = plan.rungs }
        let log = ConfirmationLog(url: folder.confirmationLog)
        // A status line at least every 15 s while trainings run, as a search's.
        let status = LiveStatus(interval: ProcessInfo.processInfo.environment["AUTOLOSS_STATUS_SECONDS"].flatMap(Double.init) ?? 15,
                                tag: { "[confirm \($0.formula)]" })
        status.start { log.line($0); status.wrote() }
        defer { status.stop() }
        for note in notes { log.line("confirm: " + note) }
        log.line(budget(plan, options: o, data: data, store: store))
        // A log that cannot take its first line stops the confirmation before any training.
        if let error = log.failure { throw error }
        let stop = StopRequest()
        Interruption.install(stop, stopping: "the trainings under way end now; the finished ones are kept, the same command goes on")
        let run = try ConfirmationRun(plan: plan, store: store,
                                      tuning: tuning.makeExecutor(folder: folder, data: data, worker: Worker.binary),
                                      training: training.makeExecutor(folder: folder, data: data, worker: Worker.binary),
                                      stop: stop, log: { log.line("confirm: " + $0); status.wrote() }, observe: status.record)
        let summary: ConfirmationSummary
        do { summary = try run.run() } catch let stopped as SearchStopped {
            log.line("confirm: interrupted; the finished trainings are in \(store.path), the same command goes on")
            throw ExitCode(128 + stopped.signal)
        }
        try? FileManager.default.removeItem(at: folder.checkpoints)
        _ = try? ReportPage(folder: folder).write()
        let table = ConfirmationTable(summary).text
        log.line(table, echo: false)
        print(table)
        if let error = log.failure { throw error }
    }

    /// "confirming 3 losses and the baseline ce: at most 52 trainings, about 2.1 hours at 140 s a training".
    static func budget(_ plan: Confirmation, options o: SearchOptions, data: DetectorData?, store: RunStore) -> String {
        let most = plan.maxTrainings
        // The pace of this confirmation's own trainings where it has any (a resumed one), else
        // the run's baseline training, else a few timed steps of the detector.
        var seconds = ConfirmationTraining.typicalSeconds(of: (try? store.confirmationTrainings()) ?? [])
            ?? (try? store.baseline(name: o.baseline, stage: .proxy))??.seconds
        if seconds == nil, case .detector = o.evaluator, let data, let pair = try? o.losses().baselinePair,
           let speed = try? data.measureSpeed(pair) {
            var schedule = data.schedule(for: .proxy)
            if let f = o.scheduleScale { schedule = schedule.scaled(f) }
            seconds = speed.seconds(.proxy, schedule: schedule, trainImages: schedule.trainImages ?? 0, evalImages: schedule.evalImages ?? 0)
        }
        let time = seconds.map { s in
            let total = most * s / Double(max(1, o.executor.jobs))
            return String(format: ", about %@ at %.0f s a training, %d at a time",
                          total < 3600 ? String(format: "%.0f min", max(1, total / 60)) : String(format: "%.1f hours", total / 3600), s, o.executor.jobs)
        } ?? " (the time a training takes is known after the first)"
        return "confirming \(plan.contenders.count - 1) loss\(plan.contenders.count == 2 ? "" : "es") against the baseline \(plan.contenders[0].loss): "
            + String(format: "at most %.0f trainings (each loss's tuning and its finalists' seeds, then %d seed%@ at horizons %@; a training at x2 counts 2)", most, plan.seeds.count,
                     plan.seeds.count == 1 ? "" : "s",
                     plan.horizons.map { "x" + ConfirmationTable.number($0) }.joined(separator: ", ")) + time
    }

    /// Splits at the commas outside parentheses: `dot(y, log(softmax(x))),bce` is two losses.
    static func split(_ text: String) -> [String] {
        var items: [String] = [], current = "", depth = 0
        for ch in text {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                items.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        items.append(current)
        return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// confirm.log and the terminal: each line to both (the table to the terminal by `print`); the
/// first line the log could not take is the command's error at its end (exit 3).
final class ConfirmationLog: @unchecked Sendable {
    let url: URL
    private(set) var failure: Error?
    private let lock = NSLock()

    init(url: URL) { self.url = url }

    func line(_ text: String, echo: Bool = true) {
        lock.lock()
        defer { lock.unlock() }
        if echo { printError(text) }
        do { try RunFile.append(Data((text + "\n").utf8), to: url) } catch {
            if failure == nil { failure = error }
        }
    }
}
