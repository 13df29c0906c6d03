/// What a training gave: the status, the COCO metrics on the scored images, and the figures a
/// user or a search wants (time, speed, the loss curve).
///
/// A loss that goes non-finite ends the run early with `.diverged`, the step and the reason: a
/// rejected candidate, not an error.
public struct TrainingResult: Sendable {
    /// How a training ended.
    public enum Status: String, Sendable {
        /// ok: trained and scored; diverged: a loss or gradient went non-finite.
        case ok, diverged
    }

    /// ok, or diverged (a loss went non-finite).
    public var status: Status
    /// The evaluation, when `ok`.
    public var metrics: DetectionMetrics?
    /// The evaluation on the training images, when asked for (`alsoScoring`) and `ok`.
    public var fitMetrics: DetectionMetrics?
    /// Steps completed (the failing step's index when diverged).
    public var steps: Int
    /// Steps planned.
    public var iterations: Int
    /// Why the run diverged; empty when ok.
    public var reason: String
    /// Wall-clock seconds of the training steps, and of loading, inference and scoring around them.
    public var trainingSeconds: Double
    /// Seconds of loading, inference and scoring around the training.
    public var evaluationSeconds: Double
    /// Training images (with repeats) per second of training.
    public var imagesPerSecond: Double
    /// The total loss of every completed step.
    public var losses: [Float]
    /// Each rung's score, where the training had rungs (`TrainingRungs`).
    public var rungs: [RungResult] = []
    /// The rung whose hurdle ended the training (then `metrics` are that rung's); nil: it ran to
    /// the end.
    public var stoppedAtRung: Int?

    /// The 12 COCO numbers, or empty.
    public var stats: [Double] { metrics?.stats ?? [] }

    /// All of it: training and evaluation.
    public var seconds: Double { trainingSeconds + evaluationSeconds }

    /// The mean loss over the first and the last `window` steps (how much it fell).
    public func lossDrop(window: Int = 10) -> (first: Float, last: Float)? {
        guard losses.count >= 2 else { return nil }
        let w = max(1, min(window, losses.count / 2))
        let first = losses.prefix(w).reduce(0, +) / Float(w)
        let last = losses.suffix(w).reduce(0, +) / Float(w)
        return (first, last)
    }
}

/// A training's state, reported after every step.
public struct TrainingProgress: Sendable {
    /// Steps done, of `iterations`.
    public var step: Int
    /// Steps planned.
    public var iterations: Int
    /// The latest step's losses (regression already weighted).
    public var classificationLoss: Float
    /// The latest step's regression loss (already weighted).
    public var regressionLoss: Float
    /// The total loss averaged over the last 20 steps.
    public var smoothedLoss: Float
    /// The latest step's learning rate.
    public var learningRate: Float
    /// Training images per second so far.
    public var imagesPerSecond: Double
    /// Seconds since the training started.
    public var elapsedSeconds: Double

    /// Seconds to the end of training at the speed so far.
    public var secondsLeft: Double {
        step > 0 ? elapsedSeconds / Double(step) * Double(iterations - step) : .nan
    }
}
