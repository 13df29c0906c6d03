import Detection
import Foundation
import LossLanguage
import TensorEngine

/// Everything that defines a search run; stored in the run store so that `--resume` continues
/// exactly the same run (DESIGN.md, "Search").
public struct SearchOptions: Codable, Equatable, Sendable {
    /// The searched slot: `.softmax` or `.sigmoid` (classification) or `.reg`.
    public var branch: Branch
    /// The classification head's mode; for classification searches it is `branch`.
    public var mode: Branch
    /// The fixed loss in the other slot, as the user named it (a formula or a known loss's name);
    /// `losses()` resolves it.
    public var partner: String
    /// The hand-made loss of the searched slot the candidates are measured against.
    public var baseline: String
    /// The seed of every random choice: the same seed and options give the same run.
    public var seed: UInt64 = 1
    /// Generations to run, unless a budget ends the run first.
    public var generations = 6
    /// Candidates that pass screening and go to MOS, per generation.
    public var population = 16
    /// Top-K by MOS AP go to the proxy task.
    public var topK = 4
    /// Top-P by proxy AP over the run so far are the next generation's parents.
    public var topP = 4
    /// Budget of proxy evaluations (nil: no limit).
    public var maxEvaluations: Int?
    /// Wall-clock budget in minutes (nil: no limit).
    public var timeLimitMinutes: Double?
    /// MOS rejects a candidate whose MOS AP is below this fraction of the baseline's.
    public var mosRejectFraction = 0.5
    /// Start generation 0 with the known losses of the branch.
    public var seedWithKnownLosses = true
    /// Chance that a child comes from crossover rather than mutation; and that it is a new
    /// random formula (an immigrant).
    public var crossoverProbability = 0.3
    /// The chance that a child is a new random formula instead.
    public var immigrantProbability = 0.1
    /// Raw candidates screened per generation at most, before giving up on filling the population.
    public var screeningAttempts = 200_000
    /// The filters, switchable for the ablation.
    public var usesCPV = true
    /// Whether candidates train briefly on the verification images (MOS) before the proxy.
    public var usesMOS = true
    /// What trains each candidate.
    public var evaluator: EvaluatorChoice = .detector(data: "shapes")
    /// Where the trainings run.
    public var executor: ExecutorChoice = .local(jobs: 1)
    /// The built-in detector's proxy schedule at this fraction of the preset's steps (nil: the
    /// preset): how `--fit-minutes` fits a search into a slower machine's minutes.
    public var scheduleScale: Double?
    /// Start a training even when it may end after the time limit (nil, false: a training that
    /// would end after it is not started, at the pace of the stage's trainings so far).
    public var allowOverrun: Bool?
    /// What `--fit-minutes` predicted one training of each stage takes here (nil: no plan): until
    /// a stage's first training has ended, the pace at which the time limit judges what may start;
    /// a run whose trainings take longer says so.
    public var planned: PlannedSeconds?
    /// Seconds an external evaluation may take (nil: no limit).
    public var evalTimeoutSeconds: Double?
    /// With the external evaluator: the data (`--data`) whose MOS verification images each
    /// candidate.json names, so that the user's MOS trains on the images the built-in detector
    /// would (nil: none named; the user's code chooses).
    public var verificationData: String?
    /// Multi-fidelity proxy training (issue 18): the fractions of the proxy schedule at which a
    /// candidate's training is scored and must clear a hurdle to go on (nil: trained whole).
    /// The built-in detector only (in this process or through the worker, `autoloss evaluate`).
    public var rungs: [Double]?
    /// How far below the bar (AP points) a candidate may be at a rung and still go on
    /// (nil: `Hurdles.defaultMargin`). See `Hurdles`.
    public var hurdleMargin: Double?
    /// The baseline pair's settings as `tune-baseline` found them best (nil: untuned: weight 1,
    /// focal's published alpha 0.25 and gamma 2). Every training of the search, the baseline's
    /// and the candidates', uses them: candidates are measured against the tuned baseline on
    /// equal terms. The built-in detector only.
    public var tuned: TunedSetting?
    /// MOS trainings per candidate with consecutive seeds, their AP averaged (nil: 1). The
    /// built-in detector only.
    public var mosSeeds: Int?
    /// MOS as the first rung of the proxy training at this fraction of its schedule (scored on the
    /// proxy's validation images) instead of the MOS preset (nil). The built-in detector only.
    public var mosRung: Double?
    /// The seed of every training's initial weights (nil: the presets' fixed 0). The built-in
    /// detector only.
    public var initSeed: InitSeed?
    /// The convolutions' number format in every training (nil: float32; `auto`: bfloat16 where
    /// the processor that trains has it). The built-in detector only.
    public var precision: Precision?
    /// How the trainings are scheduled (nil: `.generational`, the paper's).
    public var schedule: Schedule?
    /// The simulation's trainings timed on a virtual clock, each taking the seconds a proxy
    /// detector's would (`VirtualDurations`), with no waiting (nil: the wall clock). The
    /// simulation evaluator only.
    public var virtualClock: Bool?
    /// The asynchronous schedule's population as this many islands (nil: 1): each candidate is
    /// bred on the next island in turn, by tournament among that island's live population and
    /// the best of each other island (migrants), so that families grow apart. The asynchronous
    /// schedule only.
    public var islands: Int?

