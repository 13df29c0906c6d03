import Foundation
import TensorEngine

/// How fast this machine trains and scores the proxy detector under a data set's presets,
/// measured in a few steps: what a search's schedules are fitted to, since machines of one kind
/// differ (a proxy training took 2.8x longer on an AVX2 processor than on an AVX-512 one with
/// the same two cores).
public struct TrainingSpeed: Sendable, Equatable {
    /// Seconds per training step under each stage's preset (its batch and input size), the
    /// step's share of starting a training included.
    public var secondsPerStep: [TrainingStage: Double]
    /// Seconds per scored image at the proxy preset's size (inference, decoding, matching).
    public var evalSecondsPerImage: Double
    /// Seconds per image to prepare a stage's images (render or decode, letterbox), once per
    /// stage and run.
    public var prepareSecondsPerImage: Double

    /// Measured speeds.
    public init(secondsPerStep: [TrainingStage: Double], evalSecondsPerImage: Double, prepareSecondsPerImage: Double) {
        self.secondsPerStep = secondsPerStep
        self.evalSecondsPerImage = evalSecondsPerImage
        self.prepareSecondsPerImage = prepareSecondsPerImage
    }

    /// Seconds a `stage` training under `schedule` (its preset, maybe scaled) takes at this
    /// speed, on `trainImages` training images and `evalImages` scored ones.
    public func seconds(_ stage: TrainingStage, schedule: TrainingSchedule, trainImages: Int, evalImages: Int) -> Double {
        Double(schedule.iterations(trainImages: trainImages)) * (secondsPerStep[stage] ?? 0) + Double(evalImages) * evalSecondsPerImage
    }
}

extension DetectorData {
    /// Times short trainings under each stage's preset with `losses` in `precision` (20 steps
    /// each, on a few images) and the scoring of 48 images: a few seconds.
    public func measureSpeed(_ losses: LossPair, precision: Precision = .fp32) throws -> TrainingSpeed {
        var perStep: [TrainingStage: Double] = [:]
        var eval = 0.0, preparation = 0.0
        for stage in TrainingStage.allCases {
            var s = schedule(for: stage)
            s.trainImages = s.batchSize * 20
            s.epochs = 1
            s.evalImages = 48
            s.evaluateOn = .val
            s.precision = precision
            let start = Date()
            let sets = try prepare(.proxy, schedule: s)
            let prepared = Date().timeIntervalSince(start) / Double(sets.train.count + sets.eval.count)
            let trainerStart = Date()
            let trainer = try ProxyTrainer(losses, schedule: s)
            let result = try trainer.train(sets.train, evaluateOn: sets.eval, seed: 1)
            let training = Date().timeIntervalSince(trainerStart) - result.evaluationSeconds
            perStep[stage] = training / Double(max(1, result.steps))
            if stage == .proxy {
                eval = result.evaluationSeconds / Double(max(1, sets.eval.count))
                preparation = prepared
            }
        }
        return TrainingSpeed(secondsPerStep: perStep, evalSecondsPerImage: eval, prepareSecondsPerImage: preparation)
    }

    /// The number of training and scored images a stage's training under `schedule` uses (the
    /// MOS verification set: one image per class), without loading any pixels.
    public func imageCounts(_ stage: TrainingStage, schedule: TrainingSchedule, verificationSeed: UInt64 = 0) throws -> (train: Int, eval: Int) {
        let pool = try records(.train, count: schedule.trainImages, size: schedule.size)
        let train = stage == .mos ? pool.verificationSet(seed: verificationSeed).count : pool.images.count
        switch schedule.evaluateOn {
        case .train: return (train, min(train, schedule.evalImages ?? train))
        case .val: return (train, try records(.val, count: schedule.evalImages, size: schedule.size).images.count)
        }
    }
}

extension TrainingSchedule {
    /// The schedule with `fraction` of its training steps and of its scored images (down to
    /// half of them): how a slower machine fits a search's trainings into the same minutes.
    public func scaled(_ fraction: Double) -> TrainingSchedule {
        var s = self
        s.epochs = epochs * fraction
        if let n = evalImages { s.evalImages = max(1, Int((Double(n) * max(fraction, 0.5)).rounded())) }
        return s
    }
}
