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
        var seeds = g == 0 && options.seedWithKnownLosses ? breeder.seeds : []
        return try screen(generation: g, firstSlot: 0, parents: parents, seeds: &seeds, wanted: options.population,
                          attempts: options.screeningAttempts, using: &rng).survivors
    }

    /// Screens raw candidates (`seeds` first, then new ones) of generation `g` from slot
    /// `firstSlot` on, until `wanted` pass or `attempts` were made; records them in one
    /// transaction. Returns the survivors and the slot after the last one screened.
    func screen(generation g: Int, firstSlot: Int, parents: [Expr], seeds: inout [Expr], wanted: Int, attempts: Int,
                using rng: inout SplitMix64) throws -> (survivors: [Screened], nextSlot: Int) {
        var records: [CandidateRecord] = []
        var survivors: [Screened] = []
        var slot = firstSlot
        while survivors.count < wanted && slot - firstSlot < attempts {
            if let signal = stop.signalNumber { throw SearchStopped(signal: signal) }
            let (expr, origin, from) = breeder.next(parents: parents, seeds: &seeds, using: &rng)
            defer { slot += 1 }
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = cascade.screen(expr)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let canonical = expr.canonicalString(in: options.branch)
            var record = CandidateRecord(generation: g, slot: slot, formula: expr.infix, canonical: canonical, parents: from.map(\.infix),
                                         origin: origin)
            // Only the stage that ended screening is stored; the ones before it passed.
            switch outcome {
            case .rejected(let stage, let check, let reason):
                record.stages = [StageRecord(stage: stage, passed: false, reason: check.map { "\($0): \(reason)" } ?? reason, seconds: seconds)]
            case .accepted(let fingerprint):
                record.fingerprint = fingerprint.hex
                record.stages = [StageRecord(stage: .equivalence, passed: true, reason: "", seconds: seconds)]
                survivors.append(Screened(expr: expr, canonical: canonical, slot: slot))
            }
            records.append(record)
        }
        try store.recordBatch(records)
        funnel.screening = cascade.counts
        return (survivors, slot)
    }
}
