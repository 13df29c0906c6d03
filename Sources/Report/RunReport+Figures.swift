import Foundation
import LossLanguage
import Search

/// The numbers behind the report's charts, read from the store alone.
extension RunReport {
    /// One generation's funnel: how many of its candidates each stage removed, how many were
    /// trained on the proxy, and how fast it went.
    public struct GenerationFunnel: Sendable {
        public var generation: Int
        /// Per column of `GenerationFunnel.columns`, in that order.
        public var counts: [Int]
        public var generated: Int { counts.reduce(0, +) }
        /// The generation's seconds (see `RunClock.generationSeconds`), and candidates per second.
        public var seconds: Double?
        public var candidatesPerSecond: Double? {
            guard let seconds, seconds > 0 else { return nil }
            return Double(generated) / seconds
        }

        /// What each stage removed, then what went on: "invalid" (validity), "duplicate"
        /// (dedup), "cpv", "equivalent", "mos" (rejected or failed there), "not chosen" (passed
        /// every stage it reached but was not trained further), "proxy" (trained on the proxy).
        public static let columns = ["invalid", "duplicate", "cpv", "equivalent", "mos", "not chosen", "proxy"]

        static func column(_ c: CandidateRecord) -> Int? {
            guard let last = c.last else { return nil }
            if last.stage == .proxy { return 6 }
            if last.passed { return 5 }
            switch last.stage {
            case .validity: return 0
            case .dedup: return 1
            case .cpv: return 2
            case .equivalence: return 3
            case .mos, .proxy: return 4
            }
        }
    }

    /// The funnel of each generation, in order.
    public var generationFunnels: [GenerationFunnel] {
        var rows: [Int: [Int]] = [:]
        for c in candidates {
            guard let k = GenerationFunnel.column(c) else { continue }
            rows[c.generation, default: Array(repeating: 0, count: GenerationFunnel.columns.count)][k] += 1
        }
        let seconds = clock.isWallClock ? clock.generationSeconds : [:]
        return rows.keys.sorted().map { GenerationFunnel(generation: $0, counts: rows[$0]!, seconds: seconds[$0]) }
    }

    /// Candidates screened per second over the whole run (wall-clock only).
    public var candidatesPerSecond: Double? {
        let total = clock.total - clock.baselinesDone
        guard clock.isWallClock, total > 0 else { return nil }
        return Double(candidates.count) / total
    }

    /// A proxy training with an AP, placed on the run's clock.
    public struct ProxyPoint: Sendable {
        public var generation: Int
        public var slot: Int
        public var formula: String
        public var elapsed: Double
        public var ap: Double
        /// Nodes of the formula's tree.
        public var size: Int
    }

    /// Every proxy training with an AP, by time.
    public var proxyPoints: [ProxyPoint] {
        candidates.compactMap { c -> ProxyPoint? in
            guard let ap = c.stage(.proxy)?.result?.ap else { return nil }
            let size = (try? Expr.parse(c.formula, branch: options.branch))?.size ?? 0
            return ProxyPoint(generation: c.generation, slot: c.slot, formula: c.formula,
                              elapsed: clock.elapsed(generation: c.generation, slot: c.slot, stage: .proxy) ?? 0, ap: ap, size: size)
        }.sorted { ($0.elapsed, $0.generation, $0.slot) < ($1.elapsed, $1.generation, $1.slot) }
    }

    /// The best proxy AP so far after each proxy training that raised it.
    public var bestOverTime: [(elapsed: Double, ap: Double)] {
        var best = -Double.infinity
        var steps: [(elapsed: Double, ap: Double)] = []
        for p in proxyPoints where p.ap > best {
            best = p.ap
            steps.append((p.elapsed, p.ap))
        }
        return steps
    }

    /// The Pareto front of complexity against AP: the proxy-trained losses that no other loss
    /// beats with at most as many nodes (fewer nodes, or the same with a higher AP), by size.
    public var paretoFront: [ProxyPoint] {
        var front: [ProxyPoint] = []
        for p in proxyPoints.sorted(by: { ($0.size, -$0.ap, $0.generation, $0.slot) < ($1.size, -$1.ap, $1.generation, $1.slot) })
        where p.ap > (front.last?.ap ?? -.infinity) {
            front.append(p)
        }
        return front
    }
}

extension RunReport {
    /// The formulas without parents (the first generation's random formulas, or the known losses
    /// seeding a run) that the proxy-trained candidates descend from, each with how many of them
    /// descend from it (a crossover's child from both parents' roots), most first, then in the
    /// order the store holds them. A run whose trained losses share one root explored one family.
    public var lineages: [(root: String, descendants: Int)] {
        var parents: [String: [String]] = [:]
        for c in candidates where parents[c.formula] == nil { parents[c.formula] = c.parents }
        var roots: [String: Set<String>] = [:]
        func rootsOf(_ formula: String, _ visiting: inout Set<String>) -> Set<String> {
            if let known = roots[formula] { return known }
            let ps = parents[formula] ?? []
            guard !ps.isEmpty, visiting.insert(formula).inserted else { return [formula] }
            var found = Set<String>()
            for p in ps { found.formUnion(rootsOf(p, &visiting)) }
            visiting.remove(formula)
            roots[formula] = found
            return found
        }
        var counts: [String: Int] = [:]
        for c in candidates where c.stage(.proxy) != nil {
            var visiting = Set<String>()
            for r in rootsOf(c.formula, &visiting) { counts[r, default: 0] += 1 }
        }
        let order = Dictionary(candidates.enumerated().map { ($0.element.formula, $0.offset) }, uniquingKeysWith: min)
        return counts.map { (root: $0.key, descendants: $0.value) }
            .sorted { $0.descendants != $1.descendants ? $0.descendants > $1.descendants : order[$0.root, default: .max] < order[$1.root, default: .max] }
    }

    /// `lineages` in words, the first three roots named: "the 36 proxy-trained candidates descend
    /// from 1 formula without parents: F (36)"; nil before any proxy training.
    public var lineageSummary: String? {
        let lineages = self.lineages
        guard !lineages.isEmpty else { return nil }
        let trained = candidates.filter { $0.stage(.proxy) != nil }.count
        let roots = lineages.count == 1 ? "1 formula" : "\(lineages.count) formulas"
        return "the \(trained) proxy-trained candidate\(trained == 1 ? "" : "s") descend from \(roots) without parents: "
            + lineages.prefix(3).map { "\($0.root) (\($0.descendants))" }.joined(separator: ", ") + (lineages.count > 3 ? ", ..." : "")
    }
}