    /// The schedule in use.
    public var scheduleInUse: Schedule { schedule ?? .generational }

    /// `search`'s MOS on the built-in detector where `--mos-rung` is not given: the proxy's first
    /// rung in the branches where the MOS preset ranks candidates poorly and the rung well
    /// (bench/RESULTS.md, "Search verdicts": reg, Spearman's rho with the proxy AP 0.35 for the
    /// preset, 0.69 for the rung at 0.25, over 34 candidates); the preset where it ranks (sigmoid
    /// 0.78, softmax 0.93, over 33 candidates each).
    public static let defaultMOSRungs: [Branch: Double] = [.reg: 0.25]

    /// The MOS rung the trainings use: `mosRung` where the run has MOS (an ablation's arm
    /// without MOS keeps the command's rung unused).
    public var mosRungInUse: Double? { usesMOS ? mosRung : nil }

    /// What MOS is, for the terminal and the report.
    public var mosLabel: String {
        guard usesMOS else { return "none" }
        let seeds = (mosSeeds ?? 1) > 1 ? ", \(mosSeeds!) seeds averaged" : ""
        return (mosRungInUse.map { String(format: "the proxy training's first rung (%g of its schedule)", $0) } ?? "the MOS preset") + seeds
    }

    /// Options for a search of `branch`. Defaults: the mode is the branch (softmax for `reg`); the
    /// partner GIoU in a classification search, CE (softmax mode) or focal (sigmoid) in a regression
    /// search; the baseline the branch's standard loss (CE, focal, GIoU).
    public init(branch: Branch, mode: Branch? = nil, partner: String? = nil, baseline: String? = nil) {
        self.branch = branch
        self.mode = mode ?? (branch == .reg ? .softmax : branch)
        self.partner = partner ?? (branch == .reg ? (self.mode == .sigmoid ? "focal" : "ce") : "giou")
        self.baseline = baseline ?? (branch == .reg ? "giou" : (branch == .sigmoid ? "focal" : "ce"))
    }

    /// What a gain is over, as `search` and `report` label it: the tuned baseline with its
    /// tuning's figures, or the baseline at weight 1 and published settings, said to be untuned.
    public var gainLabel: String {
        if let tuned { return "gain over the tuned baseline \(baseline) (\(tuned.label))" }
        return "gain over the baseline \(baseline), untuned (weight 1, published settings; see tune-baseline)"
    }

    /// The slot the partner fills: the classification mode in a reg search, else reg.
    public var partnerBranch: Branch { branch == .reg ? mode : .reg }

    /// `text` as a built-in loss of the regression slot (DIoU, CIoU), or nil.
    static func builtin(_ text: String, in slot: Branch) -> BoxDistanceLoss? {
        slot == .reg ? BoxDistanceLoss(rawValue: text.lowercased()) : nil
    }

