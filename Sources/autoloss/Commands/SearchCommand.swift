import ArgumentParser
import Detection
import Foundation
import LossLanguage
import Report
import Search
import TensorEngine

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search a loss: evolution with CPV and MOS in front of proxy training.",
        discussion: """
        The run folder (--out) holds run.sqlite (every candidate and stage), search.log and \
        hall-of-fame.json. --resume DIR continues an interrupted run from its store; budgets given \
        with --resume replace the stored ones, and where evaluations run may change; any other \
        option is refused. Evaluators: 'detector' (the default: the built-in \
        proxy detector trained in process on --data, MOS and proxy schedules), 'simulation' (seconds \
        per candidate: a linear classifier or free boxes optimised with the loss), 'external' (your \
        training command, see docs/3-your-detector.md).
        """)

    @Option(help: "The searched slot: softmax, sigmoid (classification) or reg.")
    var branch: Branch?
    @Option(help: "Classification mode for a reg search: softmax or sigmoid.")
    var mode: Branch?
    // `.unconditional`: formulas often start with a minus (-log(i / u)).
    @Option(parsing: .unconditional, help: "The fixed loss of the other slot (default: giou for classification, ce or focal for reg).")
    var partner: String?
    @Option(parsing: .unconditional, help: "The hand-made loss the candidates are compared with (default: ce, focal or giou).")
    var baseline: String?
    @Option(help: "Generations.") var generations: Int?
    @Option(help: "Screened candidates per generation that go to MOS.") var population: Int?
    @Option(name: .customLong("top-k"), help: "Best by MOS that go to the proxy task.") var topK: Int?
    @Option(name: .customLong("top-p"), help: "Best by proxy AP that become parents.") var topP: Int?
    @Option(name: .customLong("max-evals"), help: "Budget of proxy trainings: whole ones, a training a hurdle ended counting its fraction, and MOS as the proxy's rung (--mos-rung) its fraction; MOS starts no training that would leave nothing for the proxy stage.") var maxEvals: Int?
    @Option(name: .customLong("time-limit"), help: "Wall-clock budget in minutes, from the start (the baseline's trainings included); no training starts that would end after it (see --allow-overrun).") var timeLimit: Double?
    @Flag(name: .customLong("allow-overrun"), help: "Start trainings that may end after --time-limit (the last ones then run to their end).") var allowOverrun = false
    @Option(name: .customLong("fit-minutes"), help: "Fit a detector search into this many minutes on this machine: measure its training speed, scale the schedules and the population to it, and stop in time.") var fitMinutes: Double?
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(help: "Dataset of the built-in evaluator; with --evaluator external, the data whose MOS verification images candidate.json names.") var data: String?
    @Option(help: "simulation, detector (the built-in proxy detector on --data) or external.") var evaluator: EvaluatorChoice?
    @Option(help: "The external evaluator's command; {dir} is the candidate's folder.") var command: String?
    @Option(help: "local or slurm (any evaluator: on Slurm each job runs `autoloss evaluate` on its candidate folder).") var executor: ExecutorChoice?
    // `.unconditional`: sbatch's own arguments begin with a dash (--sbatch-arg --gres=gpu:1).
    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue, help: "An extra sbatch argument (repeatable).") var sbatchArguments: [String] = []
    @Option(help: "Trainings at the same time (Slurm: jobs queued at once).") var jobs: Int?
    @Option(name: .customLong("eval-timeout"), help: "Seconds one external evaluation (or Slurm job) may take; past it, its processes are ended (the job cancelled) and it counts as failed.") var evalTimeout: Double?
    @Option(name: .customLong("schedule-scale"), help: "The built-in detector's proxy schedule at this fraction of its preset's steps, in (0, 4] (--fit-minutes chooses one).") var scheduleScale: Double?
    @Option(help: ArgumentHelp("Multi-fidelity proxy training: score each candidate's proxy training at these fractions of the schedule, and end it where it falls below the hurdle (the baseline's AP and the parents' there, less --hurdle-margin).", valueName: "F,F,...")) var rungs: String?
    @Option(name: .customLong("hurdle-margin"), help: ArgumentHelp("AP points below a rung's bar that still go on (default 2).", valueName: "AP")) var hurdleMargin: Double?
    @Option(name: .customLong("tuned-baseline"), help: ArgumentHelp("Measure candidates against the baseline pair as `autoloss tune-baseline --out DIR` tuned it: every training uses its best weight (and focal's alpha and gamma).", valueName: "DIR")) var tunedBaseline: String?
    @Option(name: .customLong("init-seed"), help: ArgumentHelp("Seed of every training's initial weights: a number, or 'seed' to follow each training's seed (default: the presets' fixed 0, the same start for every loss; built-in detector).", valueName: "N|seed"))
    var initSeed: String?
    @Option(help: ArgumentHelp("The convolutions' number format in every training: fp32, bf16 (bfloat16 inputs, float32 weights and outputs; needs AVX512_BF16 or AMX) or auto, the default (bf16 where the training's processor has it; built-in detector).", valueName: "fp32|bf16|auto")) var precision: Precision?
    @Option(name: .customLong("mos-seeds"), help: ArgumentHelp("MOS trainings per candidate (consecutive seeds), their AP averaged (built-in detector).", valueName: "N")) var mosSeeds: Int?
    @Option(name: .customLong("mos-rung"), help: ArgumentHelp("MOS as the proxy training's first rung: train on the proxy's images, stop at this fraction of its schedule, score its validation images; the candidates the proxy stage takes go on from there (built-in detector). Default: 0.25 in the reg branch, where it ranked candidates as the proxy does and the MOS preset did not; preset: the MOS preset.", valueName: "F|preset")) var mosRung: String?
    @Option(help: ArgumentHelp("generational (the paper's, the default: each generation waits for its slowest training) or async (no generations: each freed worker gets a promotion or a new candidate bred by tournament; keeps a cluster's workers busy).", valueName: "generational|async")) var schedule: Schedule?
    @Option(help: ArgumentHelp("With --schedule async: divide the population into this many islands, each breeding from its own live population and the best of the others (default 1).", valueName: "N")) var islands: Int?
    @Flag(name: .customLong("virtual-clock"), help: "With --evaluator simulation: time each training as a proxy detector's would take (about 8.6 s MOS, 146 s proxy, measured) on a virtual clock, without waiting: how a schedule would use --jobs workers.") var virtualClock = false
    @Flag(name: .customLong("from-scratch"), help: "Start from random formulas, not from the branch's known losses (focal, the published CSE-Autoloss losses, ...), which seed the first candidates by default: a search that has to find what the hand-made losses found.") var fromScratch = false
    @Flag(name: .customLong("no-cpv"), help: "Turn convergence property verification off.") var noCPV = false
    @Flag(name: .customLong("no-mos"), help: "Turn model optimisation simulation off.") var noMOS = false
    @Option(help: "The run folder (must not exist).") var out: String?
    @Option(help: "A run folder to continue.") var resume: String?
    @Flag(help: "Print progress as JSON lines.") var json = false
    @Flag(help: "At the search's end, confirm its best 3 losses against the tuned baseline (as `autoloss confirm RUN` does).") var confirm = false
    @Flag(help: "The filter ablation: the same proxy budget with no filters, with CPV, with CPV and MOS, and (built-in detector) with CPV, MOS and hurdles (--rungs, default 0.25,0.5).") var ablate = false

    /// Upper bounds of the numeric options (each far above a real search): past them a count
    /// overflowed or a search ran until killed. The lower bounds, and --jobs, are
    /// `SearchOptions.problem`'s.
    static let bounds: [(name: String, limit: Int)] = [
        ("--generations", 100_000), ("--population", 10_000), ("--top-k", 10_000), ("--top-p", 10_000), ("--max-evals", 1_000_000),
    ]
    static let maxMinutes = 527_040.0  // a year

    func validate() throws {
        for ((name, limit), value) in zip(Self.bounds, [generations, population, topK, topP, maxEvals]) {
            if let value, value > limit { throw ValidationError("\(name) must be at most \(limit) (got \(value))") }
        }
        if let timeLimit, !(timeLimit > 0 && timeLimit <= Self.maxMinutes) {
            throw ValidationError("--time-limit must be a positive number of minutes, at most \(Int(Self.maxMinutes)) (a year; got \(timeLimit))")
        }
        if resume == nil && branch == nil { throw ValidationError("give --branch softmax|sigmoid|reg, or --resume RUN") }
        // An empty path is the current folder to Foundation: "/here exists" named no option.
        for (flag, path) in [("--out", out), ("--resume", resume)] where path == "" {
            throw ValidationError("\(flag) '': give the run folder")
        }
        if resume != nil, !fixedOnResume.isEmpty {
            throw ValidationError("--resume cannot change \(fixedOnResume.joined(separator: ", ")): a run keeps its own task, losses, filters, schedules, evaluator, seed and folder; give only budgets (--generations, --max-evals, --time-limit, --allow-overrun) and where evaluations run (--executor, --sbatch-arg, --jobs, --eval-timeout) with it")
        }
    }

    /// The options given that set up a new run, which a resumed run keeps from its store (docs/1-first-search.md:
    /// budgets and where evaluations run may change on resume, what they compute may not).
    var fixedOnResume: [String] {
        let given: [(String, Bool)] = [
            ("--branch", branch != nil), ("--mode", mode != nil), ("--partner", partner != nil), ("--baseline", baseline != nil),
            ("--population", population != nil), ("--top-k", topK != nil), ("--top-p", topP != nil), ("--fit-minutes", fitMinutes != nil),
            ("--seed", seed != nil), ("--data", data != nil), ("--evaluator", evaluator != nil), ("--command", command != nil),
            ("--schedule-scale", scheduleScale != nil), ("--rungs", rungs != nil), ("--hurdle-margin", hurdleMargin != nil),
            ("--tuned-baseline", tunedBaseline != nil), ("--init-seed", initSeed != nil), ("--precision", precision != nil), ("--mos-seeds", mosSeeds != nil),
            ("--mos-rung", mosRung != nil), ("--no-cpv", noCPV), ("--no-mos", noMOS), ("--out", out != nil), ("--ablate", ablate),
            ("--schedule", schedule != nil), ("--virtual-clock", virtualClock),
            ("--islands", islands != nil), ("--from-scratch", fromScratch),
        ]
        return given.filter(\.1).map(\.0)
    }

    func run() throws {
        if let resume { return try resumeRun(resume) }
        var o = SearchOptions(branch: branch!, mode: mode, partner: partner, baseline: baseline)
        if let seed { o.seed = seed }
        if let generations { o.generations = generations }
        if let population { o.population = population }
        if let topK { o.topK = topK }
        if let topP { o.topP = topP }
        o.maxEvaluations = maxEvals
        o.timeLimitMinutes = timeLimit
        o.chooseEvaluator(evaluator, command: command, data: data)
        o.executor = chosenExecutor(jobs: jobs ?? 1)
        o.usesCPV = !noCPV
        o.usesMOS = !noMOS
        o.seedWithKnownLosses = !fromScratch
        if let schedule, schedule != .generational { o.schedule = schedule }
        if virtualClock { o.virtualClock = true }
        if let islands, islands != 1 { o.islands = islands }
        if allowOverrun { o.allowOverrun = true }
        o.evalTimeoutSeconds = evalTimeout
        o.scheduleScale = scheduleScale
        o.rungs = try rungs.map { try commaList($0, option: "--rungs") { Double($0) } }  // ranges: SearchOptions.problem
        o.hurdleMargin = hurdleMargin
        o.mosSeeds = mosSeeds
        o.initSeed = try initSeed.map { text in
            guard let seed = InitSeed(text) else { throw CLIError("--init-seed \(text): give a whole number, or 'seed' to follow each training's seed") }
            return seed
        }
        o.precision = o.defaultPrecision(precision)
        o.mosRung = try mosRungChoice(o)
        if let tunedBaseline {
            let tuning = try TunedBaseline.read(tunedBaseline)
            if let mismatch = tuning.mismatch(with: o) { throw CLIError("--tuned-baseline \(tunedBaseline): \(mismatch)") }
            o.tuned = tuning.setting
        }
        if let problem = o.problem { throw CLIError(problem) }
        let data = try o.resolveData(searchingFrom: DetectorData.searchPath)
        if let fitMinutes { try fit(&o, minutes: fitMinutes, data: data) }
        if confirm && ablate { throw CLIError("--confirm confirms one run: confirm an ablation's arm with `autoloss confirm ARM`") }
        let folder = URL(fileURLWithPath: out ?? "runs/\(o.branch.rawValue)-\(Self.timestamp())")
        if ablate { return try ablation(o, folder: folder) }
        // The evaluator is made (the detector's data resolved, once) before the folder, so that
        // bad data leaves nothing behind.
        let run = SearchRun(folder: RunFolder(folder), json: json)
        let evaluator = try o.makeExecutor(folder: run.folder, data: data, worker: Worker.binary)
        let store = try run.folder.create(o)
        try run.run(o, store: store, evaluator: evaluator)
        if confirm { try confirmRun(run.folder, store: store, options: o) }
    }

    /// `--confirm`: the run's best 3 losses confirmed with `confirm`'s defaults; `locked`: the
    /// caller holds the run's lock.
    func confirmRun(_ folder: RunFolder, store: RunStore, options o: SearchOptions, locked: Bool = false) throws {
        let (best, notes) = ConfirmCommand.choose(try RunReport(store: store), top: 3)
        guard !best.isEmpty else { throw CLIError("--confirm: the search trained no loss on the proxy task: nothing to confirm") }
        let plan = Confirmation(branch: o.branch, mode: o.mode, partner: o.partner, baseline: o.baseline, losses: best)
        try ConfirmCommand.confirm(plan, options: o, folder: folder, store: store, locked: locked, notes: notes)
    }

    /// `--mos-rung`: a fraction, `preset`, or where not given the branch's default on the
    /// built-in detector (`SearchOptions.defaultMOSRungs`).
    func mosRungChoice(_ o: SearchOptions) throws -> Double? {
        switch mosRung {
        case "preset"?: return nil
        case let text?:
            guard let f = Double(text) else { throw CLIError("--mos-rung '\(text)': give a fraction of the proxy schedule (e.g. 0.25) or preset") }
            return f  // its range: SearchOptions.problem
        case nil:
            guard case .detector = o.evaluator, o.usesMOS else { return nil }
            return SearchOptions.defaultMOSRungs[o.branch]
        }
    }

    /// `--executor` with its `--sbatch-arg`s (local when none is given).
    func chosenExecutor(jobs: Int) -> ExecutorChoice {
        executor?.name == "slurm" ? .slurm(arguments: sbatchArguments, jobs: jobs) : .local(jobs: jobs)
    }

    /// `--resume DIR`: a run, or a filter ablation (`FilterAblation.isAblation`), goes on.
    func resumeRun(_ path: String) throws {
        let folder = RunFolder(path: path)
        if FilterAblation.isAblation(folder.url) { return try resumeAblation(folder.url) }
        // The run's lock before anything is written to it (a migration, the options): a resume
        // refused because another process writes the run leaves the run as it was.
        let (store, lock) = try folder.openLocked()
        defer { lock.release() }
        let o = try resumed(store.options())
        try store.updateResumable(o)
        let run = SearchRun(folder: folder, json: json)
        try run.run(o, store: store, evaluator: o.makeExecutor(folder: folder, data: o.resolveData(searchingFrom: DetectorData.searchPath), worker: Worker.binary),
                    locked: true)
        if confirm { try confirmRun(folder, store: store, options: o, locked: true) }
    }

    /// A stored run's options with this command's budgets and execution. Where and how
    /// evaluations run may change on resume (a partition that was wrong, a longer time limit);
    /// what they compute may not.
    func resumed(_ stored: SearchOptions) throws -> SearchOptions {
        var o = stored
        if let generations { o.generations = generations }
        if let maxEvals { o.maxEvaluations = maxEvals }
        if let timeLimit { o.timeLimitMinutes = timeLimit }
        if allowOverrun { o.allowOverrun = true }
        if executor != nil { o.executor = chosenExecutor(jobs: o.executor.jobs) }
        if !sbatchArguments.isEmpty, case .slurm(_, let j) = o.executor { o.executor = .slurm(arguments: sbatchArguments, jobs: j) }
        if let jobs { o.executor = o.executor.with(jobs: jobs) }
        if let evalTimeout { o.evalTimeoutSeconds = evalTimeout }
        if let problem = o.problem { throw CLIError(problem) }
        return o
    }

    /// The filter ablation: the arms run as searches on the terminal, the table printed at the
    /// end.
    func ablation(_ o: SearchOptions, folder: URL) throws {
        let ablation = FilterAblation(options: o, folder: folder)
        let data = try o.resolveData(searchingFrom: DetectorData.searchPath)
        print(try ablation.run(evaluators: armEvaluators(data), announce: announce, runArm: runArm))
    }

    /// A stopped ablation goes on: every arm resumed with this command's budgets and execution
    /// (the same for all, so the arms stay comparable), the table printed at the end. An
    /// ablation spans sessions: four arms of 30 proxy trainings are hours on two cores.
    func resumeAblation(_ folder: URL) throws {
        // The ablation's lock first, as a run's: a second resume is refused before it writes
        // the arms' options.
        let lock = try RunFolder(folder).lock()
        defer { lock.release() }
        let (ablation, arms) = try FilterAblation.stored(folder, adjust: resumed)
        for (arm, store) in arms { try store.updateResumable(arm.options) }
        let data = try arms[0].0.options.resolveData(searchingFrom: DetectorData.searchPath)
        print(try ablation.resume(arms.map { ($0, $1) }, evaluators: armEvaluators(data), announce: announce, runArm: runArm))
    }

    /// Each arm's evaluator, made for its own options (the hurdles arm's scores its rungs) in its
    /// folder, on the data resolved once.
    func armEvaluators(_ data: DetectorData?) -> FilterAblation.Evaluators {
        { try $0.options.makeExecutor(folder: $0.folder, data: data, worker: Worker.binary) }
    }

    func announce(_ line: String) { if !json { print(line) } }

    func runArm(_ arm: FilterAblation.Arm, store: RunStore, evaluator: any Executor) throws -> SearchSummary {
        try SearchRun(folder: arm.folder, json: json).run(arm.options, store: store, evaluator: evaluator)
    }

    /// `--fit-minutes`: measures this machine's training speed on the baseline, fits the
    /// schedules and the population into the minutes (`TimeFit`), says what it chose, and sets
    /// the time limit to what is left of them.
    func fit(_ o: inout SearchOptions, minutes: Double, data: DetectorData?) throws {
        guard case .detector = o.evaluator, let data, minutes > 0, minutes.isFinite else {
            throw CLIError("--fit-minutes needs a positive number of minutes and the built-in detector (--evaluator detector)")
        }
        let start = Date()
        let losses = try o.losses()
        if !json { print("measuring this machine's training speed (a few steps of the proxy detector)...") }
        ThreadWidth.settle()
        let speed = try data.measureSpeed(losses.baselinePair, precision: o.precision ?? .fp32)
        let left = minutes * 60 - Date().timeIntervalSince(start)
        let plan = try TimeFit.plan(seconds: left, speed: speed, data: data, options: o)
        o.scheduleScale = plan.scale == 1 ? nil : plan.scale
        o.population = plan.population
        o.timeLimitMinutes = left / 60
        o.planned = plan.planned
        if !json {
            print(String(format: "measured %.0f ms per proxy training step, %.0f ms per MOS step, %.1f ms per scored image (%@)",
                         1000 * (speed.secondsPerStep[.proxy] ?? 0), 1000 * (speed.secondsPerStep[.mos] ?? 0),
                         1000 * speed.evalSecondsPerImage, Self.processor))
            print("plan: " + plan.explanation(topK: o.topK) + "; then more generations while the time lasts")
        }
    }

    /// "AVX-512" or "AVX2" (or neither): what the vector kernels run on here.
    static var processor: String {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return flags.contains(" avx512f") ? "AVX-512" : (flags.contains(" avx2") ? "AVX2" : "no AVX2")
    }

    static func timestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: Date())
    }
}

extension SearchOptions {
    /// `--precision` as search and confirm read it for a new run: the given one, else `auto`
    /// where the built-in detector trains (nil: the evaluator has no such setting).
    func defaultPrecision(_ given: Precision?) -> Precision? {
        if case .detector = evaluator { return given ?? .auto }
        return given
    }

    /// `--evaluator`, `--command` and `--data` as search and confirm read them: the detector on
    /// shapes unless told otherwise, external where a command is given; with an external
    /// evaluator the data names the MOS verification images.
    mutating func chooseEvaluator(_ choice: EvaluatorChoice?, command: String?, data: String?) {
        switch choice ?? (command != nil ? .external(command: "") : .detector(data: "shapes")) {
        case .simulation: evaluator = .simulation
        case .detector: evaluator = .detector(data: data ?? "shapes")
        case .external:
            evaluator = .external(command: command ?? "")
            verificationData = data
        }
    }
}
