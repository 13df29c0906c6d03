import Foundation

/// How the built-in detector trains beyond its data's presets: part of every request
/// (`EvaluationSetup.training`), so that a training run by a worker (`autoloss evaluate`) is the
/// one the search would run in process. Written by its coding keys, flat in candidate.json.
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

    public init(scheduleScale: Double? = nil, tuned: TunedSetting? = nil, mosSeeds: Int? = nil, mosRung: Double? = nil,
                rungs: [Double]? = nil) {
        (self.scheduleScale, self.tuned, self.mosSeeds, self.mosRung, self.rungs) = (scheduleScale, tuned, mosSeeds, mosRung, rungs)
    }

    /// A search's settings; MOS as a rung only where the run has MOS (`SearchOptions.mosRungInUse`).
    public init(_ o: SearchOptions) {
        self.init(scheduleScale: o.scheduleScale, tuned: o.tuned, mosSeeds: o.mosSeeds, mosRung: o.mosRungInUse, rungs: o.rungs)
    }
}
