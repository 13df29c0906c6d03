import Detection
import Foundation
import LossLanguage
import Verification

/// A candidate that passed screening.
struct Screened {
    var expr: Expr
    var canonical: String
    var slot: Int
}

extension Evolution {
    /// Fills a generation: seeds (generation 0), random formulas, or children of `parents`,
    /// screened until `population` pass or the attempts run out; all recorded in one transaction.
    func screen(generation g: Int, parents: [Expr], using rng: inout SplitMix64) throws -> [Screened] {
        var records: [CandidateRecord] = []
        var survivors: [Screened] = []
        var seeds = g == 0 && options.seedWithKnownLosses
            ? KnownLoss.all.filter { $0.branches.contains(options.branch) }.map { try! $0.expr(branch: options.branch) }
            : []
        var slot = 0
        while survivors.count < options.population && slot < options.screeningAttempts {
            let (expr, origin, from) = nextCandidate(parents: parents, seeds: &seeds, using: &rng)
            defer { slot += 1 }
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = cascade.screen(expr)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            funnel.generated += 1
            let canonical = expr.canonicalString(in: options.branch)
            var record = CandidateRecord(generation: g, slot: slot, formula: expr.infix, canonical: canonical, parents: from.map(\.infix),
                                         origin: origin)
            // Only the stage that ended screening is stored; the ones before it passed.
            switch outcome {
            case .rejected(let stage, let check, let reason):
                record.stages = [StageRecord(stage: Stage(rawValue: stage.rawValue)!, passed: false,
                                             reason: check.map { "\($0): \(reason)" } ?? reason, seconds: seconds)]
            case .accepted(let fingerprint):
                record.fingerprint = fingerprint.hex
                record.stages = [StageRecord(stage: .equivalence, passed: true, reason: "", seconds: seconds)]
                survivors.append(Screened(expr: expr, canonical: canonical, slot: slot))
            }
            records.append(record)
        }
        try store.recordBatch(records)
        funnel.screening = cascade.counts
        return survivors
    }

    /// The next raw candidate and where it came from.
    func nextCandidate(parents: [Expr], seeds: inout [Expr], using rng: inout SplitMix64) -> (Expr, String, [Expr]) {
        if !seeds.isEmpty { return (seeds.removeFirst(), "seed", []) }
        if parents.isEmpty || Double.random(in: 0..<1, using: &rng) < options.immigrantProbability {
            return (generator.generate(using: &rng), parents.isEmpty ? "random" : "immigrant", [])
        }
        if parents.count >= 2, Double.random(in: 0..<1, using: &rng) < options.crossoverProbability {
            let a = parents.randomElement(using: &rng)!, b = parents.randomElement(using: &rng)!
            if let child = mutator.crossover(a, b, using: &rng) { return (child, "crossover", [a, b]) }
        }
        let parent = parents.randomElement(using: &rng)!
        if let (child, kind) = mutator.mutate(parent, using: &rng) { return (child, "mutation:\(kind.rawValue)", [parent]) }
        return (generator.generate(using: &rng), "immigrant", [])
    }

    /// One training, from the store when the run already finished it (resume), else by the
    /// evaluator, then recorded. `key` is the candidate's canonical form, or "baseline:NAME".
    func train(_ expr: Expr, stage: TrainingStage, key: String, generation: Int? = nil, slot: Int? = nil) throws -> EvaluationResult {
        let isBaseline = key.hasPrefix("baseline:")
        if isBaseline, let figures = try store.baseline(name: String(key.dropFirst(9)), stage: stage.stage) {
            return Self.result(from: figures, reason: "", seconds: 0)
        }
        if !isBaseline, let cached = try store.evaluation(canonical: key, stage: stage.stage) {
            return Self.result(from: cached.figures, reason: cached.reason, seconds: cached.seconds)
        }
        // The baseline itself as a candidate (generation 0 is seeded with the known losses): the
        // same pair, schedule and seed, so its training at the start is the candidate's result.
        let result: EvaluationResult
        if !isBaseline, key == baselineCanonical, let figures = try store.baseline(name: options.baseline, stage: stage.stage) {
            result = Self.result(from: figures, reason: "", seconds: 0)
        } else {
            result = evaluator.evaluate(try options.pair(candidate: expr), searched: options.branch, stage: stage, seed: options.seed)
        }
        if isBaseline {
            try store.recordBaseline(name: String(key.dropFirst(9)), stage: stage.stage, figures: Self.figures(of: result), seconds: result.seconds)
        } else if let generation, let slot {
            let passed = result.status == .ok && (stage == .proxy || (result.ap ?? 0) >= mosBar)
            var reason = result.reason
            if result.status == .ok && !passed {
                reason = String(format: "MOS AP %.2f below %.0f%% of the baseline's %.2f", result.ap ?? 0,
                                options.mosRejectFraction * 100, baselineMOS?.ap ?? 0)
            }
            try store.record(StageRecord(stage: stage.stage, passed: passed, reason: reason, figures: Self.figures(of: result),
                                         seconds: result.seconds), generation: generation, slot: slot)
        }
        return result
    }

    /// A result as stored: status code, AP figures in percent, and the 12 raw numbers.
    static func figures(of r: EvaluationResult) -> [String: Double] {
        var f = r.figures
        f["status"] = r.status == .ok ? 0 : (r.status == .diverged ? 1 : 2)
        for (k, v) in r.stats.enumerated() { f["s\(k)"] = v }
        return f
    }

    static func result(from f: [String: Double], reason: String, seconds: Double) -> EvaluationResult {
        let status: EvaluationResult.Status = f["status"] == 0 ? .ok : (f["status"] == 1 ? .diverged : .failed)
        let stats = (0..<12).compactMap { f["s\($0)"] }
        return EvaluationResult(status: status, stats: stats, seconds: seconds, reason: reason)
    }
}
