import Foundation
import TensorEngine

/// How the built-in detector trains beyond its data's presets: part of every request
/// (`EvaluationSetup.training`), so that a training run by a worker (`autoloss evaluate`) is the
/// one the search would run in process. Written by its coding keys, flat in candidate.json.
public struct DetectorSettings: Codable, Sendable, Equatable {
    /// The proxy schedule at this fraction of its preset's steps (nil: 1).
    public var scheduleScale: Double?
    /// The tuned baseline's settings every training uses.
    public var tuned: TunedSetting?
    /// MOS trainings averaged per candidate (nil: 1), and MOS as the proxy's first rung.
    public var mosSeeds: Int?
    /// MOS as the proxy's first rung, at this fraction of its schedule (nil: the MOS preset).
    public var mosRung: Double?
    /// The proxy training's rungs (fractions of its schedule).
    public var rungs: [Double]?
    /// The seed of the initial weights (nil: the presets' fixed 0, the same start for every
    /// loss; `.followsSeed`: each training's own seed).
    public var initSeed: InitSeed?
    /// The convolutions' number format (nil: float32, as every training before it was a
    /// setting); `auto` is decided by the processor that trains.
    public var precision: Precision?

    enum CodingKeys: String, CodingKey {
        case scheduleScale = "schedule_scale", tuned, mosSeeds = "mos_seeds", mosRung = "mos_rung", rungs, initSeed = "init_seed", precision
    }

    /// Settings; nil everywhere: the presets.
    public init(scheduleScale: Double? = nil, tuned: TunedSetting? = nil, mosSeeds: Int? = nil, mosRung: Double? = nil,
                rungs: [Double]? = nil, initSeed: InitSeed? = nil, precision: Precision? = nil) {
        (self.scheduleScale, self.tuned, self.mosSeeds, self.mosRung, self.rungs) = (scheduleScale, tuned, mosSeeds, mosRung, rungs)
        (self.initSeed, self.precision) = (initSeed, precision)
    }

    /// A search's settings; MOS as a rung only where the run has MOS (`SearchOptions.mosRungInUse`).
    public init(_ o: SearchOptions) {
        self.init(scheduleScale: o.scheduleScale, tuned: o.tuned, mosSeeds: o.mosSeeds, mosRung: o.mosRungInUse, rungs: o.rungs,
                  initSeed: o.initSeed, precision: o.precision)
    }
}

/// The seed of a training's initial weights: a fixed one, or the training's own seed.
/// candidate.json writes it as a number or as "seed".
public enum InitSeed: Codable, Sendable, Equatable {
    /// This seed for every training.
    case fixed(UInt64)
    /// Each training's own seed.
    case followsSeed

    /// The schedule's `networkSeed`: nil follows the training's seed.
    public var networkSeed: UInt64? {
        if case .fixed(let n) = self { return n }
        return nil
    }

    /// "seed", or a whole number.
    public init?(_ text: String) {
        if text == "seed" { self = .followsSeed } else if let n = UInt64(text) { self = .fixed(n) } else { return nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt64.self) { self = .fixed(n); return }
        guard try c.decode(String.self) == "seed" else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "init_seed is a whole number or \"seed\"")
        }
        self = .followsSeed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .fixed(let n): try c.encode(n)
        case .followsSeed: try c.encode("seed")
        }
    }
}
