import Foundation

/// Multi-fidelity training (issue 18): the proxy training scored at fractions of its schedule
/// (its rungs), and a hurdle at each rung that may end it there.
///
/// A rung scores what the finished training would score (the moving average of the weights where
/// the schedule keeps one) on the first `evalImages` of the scored set, without touching the
/// training: a training that clears every hurdle ends exactly where one without rungs would, so
/// continuing past a rung costs nothing but the rung's scoring. In AutoML-Zero's terms each rung
/// is a hurdle; in Hyperband's, the rungs of successive halving, with the candidates before it
/// (and the baseline) setting the bar instead of a batch that waits for each other.
public struct TrainingRungs: Sendable {
    /// Fractions of the schedule's steps, each in (0, 1), ascending; none: a training that only
    /// goes on from its checkpoint (a proxy training after MOS as its first rung).
    public var fractions: [Double]
    /// Scored images at a rung: the first N of the scored set (nil: all of them).
    public var evalImages: Int?
    /// Asked after each rung's scoring with the rung's index and AP (points); false ends the
    /// training there (`TrainingResult.stoppedAtRung`).
    public var hurdle: (@Sendable (_ rung: Int, _ ap: Double) -> Bool)?
    /// Where the training's state is written at each rung it clears, and read back when the same
    /// training starts again (`TrainingCheckpoint`); nil: nowhere.
    public var checkpoint: URL?

    /// Rungs at `fractions` of the schedule; `hurdle` decides at each whether the training goes on.
    public init(fractions: [Double], evalImages: Int? = nil, checkpoint: URL? = nil, hurdle: (@Sendable (Int, Double) -> Bool)? = nil) {
        self.fractions = fractions
        self.evalImages = evalImages
        self.checkpoint = checkpoint
        self.hurdle = hurdle
    }

    /// The step after which each rung is scored in a run of `iterations` steps (at least 1, before the last).
    public func steps(iterations: Int) -> [Int] {
        fractions.map { min(max(1, Int(($0 * Double(iterations)).rounded())), max(1, iterations - 1)) }
    }

    /// Says what is wrong with the fractions.
    public func validate() throws {
        guard fractions.allSatisfy({ $0 > 0 && $0 < 1 }), zip(fractions, fractions.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw TrainingError.badSetting(.rungs, value: fractions.map { "\($0)" }.joined(separator: ","),
                                           reason: "give ascending fractions of the schedule, each between 0 and 1, e.g. 0.25,0.5")
        }
        if let n = evalImages, n < 1 {
            throw TrainingError.badSetting(.rungEvalImages, value: "\(n)", reason: "score at least one image at a rung")
        }
    }
}

/// One rung's score.
public struct RungResult: Sendable, Equatable, Codable {
    /// The rung's fraction of the schedule, and the steps done when it was scored.
    public var fraction: Double
    /// Steps done when it was scored.
    public var step: Int
    /// COCO's twelve numbers there.
    public var stats: [Double]
    /// Seconds of its scoring.
    public var seconds: Double

    /// AP@[.5:.95] in [0, 1].
    public var ap: Double { stats[0] }
}
