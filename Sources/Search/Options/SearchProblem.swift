/// What is wrong with a search's options (`SearchOptions.problem`), by the setting it is about:
/// the library says the setting in words, a front end by its own name for it (the command line:
/// its option), so that neither wording leaks into the other.
///
/// ```
/// the number of MOS seeds 20: must be between 1 and 16
/// ```
public struct SearchProblem: Equatable, Sendable, CustomStringConvertible {
    /// The setting at fault (nil: a problem of no single setting, such as a loss that does not
    /// resolve, whose reason names it).
    public var setting: SearchSetting?
    /// The value given, where it is the value that is wrong.
    public var value: String?
    /// What is wrong and how to fix it, in words that read after the setting.
    public var reason: String
    /// A fix elsewhere that a front end can name in its own terms; `reason` says it in words.
    public var remedy: Remedy?

    /// A fix of a problem that lies in another setting, or in another step.
    public enum Remedy: Equatable, Sendable {
        /// Give `setting` the value `value` (the evaluator `detector`; a command).
        case give(SearchSetting, value: String)
        /// Tune the baseline into this folder first (`BaselineTuning`).
        case tuneBaseline(into: String)
    }

    /// A problem with `setting` (nil: the options as a whole), its value, the reason, and how to fix it.
    public init(_ setting: SearchSetting?, value: String? = nil, _ reason: String, remedy: Remedy? = nil) {
        self.setting = setting
        self.value = value
        self.reason = reason
        self.remedy = remedy
    }

    /// The problem with the setting named `name`: "NAME VALUE: REASON", or the reason alone
    /// where no setting is at fault.
    public func described(naming name: String?) -> String {
        guard let name else { return reason }
        return name + (value.map { " " + $0 } ?? "") + ": " + reason
    }

    public var description: String { described(naming: setting?.words) }
}

/// A setting of a search that a `SearchProblem` can be about.
public enum SearchSetting: String, CaseIterable, Sendable {
    /// The search's sizes and budgets (each described by `words`).
    case mode, generations, population, topK, topP, maxEvaluations, jobs, timeLimit, mosRejectFraction, scheduleScale
    /// Multi-fidelity training, the tuned baseline, MOS variants, initial weights and the evaluation timeout.
    case rungs, hurdleMargin, tunedBaseline, mosSeeds, mosRung, initSeed, evalTimeout
    /// The convolutions' number format.
    case precision
    /// What trains the candidates, with which losses and data.
    case evaluator, command, partner, baseline, data
    /// Whether the simulation's trainings are timed on a virtual clock.
    case virtualClock
    /// How the trainings are scheduled, and the asynchronous schedule's islands.
    case schedule, islands

    /// The setting in words: "the number of generations".
    public var words: String {
        switch self {
        case .mode: return "the classification mode"
        case .generations: return "the number of generations"
        case .population: return "the population"
        case .topK: return "top-K"
        case .topP: return "top-P"
        case .maxEvaluations: return "the budget of proxy trainings"
        case .jobs: return "the number of trainings at the same time"
        case .timeLimit: return "the time limit"
        case .mosRejectFraction: return "the MOS reject fraction"
        case .scheduleScale: return "the schedule scale"
        case .rungs: return "the rungs"
        case .hurdleMargin: return "the hurdle margin"
        case .tunedBaseline: return "the tuned baseline"
        case .mosSeeds: return "the number of MOS seeds"
        case .mosRung: return "the MOS rung"
        case .initSeed: return "the initial weights' seed"
        case .precision: return "the number format"
        case .evalTimeout: return "the evaluation timeout"
        case .evaluator: return "the evaluator"
        case .command: return "the evaluator's command"
        case .partner: return "the partner loss"
        case .baseline: return "the baseline loss"
        case .data: return "the data"
        case .virtualClock: return "the virtual clock"
        case .schedule: return "the schedule"
        case .islands: return "the number of islands"
        }
    }
}
