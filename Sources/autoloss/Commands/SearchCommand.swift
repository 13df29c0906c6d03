import ArgumentParser
import Detection
import Foundation
import LossLanguage
import Search

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search a loss: evolution with CPV and MOS in front of proxy training.",
        discussion: """
        The run folder (--out) holds run.sqlite (every candidate and stage), search.log and \
        hall-of-fame.json. --resume DIR continues an interrupted run from its store; budgets given \
        with --resume replace the stored ones. Evaluators: 'detector' (the default: the built-in \
        proxy detector trained in process on --data, MOS and proxy schedules), 'simulation' (seconds \
        per candidate: a linear classifier or free boxes optimised with the loss), 'external' (your \
        training command, see README).
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
    @Option(name: .customLong("max-evals"), help: "Budget of proxy evaluations.") var maxEvals: Int?
    @Option(name: .customLong("time-limit"), help: "Wall-clock budget in minutes.") var timeLimit: Double?
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(help: "Dataset of the built-in evaluator.") var data: String?
    @Option(help: "simulation, detector (the built-in proxy detector on --data) or external.") var evaluator: String?
    @Option(help: "The external evaluator's command; {dir} is the candidate's folder.") var command: String?
    @Option(help: "local or slurm (external evaluator).") var executor: String?
    @Option(name: .customLong("sbatch-arg"), help: "An extra sbatch argument (repeatable).") var sbatchArguments: [String] = []
    @Option(help: "Trainings at the same time (Slurm: jobs queued at once).") var jobs: Int?
    @Flag(name: .customLong("no-cpv"), help: "Turn convergence property verification off.") var noCPV = false
    @Flag(name: .customLong("no-mos"), help: "Turn model optimisation simulation off.") var noMOS = false
    @Option(help: "The run folder (must not exist).") var out: String?
    @Option(help: "A run folder to continue.") var resume: String?
    @Flag(help: "Print progress as JSON lines.") var json = false
    @Flag(help: "The filter ablation: the same proxy budget with no filters, with CPV, with CPV and MOS.") var ablate = false

    func validate() throws {
        if resume == nil && branch == nil { throw ValidationError("give --branch softmax|sigmoid|reg, or --resume RUN") }
        if resume != nil && (branch != nil || mode != nil || partner != nil || baseline != nil || ablate) {
            throw ValidationError("--resume continues a run with its own branch, losses and filters; give only budgets with it")
        }
        if let executor, !["local", "slurm"].contains(executor) { throw ValidationError("--executor must be local or slurm") }
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
        if let data { o.data = data }
        if let evaluator { o.evaluator = evaluator } else if command != nil { o.evaluator = "external" }
        o.command = command
        if executor == "slurm" { o.slurmArguments = sbatchArguments }
        if let jobs { o.jobs = jobs }
        o.usesCPV = !noCPV
        o.usesMOS = !noMOS
        if let problem = o.problem { throw CLIError(problem) }
        let folder = URL(fileURLWithPath: out ?? "runs/\(o.branch.rawValue)-\(Self.timestamp())")
        let detectorData = try DetectorData.forSearch(o)
        if ablate { return try Ablation(options: o, folder: folder, json: json, detectorData: detectorData).run() }
        try SearchRun(folder: folder, json: json, detectorData: detectorData).start(o)
    }

    func resumeRun(_ path: String) throws {
        let folder = URL(fileURLWithPath: path)
        let store = try RunStore(opening: folder.appendingPathComponent(RunStore.fileName).path)
        var o = try SearchOptions.decoded(from: store.config())
        if let generations { o.generations = generations }
        if let maxEvals { o.maxEvaluations = maxEvals }
        if let timeLimit { o.timeLimitMinutes = timeLimit }
        if let jobs { o.jobs = jobs }
        if let problem = o.problem { throw CLIError(problem) }
        try SearchRun(folder: folder, json: json, detectorData: DetectorData.forSearch(o)).run(o, store: store)
    }

    static func timestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: Date())
    }
}
