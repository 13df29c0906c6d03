import Foundation
import LossLanguage

/// What a search has learnt of its candidates, and who breeds next (selection): the proxy
/// trainings that completed (the hall of fame's source), those a hurdle ended, and MOS's
/// results.
struct Population {
    let topP: Int
    /// Everything trained on the proxy with an AP, in the order the trainings ended.
    private(set) var evaluated: [HallOfFame.Entry] = []
    /// Proxy trainings a hurdle ended, with their last rung's fraction and AP: parents after the
    /// completed ones, while there are fewer than top-P of those.
    private var pruned: [(expr: Expr, fraction: Double, ap: Double)] = []
    /// MOS results with some AP, in training order: the parents while the proxy has no result yet.
    private var mosBest: [(expr: Expr, ap: Double)] = []

    init(topP: Int) { self.topP = topP }

    /// Proxy results, completed or ended by a hurdle, in the order they arrived: the
    /// asynchronous schedule's live population is the last of them.
    private var arrived: [(expr: Expr, fraction: Double, ap: Double)] = []

    mutating func add(_ entry: HallOfFame.Entry) {
        evaluated.append(entry)
        arrived.append((entry.expr, 1, entry.result.ap ?? 0))
    }
    mutating func addPruned(_ expr: Expr, fraction: Double, ap: Double) {
        pruned.append((expr, fraction, ap))
        arrived.append((expr, fraction, ap))
    }
    mutating func addMOS(_ expr: Expr, ap: Double) { mosBest.append((expr, ap)) }

    /// The island each candidate was bred on (`SearchOptions.islands`; none: island 0).
    private var islandOf: [Expr: Int] = [:]
    /// Records the island a candidate was bred on.
    mutating func assign(_ expr: Expr, island: Int) { islandOf[expr] = island }

    /// A parent by tournament (regularised evolution, Real et al. 2019, as AutoML-Zero breeds):
    /// `size` drawn at random from the `live` latest proxy results, the one that went furthest
    /// and best of them (older results have left the population, however good); while the
    /// proxy has none, from the latest MOS results. Nil while there is nothing to draw from.
    ///
    /// With `islands` above 1, the pool is island `island`'s own latest `live` results and,
    /// as migrants, the best of each other island's latest `live`; an island with no result
    /// yet draws from all of them, as one population does.
    func tournament(live: Int, size: Int, island: Int = 0, islands: Int = 1, using rng: inout SplitMix64) -> Expr? {
        let scored: [(expr: Expr, score: (Double, Double))] = arrived.isEmpty
            ? mosBest.map { ($0.expr, (0, $0.ap)) }
            : arrived.map { ($0.expr, ($0.fraction, $0.ap)) }
        var pool = Array(scored.suffix(live))
        if islands > 1 {
            var members = [[(expr: Expr, score: (Double, Double))]](repeating: [], count: islands)
            for s in scored { members[(islandOf[s.expr] ?? 0) % islands].append(s) }
            let own = Array(members[island].suffix(live))
            if !own.isEmpty {
                let migrants = members.indices.filter { $0 != island }.compactMap { j in
                    members[j].suffix(live).max { $0.score < $1.score }
                }
                pool = own + migrants
            }
        }
        guard !pool.isEmpty else { return nil }
        var best: (expr: Expr, score: (Double, Double))?
        for _ in 0..<max(1, size) {
            let drawn = pool[Int.random(in: 0..<pool.count, using: &rng)]
            if best == nil || drawn.score > best!.score { best = drawn }
        }
        return best?.expr
    }

    var hallOfFame: HallOfFame { HallOfFame(entries: evaluated) }

    /// The best by proxy AP; until the proxy has a result (a search from scratch whose
    /// candidates all fall below MOS's bar), the best by MOS AP, so that the search climbs from
    /// what fits best instead of drawing every generation at random.
    func parents() -> [Expr] {
        let completed = hallOfFame.top(topP).map(\.expr)
        // Fewer completed than top-P: the pruned ones that went furthest, best at their last rung.
        let more = pruned.enumerated().sorted { a, b in
            (a.element.fraction, a.element.ap, -a.offset) > (b.element.fraction, b.element.ap, -b.offset)
        }.prefix(max(0, topP - completed.count)).map(\.element.expr)
        if !completed.isEmpty || !more.isEmpty { return completed + more }
        // A stable sort: equal APs keep the order they were trained in, so a run is reproducible.
        return Array(mosBest.enumerated().sorted { $0.element.ap > $1.element.ap || ($0.element.ap == $1.element.ap && $0.offset < $1.offset) }
            .prefix(topP).map(\.element.expr))
    }
}
