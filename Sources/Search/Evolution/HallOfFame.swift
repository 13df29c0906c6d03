import Foundation
import LossLanguage

/// The best losses found, by proxy AP; one entry per canonical form.
public struct HallOfFame: Sendable {
    public struct Entry: Sendable {
        public var expr: Expr
        public var result: EvaluationResult
        public var generation: Int
        /// Seconds into the run when its proxy training finished (0 when taken from the store).
        public var elapsed: Double = 0
    }

    public var entries: [Entry]

    /// The best `n`, AP descending; ties go to the earlier generation, then the shorter formula.
    public func top(_ n: Int) -> [Entry] {
        let sorted = entries.sorted {
            let a = $0.result.ap ?? -1, b = $1.result.ap ?? -1
            if a != b { return a > b }
            if $0.generation != $1.generation { return $0.generation < $1.generation }
            return $0.expr.infix.count < $1.expr.infix.count
        }
        var seen = Set<String>()
        return Array(sorted.filter { seen.insert($0.expr.canonical.infix).inserted }.prefix(n))
    }
}

/// The funnel: how many candidates each stage removed.
public struct Funnel: Sendable, Equatable {
    public var generated = 0
    public var screening = ScreeningCounts()
    public var mosTrained = 0
    public var mosRejected = 0
    public var proxyEvaluated = 0

    public var invalid: Int { screening.rejected[.validity, default: 0] }
    public var duplicate: Int { screening.rejected[.dedup, default: 0] }
    public var cpvRejected: Int { screening.rejected[.cpv, default: 0] }
    public var equivalent: Int { screening.rejected[.equivalence, default: 0] }

    /// The share of generated candidates removed before the proxy task.
    public var removedBeforeProxy: Double { generated == 0 ? 0 : 1 - Double(proxyEvaluated) / Double(generated) }
}

/// Where a run stands after a generation, for the terminal or a JSON log.
public struct SearchProgress: Sendable {
    public var generation: Int
    public var generations: Int
    public var funnel: Funnel
    public var bestAP: Double?
    public var bestFormula: String?
    public var baselineAP: Double?
    public var elapsed: Double
    public var candidatesPerSecond: Double
}

/// What a finished (or budget-stopped) run found.
public struct SearchSummary: Sendable {
    public var hallOfFame: HallOfFame
    public var baselineMOS: EvaluationResult?
    public var baselineProxy: EvaluationResult?
    public var funnel: Funnel
    public var proxyEvaluations: Int
    public var seconds: Double
    public var stopReason: String
}
