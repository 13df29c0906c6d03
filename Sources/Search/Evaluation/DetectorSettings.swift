import Foundation

/// How a search's built-in detector trains beyond its evaluator: what candidate.json carries to
/// the worker (`autoloss evaluate`), so that a training run there is the one the search would
/// run in process. One value, written and read by its coding keys (candidate.json's flat keys,
/// which external commands may read), instead of a field-by-field copy at each end.
public struct DetectorSettings: Codable, Sendable, Equatable {
    public var scheduleScale: Double?
    /// The tuned baseline's settings every training uses.
    public var tuned: TunedSetting?
    /// MOS trainings averaged per candidate (nil: 1), and MOS as the proxy's first rung.
    public var mosSeeds: Int?
    public var mosRung: Double?
    /// The proxy training's rungs (fractions of its schedule).
    public var rungs: [Double]?

    enum CodingKeys: String, CodingKey {
        case scheduleScale = "schedule_scale", tuned, mosSeeds = "mos_seeds", mosRung = "mos_rung", rungs
    }

    public init(_ o: SearchOptions) {
        (scheduleScale, tuned, mosSeeds, mosRung, rungs) = (o.scheduleScale, o.tuned, o.mosSeeds, o.mosRung, o.rungs)
    }

    public func apply(to o: inout SearchOptions) {
        (o.scheduleScale, o.tuned, o.mosSeeds, o.mosRung, o.rungs) = (scheduleScale, tuned, mosSeeds, mosRung, rungs)
    }
}