    /// Partner and baseline resolved once per run (`Evolution` keeps them): formulas, or in the
    /// regression slot `diou` or `ciou`, losses the detector has built in.
    public func losses() throws -> SearchLosses {
        // A tuned gamma replaces focal's 2 wherever focal is named in sigmoid mode.
        func tuned(_ text: String, _ slot: Branch) -> String {
            guard let g = self.tuned?.gamma, slot == .sigmoid, text == "focal" else { return text }
            return KnownLoss.focalSigmoid(gamma: g)
        }
        func formula(_ text: String, _ slot: Branch, _ role: String) throws -> Expr {
            do { return try Expr.resolve(tuned(text, slot), branch: slot) } catch {
                throw SearchError.options("\(role) loss '\(tuned(text, slot))' for the \(slot.rawValue) slot: \(error)" + (slot == .reg ? " (or diou, ciou)" : ""))
            }
        }
        func regression(_ text: String, _ role: String) throws -> RegressionSlot.Kind {
            try Self.builtin(text, in: .reg).map { .boxDistance($0) } ?? .formula(formula(text, .reg, role))
        }
        // The partner first: its error is the one a command with both wrong hears.
        let pair: LossPair
        if branch == .reg {
            let partner = try formula(partner, mode, "partner")
            pair = LossPair(classification: partner, mode: mode, regression: try regression(baseline, "baseline"))
        } else {
            let partner = try regression(partner, "partner")
            pair = LossPair(classification: try formula(baseline, branch, "baseline"), mode: mode, regression: partner)
        }
        return SearchLosses(branch: branch, baselinePair: pair, baselineName: self.baseline)
    }

    /// Says what is wrong, or nil; checked before a run starts (nothing is written before).
    /// The detector's data is only checked here (a folder exists); it is resolved, once, where
    /// the evaluator is made.
    public var problem: SearchProblem? {
        if mode == .reg { return SearchProblem(.mode, value: mode.rawValue, "must be softmax or sigmoid") }
        if branch != .reg && mode != branch { return SearchProblem(.mode, value: mode.rawValue, "a \(branch.rawValue) search trains in \(branch.rawValue) mode") }
        if generations < 1 { return SearchProblem(.generations, value: "\(generations)", "must be at least 1") }
        for (setting, n) in [(SearchSetting.population, population), (.topK, topK), (.topP, topP)] where n < 1 {
            return SearchProblem(setting, value: "\(n)", "must be at least 1")
        }
        if let m = maxEvaluations, m < 1 { return SearchProblem(.maxEvaluations, value: "\(m)", "must be at least 1") }
        if executor.jobs < 1 || executor.jobs > 1024 { return SearchProblem(.jobs, value: "\(executor.jobs)", "must be between 1 and 1024") }
        if let t = timeLimitMinutes, !(t > 0) { return SearchProblem(.timeLimit, value: "\(t)", "must be a positive number of minutes") }
        if !(0...1).contains(mosRejectFraction) { return SearchProblem(.mosRejectFraction, value: "\(mosRejectFraction)", "must be in [0, 1]") }
        if let f = scheduleScale, !(f > 0 && f <= 4) { return SearchProblem(.scheduleScale, value: "\(f)", "must be in (0, 4]") }
        let isDetector: Bool
        if case .detector = evaluator { isDetector = true } else { isDetector = false }
        let detector = SearchProblem.Remedy.give(.evaluator, value: "detector")
        if let r = rungs {
            if r.isEmpty || !r.allSatisfy({ $0 > 0 && $0 < 1 }) || zip(r, r.dropFirst()).contains(where: { $0 >= $1 }) {
                return SearchProblem(.rungs, value: r.map { "\($0)" }.joined(separator: ","),
                                     "give ascending fractions of the proxy schedule, each between 0 and 1, e.g. 0.25,0.5")
            }
            guard isDetector else {
                return SearchProblem(.rungs, "hurdles need the built-in detector, which scores a training at its rungs", remedy: detector)
            }
        }
        if tuned != nil && !isDetector {
            return SearchProblem(.tunedBaseline, "the tuning trained the built-in detector; its settings apply to that detector only", remedy: detector)
        }
        if let t = tuned, !(t.weight >= 0 && t.weight <= 1000) || !(t.alpha.map { $0 >= 0 && $0 <= 1 } ?? true) || !(t.gamma.map { $0 >= 0 && $0 <= 8 } ?? true) {
            return SearchProblem(.tunedBaseline, "the tuned settings are out of range (weight 0-1000, alpha 0-1, gamma 0-8)")
        }
        if let n = mosSeeds {
            if !(1...16).contains(n) { return SearchProblem(.mosSeeds, value: "\(n)", "must be between 1 and 16") }
            guard isDetector else { return SearchProblem(.mosSeeds, "the built-in detector's MOS only", remedy: detector) }
        }
        if let f = mosRung {
            if !(f > 0 && f < 1) { return SearchProblem(.mosRung, value: "\(f)", "must be a fraction of the proxy schedule between 0 and 1, e.g. 0.125") }
            guard isDetector else { return SearchProblem(.mosRung, "the built-in detector's proxy training only", remedy: detector) }
        }
        if initSeed != nil && !isDetector { return SearchProblem(.initSeed, "the built-in detector's trainings only", remedy: detector) }
        if precision != nil && !isDetector { return SearchProblem(.precision, "the built-in detector's trainings only", remedy: detector) }
        if let p = precision, let reason = p.unavailability {
            return SearchProblem(.precision, value: p.rawValue, reason, remedy: .give(.precision, value: "auto"))
        }
        if virtualClock == true && evaluator != .simulation {
            return SearchProblem(.virtualClock, "times the simulation's trainings only", remedy: .give(.evaluator, value: "simulation"))
        }
        if virtualClock == true, case .slurm = executor {
            return SearchProblem(.virtualClock, "simulates the workers in this process; a Slurm executor's trainings would run for real")
        }
        if let n = islands {
            if !(1...64).contains(n) { return SearchProblem(.islands, value: "\(n)", "must be between 1 and 64") }
            if n > 1 && scheduleInUse != .async { return SearchProblem(.islands, "divide the asynchronous schedule's population", remedy: .give(.schedule, value: "async")) }
        }
        if let m = hurdleMargin, !(m >= 0 && m <= 100) { return SearchProblem(.hurdleMargin, value: "\(m)", "must be between 0 and 100 AP points") }
        if let t = evalTimeoutSeconds, !(t > 0 && t <= 30 * 86_400) {
            return SearchProblem(.evalTimeout, value: "\(t)", "must be a positive number of seconds, at most 30 days")
        }
        if case .external(let command) = evaluator, command.isEmpty {
            return SearchProblem(.evaluator, value: "external", "needs a command to run", remedy: .give(.command, value: "CMD"))
        }
        for (setting, text, slot) in [(SearchSetting.partner, partner, partnerBranch), (.baseline, baseline, branch)] where Self.builtin(text, in: slot) != nil {
            if isDetector { continue }
            // Not a formula of (i, u, e): no loss.py to hand a command, nothing to simulate.
            return SearchProblem(setting, value: text, "a built-in loss of the detector (not a function of i, u, e): only the built-in detector trains with it",
                                 remedy: detector)
        }
        if case .detector(let data) = evaluator {
            do { try DetectorData.check(data) } catch { return SearchProblem(.data, value: data, "\(error)") }
        }
        do { _ = try losses() } catch let SearchError.options(message) { return SearchProblem(nil, message) } catch { return SearchProblem(nil, "\(error)") }
        return nil
    }

