/// The funnel: how many candidates each stage removed. Each count is kept once: the screening
/// stages' in `screening`, the trainings' here.
public struct Funnel: Sendable, Equatable {
    public var screening = ScreeningCounts()
    public var mosTrained = 0
    public var mosRejected = 0
    public var proxyEvaluated = 0

    public init() {}

    public var generated: Int { screening.screened }
    public var invalid: Int { screening.rejected[.validity, default: 0] }
    public var duplicate: Int { screening.rejected[.dedup, default: 0] }
    public var cpvRejected: Int { screening.rejected[.cpv, default: 0] }
    public var equivalent: Int { screening.rejected[.equivalence, default: 0] }

    /// The share of generated candidates removed before the proxy task.
    public var removedBeforeProxy: Double { generated == 0 ? 0 : 1 - Double(proxyEvaluated) / Double(generated) }
}
