import Foundation
import LossLanguage

/// The best losses found, by proxy AP; one entry per canonical form. The one ranking of a run:
/// the search's parents, its printed hall of fame and `autoloss report` all come from `top`.
public struct HallOfFame: Sendable {
    /// A loss and what it scored.
    public struct Entry: Sendable {
        /// The loss.
        public var expr: Expr
        /// Its proxy result.
        public var result: EvaluationResult
        /// The generation it was bred in.
        public var generation: Int
        /// Seconds into the run when its proxy training finished (0 when taken from the store).
        public var elapsed: Double = 0
        /// Whole proxy trainings the run had spent when it finished, its own included (a training
        /// a hurdle ended counts its fraction): the ablation's machine-independent clock.
        public var spent: Double = 0

        /// An entry.
        public init(expr: Expr, result: EvaluationResult, generation: Int, elapsed: Double = 0, spent: Double = 0) {
            self.expr = expr
            self.result = result
            self.generation = generation
            self.elapsed = elapsed
            self.spent = spent
        }
    }

    /// The entries, best first.
    public var entries: [Entry]

    /// A hall of fame of `entries`, as ranked.
    public init(entries: [Entry]) { self.entries = entries }

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

    /// The best `n` that trained differently, for a confirmation. An entry whose proxy figures
    /// equal, number for number, those of one taken before it is left out and returned as its
    /// twin: two formulas that differ only where the training never went (a logit it never
    /// reached) train alike, and confirming both would spend a third of a top 3 twice.
    public func distinct(_ n: Int) -> (chosen: [Entry], twins: [(twin: Entry, of: Entry)]) {
        var chosen: [Entry] = [], twins: [(twin: Entry, of: Entry)] = []
        for e in top(entries.count) where chosen.count < n {
            if let same = chosen.first(where: { !$0.result.stats.isEmpty && $0.result.stats == e.result.stats }) {
                twins.append((e, same))
            } else {
                chosen.append(e)
            }
        }
        return (chosen, twins)
    }
}