    /// The options as stored in the run store (JSON).
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Reads the options a run store was created with.
    public static func decoded(from data: Data) throws -> SearchOptions {
        do { return try JSONDecoder().decode(SearchOptions.self, from: data) } catch {
            throw SearchError.options("the run store's configuration cannot be read by this autoloss: \(error)")
        }
    }
}

/// A search's fixed losses, resolved once: the partner in the other slot, the baseline of the
/// searched one, each a formula or (regression) a loss the detector has built in.
public struct SearchLosses: Sendable {
    /// The searched slot.
    public let branch: Branch
    /// The baseline's pair: the baseline in the searched slot, the partner in the other.
    public let baselinePair: LossPair
    /// The baseline's name, as given.
    public let baselineName: String
    /// The baseline's canonical form: a candidate with it takes the baseline's trainings. No
    /// formula is a built-in loss: its key takes none.
    public let baselineCanonical: String

    init(branch: Branch, baselinePair: LossPair, baselineName: String) {
        self.branch = branch
        self.baselinePair = baselinePair
        self.baselineName = baselineName
        baselineCanonical = EvaluationRequest(pair: baselinePair, searched: branch, stage: .mos, seed: 0).candidateKey
    }

    /// The classification head's mode.
    public var mode: Branch { baselinePair.mode }

    /// The losses a detector of this search trains with, `candidate` in the searched slot.
    public func pair(candidate: Expr) -> LossPair {
        var pair = baselinePair
        if branch == .reg { pair.regression = .formula(candidate) } else { pair.classification = candidate }
        return pair
    }

    /// The baseline as its lines show it.
    public var baselineFormula: String {
        if branch != .reg { return baselinePair.classification.infix }
        return baselinePair.regression.isBuiltin ? "\(baselinePair.regression.name) (built in)" : baselinePair.regression.name
    }
}
