import Detection
import Foundation
import LossLanguage

/// Everything that defines a search run; stored in the run store so that `--resume` continues
/// exactly the same run (DESIGN.md, "Search").
public struct SearchOptions: Codable, Equatable, Sendable {
    /// The searched slot: `.softmax` or `.sigmoid` (classification) or `.reg`.
    public var branch: Branch
    /// The classification head's mode; for classification searches it is `branch`.
    public var mode: Branch
    /// The fixed loss in the other slot (a formula or a known loss's name).
    public var partner: String
    /// The hand-made loss of the searched slot the candidates are measured against.
    public var baseline: String
    public var seed: UInt64 = 1
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
    public var immigrantProbability = 0.1
    /// Raw candidates screened per generation at most, before giving up on filling the population.
    public var screeningAttempts = 200_000
    /// The filters, switchable for the ablation.
    public var usesCPV = true
    public var usesMOS = true
    /// Where the built-in evaluator trains (shapes, coco128, a path); informational for external ones.
    public var data = "shapes"
    /// Which evaluator trains the candidates: "simulation", "detector" (the built-in proxy
    /// detector on `data`), or "external" with `command`.
    public var evaluator = "detector"
    public var command: String?
    /// Extra sbatch arguments; nil runs external evaluations locally.
    public var slurmArguments: [String]?
    /// Trainings run at the same time (Slurm: jobs in the queue at once).
    public var jobs = 1

    public init(branch: Branch, mode: Branch? = nil, partner: String? = nil, baseline: String? = nil) {
        self.branch = branch
        self.mode = mode ?? (branch == .reg ? .softmax : branch)
        self.partner = partner ?? (branch == .reg ? (self.mode == .sigmoid ? "focal" : "ce") : "giou")
        self.baseline = baseline ?? (branch == .reg ? "giou" : (branch == .sigmoid ? "focal" : "ce"))
    }

    /// The losses a detector of this search trains with, `candidate` in the searched slot.
    public func pair(candidate: Expr) throws -> LossPair {
        if branch == .reg {
            return LossPair(classification: try Expr.resolve(partner, branch: mode), mode: mode, regression: candidate)
        }
        return LossPair(classification: candidate, mode: mode, regression: try Expr.resolve(partner, branch: .reg))
    }

    /// Says what is wrong, or nil; checked before a run starts (nothing is written before).
    public var problem: String? {
        if mode == .reg { return "the classification mode must be softmax or sigmoid" }
        if branch != .reg && mode != branch { return "a \(branch.rawValue) search trains in \(branch.rawValue) mode" }
        if generations < 1 { return "--generations must be at least 1" }
        if population < 1 || topK < 1 || topP < 1 { return "population, top-K and top-P must be at least 1" }
        if let m = maxEvaluations, m < 1 { return "--max-evals must be at least 1" }
        if jobs < 1 || jobs > 1024 { return "--jobs must be between 1 and 1024" }
        if let t = timeLimitMinutes, !(t > 0) { return "--time-limit must be a positive number of minutes" }
        if !(0...1).contains(mosRejectFraction) { return "the MOS reject fraction must be in [0, 1]" }
        switch evaluator {
        case "simulation": break
        case "detector":
            do { try DetectorData.check(data) } catch { return "--data \(data): \(error)" }
        case "external": if (command ?? "").isEmpty { return "--evaluator external needs --command CMD" }
        default: return "unknown evaluator '\(evaluator)' (simulation, detector or external)"
        }
        let partnerBranch: Branch = branch == .reg ? mode : .reg
        do { _ = try Expr.resolve(partner, branch: partnerBranch) } catch {
            return "partner loss '\(partner)' for the \(partnerBranch.rawValue) slot: \(error)"
        }
        do { _ = try Expr.resolve(baseline, branch: branch) } catch {
            return "baseline loss '\(baseline)' for the \(branch.rawValue) slot: \(error)"
        }
        return nil
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }
}

extension SearchOptions {
    /// Reads the options a run store was created with.
    public static func decoded(from data: Data) throws -> SearchOptions {
        do { return try JSONDecoder().decode(SearchOptions.self, from: data) } catch {
            throw SearchError.options("the run store's configuration cannot be read by this autoloss: \(error)")
        }
    }

    /// The evaluator these options name; external evaluations keep their files in `folder`; the
    /// detector trains on `detectorData`, resolved by the caller (else `data` from the current directory).
    public func makeEvaluator(folder: URL, detectorData: DetectorData? = nil) -> CandidateEvaluator {
        if evaluator == "external", let command {
            return ExternalEvaluator(command: command, workDirectory: folder.appendingPathComponent("evaluations"),
                                     executor: slurmArguments.map { .slurm(arguments: $0) } ?? .local)
        }
        if evaluator == "detector" { return detectorData.map { DetectorEvaluator(data: $0) } ?? DetectorEvaluator(data: data) }
        return SimulationEvaluator()
    }
}
