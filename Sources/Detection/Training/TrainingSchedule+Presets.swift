/// The fixed schedules a search compares candidates under (DESIGN.md, "Search"): `proxy`, training
/// on the training split and AP on the validation split, and `mos` (model optimisation
/// simulation), training on the tiny verification set and AP on the same images.
///
/// Sized for a 2-core machine: a proxy training within 3 minutes, a MOS run within 30 seconds
/// (measured figures in bench/RESULTS.md, "Proxy detector").
public enum TrainingTask: String, Sendable, CaseIterable {
    case proxy, mos
}

extension DetectorData {
    /// The shapes scenes of the presets: TODO tuned.
    public static let proxyShapesOptions: ShapesScenes.Options = ShapesScenes.Options()

    /// The preset schedule of `task` on this data.
    public func schedule(for task: TrainingTask) -> TrainingSchedule {
        TrainingSchedule.preset(task, isShapes: { if case .shapes = self { return true } else { return false } }())
    }
}

extension TrainingSchedule {
    /// The preset of `task` on the shapes scenes or on a dataset folder.
    public static func preset(_ task: TrainingTask, isShapes: Bool) -> TrainingSchedule {
        switch (isShapes, task) {
        case (true, .proxy):
            var s = TrainingSchedule(size: 128, batchSize: 16, epochs: 1, learningRate: 0.02)
            s.trainImages = 4000
            s.evalImages = 500
            return s
        case (true, .mos):
            var s = TrainingSchedule(size: 128, batchSize: 6, epochs: 300, learningRate: 0.02)
            s.trainImages = 200
            s.evaluateOn = .train
            s.warmupIterations = 50
            return s
        case (false, .proxy):
            return TrainingSchedule(size: 256, batchSize: 8, epochs: 24, learningRate: 0.01)
        case (false, .mos):
            var s = TrainingSchedule(size: 256, batchSize: 8, epochs: 30, learningRate: 0.01)
            s.evaluateOn = .train
            return s
        }
    }
}

extension DetectorData {
    /// The training and scored images of `task` under `schedule`.
    ///
    /// - `proxy`: the first `trainImages` of the training split (all of a folder's when nil).
    /// - `mos`: the verification set (`DetectionDataset.verificationSet(seed:)`, the seed fixed
    ///   for a search) chosen among the first `trainImages` of the training split.
    /// Scored on the first `evalImages` of the validation split, or of the training images
    /// themselves with `evaluateOn: .train` (the MOS presets: the verification set).
    public func prepare(_ task: TrainingTask, schedule: TrainingSchedule, verificationSeed: UInt64 = 0) throws
        -> (train: TrainingImages, eval: TrainingImages) {
        try schedule.validate()
        let train: TrainingImages
        switch task {
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
