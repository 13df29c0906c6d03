/// What a cascade screened: how many candidates, how many each stage removed (and by which
/// check), how many passed, and the time spent in each stage.
public struct ScreeningCounts: Sendable, Equatable {
    /// Candidates screened.
    public var screened = 0
    /// Candidates that passed every stage.
    public var accepted = 0
    /// Candidates removed, by stage.
    public var rejected: [Stage: Int] = [:]
    /// Rejections per failing check name (validity and CPV stages).
    public var rejectedByCheck: [String: Int] = [:]
    /// Nanoseconds spent per stage, over all candidates.
    public var nanoseconds: [Stage: UInt64] = [:]

    /// No candidates yet.
    public init() {}

    mutating func record(_ outcome: ScreeningOutcome, nanoseconds spent: [UInt64]) {
        screened += 1
        switch outcome {
        case .accepted: accepted += 1
        case .rejected(let stage, let check, _):
            rejected[stage, default: 0] += 1
            if let check { rejectedByCheck[check, default: 0] += 1 }
        }
        for (k, stage) in Stage.screening.enumerated() { nanoseconds[stage, default: 0] += spent[k] }
    }

    /// How many candidates reached `stage` (were not removed before it).
    public func reached(_ stage: Stage) -> Int {
        var left = screened
        for s in Stage.screening {
            if s == stage { return left }
            left -= rejected[s, default: 0]
        }
        return left
    }

    /// The counts of two cascades together (one per thread).
    public func merged(with other: ScreeningCounts) -> ScreeningCounts {
        var m = self
        m.screened += other.screened
        m.accepted += other.accepted
        m.rejected.merge(other.rejected, uniquingKeysWith: +)
        m.rejectedByCheck.merge(other.rejectedByCheck, uniquingKeysWith: +)
        m.nanoseconds.merge(other.nanoseconds, uniquingKeysWith: +)
        return m
    }
}
