/// A split of a dataset: the images trained on, and the images held out to score on. The
/// shapes scenes, dataset folders and schedules all name their splits with it.
///
/// ```swift
/// var schedule = TrainingSchedule.preset(.mos, isShapes: true)
/// schedule.evaluateOn = .train        // MOS scores the training images themselves
/// let val = try DetectorData.shapes.load(.val, count: 100, size: 128)
/// ```
public enum DataSplit: String, Hashable, Codable, Sendable, CaseIterable {
    /// The training images (for scoring: how well a loss optimises, as MOS measures it).
    case train
    /// The validation images: generalisation (the proxy task).
    case val
}
