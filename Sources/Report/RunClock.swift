import Foundation
import Search

/// Seconds into a run for each recorded stage: the report's time axis.
///
/// Wall-clock when the store has a time for every proxy training (schema 3, `finished_at`): the
/// run starts when the search began working on it (`RunStore.startedAt`; without it, when its
/// first recorded training started or its first row was recorded, whichever is earlier); a
/// resumed run's clock runs on through the pause. A baseline trained before the start (the
/// filter ablation's, shared by its arms) counts as done at 0.
/// A store without times (written before schema 3) gets cumulative training seconds instead:
/// the baselines', then each MOS and proxy training's in (generation, slot) order, as if one
/// worker had trained them one after the other (`isWallClock` false).
public struct RunClock: Sendable {
    public let isWallClock: Bool
    /// Seconds into the run when each (generation, slot, stage) was recorded.
    let elapsed: [Key: Double]
    /// Seconds into the run when the baselines' trainings were done (0 without them).
    public let baselinesDone: Double

    struct Key: Hashable, Sendable {
        var generation: Int
        var slot: Int
        var stage: Stage
    }

    public init(candidates: [CandidateRecord], times: [StageTime], started: Double? = nil, baselineSeconds: Double) {
        var timed: [Key: Double] = [:]
        for t in times where t.generation >= 0 { timed[Key(generation: t.generation, slot: t.slot, stage: t.stage)] = t.finishedAt }
        let proxyKeys = candidates.compactMap { c in c.stage(.proxy) != nil ? Key(generation: c.generation, slot: c.slot, stage: .proxy) : nil }
        if !times.isEmpty, proxyKeys.allSatisfy({ timed[$0] != nil }) {
            let training: Set<Stage> = [.mos, .proxy]
            let start = started ?? times.map { $0.finishedAt - (training.contains($0.stage) ? $0.seconds : 0) }.min() ?? 0
            isWallClock = true
            elapsed = timed.mapValues { $0 - start }
            baselinesDone = max(0, times.filter { $0.generation < 0 }.map { $0.finishedAt - start }.max() ?? 0)
        } else {
            var total = baselineSeconds
            var cumulative: [Key: Double] = [:]
            for c in candidates {
                for s in c.stages {
                    if s.stage == .mos || s.stage == .proxy { total += s.seconds }
                    cumulative[Key(generation: c.generation, slot: c.slot, stage: s.stage)] = total
                }
            }
            isWallClock = false
            elapsed = cumulative
            baselinesDone = baselineSeconds
        }
    }

    /// Seconds into the run when the stage was recorded, if it was.
    public func elapsed(generation: Int, slot: Int, stage: Stage) -> Double? {
        elapsed[Key(generation: generation, slot: slot, stage: stage)]
    }

    /// Seconds into the run when each generation's last row was recorded.
    public var generationEnds: [Int: Double] {
        var ends: [Int: Double] = [:]
        for (key, t) in elapsed { ends[key.generation] = max(ends[key.generation] ?? 0, t) }
        return ends
    }

    /// The seconds each generation took: from the previous generation's end (the baselines'
    /// end for the first) to its own.
    public var generationSeconds: [Int: Double] {
        let ends = generationEnds
        var previous = baselinesDone
        var seconds: [Int: Double] = [:]
        for g in ends.keys.sorted() {
            seconds[g] = max(0, ends[g]! - previous)
            previous = ends[g]!
        }
        return seconds
    }

    /// The span of the run so far.
    public var total: Double { max(baselinesDone, elapsed.values.max() ?? 0) }
}
