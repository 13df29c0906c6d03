import Foundation

// The fixed schedules a search compares candidates under (DESIGN.md, "Search"), one per
// `TrainingStage`: `proxy`, training on the training split and AP on the validation split, and
// `mos` (model optimisation simulation), training on the tiny verification set and AP on the
// same images.
//
// Sized for a 2-core machine: a proxy training within 3 minutes, a MOS run within 30 seconds
// (measured figures in bench/RESULTS.md, "Proxy detector").

extension DetectorData {
    /// The shapes scenes of the presets: the default scenes with a milder long tail (class
    /// weights 1 / (k + 1)^0.5: the rarest class 17 % of the most common instead of 10 %) and no
    /// object below 10 px at the presets' 128 px. Measured (bench/RESULTS.md, "Proxy detector"):
    /// with the default 1.3 tail and 6 px objects, AP moved by 1.4 between seeds, with whole-model
    /// shifts across every class, and the rarest classes and the smallest objects were mostly
    /// noise at 128 px.
    public static let proxyShapesOptions: ShapesScenes.Options = {
        var o = ShapesScenes.Options()
        o.classWeights = ShapeKind.allCases.map { 1 / pow(Double($0.rawValue + 1), 0.5) }
        o.minObjectSize = 10
        return o
    }()

    /// The preset schedule of `stage` on this data (the shapes presets for every variant of the
    /// scenes too: they are built on `proxyShapesOptions`).
    public func schedule(for stage: TrainingStage) -> TrainingSchedule {
        TrainingSchedule.preset(stage, isShapes: isShapes)
    }
}

extension TrainingSchedule {
    /// The preset of `stage` on the shapes scenes or on a dataset folder.
    public static func preset(_ stage: TrainingStage, isShapes: Bool) -> TrainingSchedule {
        var s = presetSettings(stage, isShapes: isShapes)
        // Fixed initial weights for every preset (see `networkSeed`); 0 was not chosen by its AP.
        s.networkSeed = 0
        return s
    }

    private static func presetSettings(_ stage: TrainingStage, isShapes: Bool) -> TrainingSchedule {
        switch (isShapes, stage) {
        case (true, .proxy):
            // 8000 scenes seen 7 times (3500 steps, about 140 s here): measured better and
            // steadier than 4000 seen 14 times; AP on 2000 validation scenes.
            var s = TrainingSchedule(size: 128, batchSize: 16, epochs: 7, learningRate: 0.04)
            s.trainImages = 8000
            s.evalImages = 2000
            return s
        case (true, .mos):
            // The six verification images (one per class) for 100 steps: a good loss reaches
            // about half of the AP it would with many more steps, so the MOS AP still separates
            // losses that optimise fast from slow ones instead of saturating at 100.
            var s = TrainingSchedule(size: 128, batchSize: 6, epochs: 100, learningRate: 0.02)
            s.trainImages = 200
            s.evaluateOn = .train
            s.warmupIterations = 20
            return s
        case (false, .proxy):
            // coco128-sized folders: 110 epochs of 128 images (1760 steps), about 2.5 minutes
            // here (measured: 140 epochs took 195-205 s on the loaded machine, over the 3-minute
            // budget of one proxy training).
            return TrainingSchedule(size: 256, batchSize: 8, epochs: 110, learningRate: 0.01)
        case (false, .mos):
            var s = TrainingSchedule(size: 256, batchSize: 8, epochs: 40, learningRate: 0.01)
            s.evaluateOn = .train
            return s
        }
    }
}

extension DetectorData {
    /// The training and scored images of `stage` under `schedule`.
    ///
    /// - `proxy`: the first `trainImages` of the training split (all of a folder's when nil).
    /// - `mos`: the verification set (`DetectionDataset.verificationSet(seed:)`, the seed fixed
    ///   for a search) chosen among the first `trainImages` of the training split.
    /// Scored on the first `evalImages` of the validation split, or of the training images
    /// themselves with `evaluateOn: .train` (the MOS presets: the verification set).
    public func prepare(_ stage: TrainingStage, schedule: TrainingSchedule, verificationSeed: UInt64 = 0) throws
        -> (train: TrainingImages, eval: TrainingImages) {
        try schedule.validate()
        let train: TrainingImages
        switch stage {
        case .proxy:
            train = try load(.train, count: schedule.trainImages, size: schedule.size)
        case .mos:
            let pool = try records(.train, count: schedule.trainImages, size: schedule.size)
            let chosen = pool.verificationSet(seed: verificationSeed)
            guard !chosen.isEmpty else {
                throw TrainingError.badData(source: name, reason: "no labelled training images to choose a verification set from")
            }
            train = try load(.train, indices: chosen, size: schedule.size)
        }
        switch schedule.evaluateOn {
        case .train: return (train, train.subset(Array(0..<min(train.count, schedule.evalImages ?? train.count))))
        case .val: return (train, try load(.val, count: schedule.evalImages, size: schedule.size))
        }
    }
}
