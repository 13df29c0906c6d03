/// Why a training cannot start: found before the first step, each with what to change. (A loss
/// that goes non-finite during training is not an error but a result, `TrainingResult.Status.diverged`.)
///
/// ```
/// the input size 250: must be a positive multiple of 32 (the coarsest level's stride) and at most 2048, e.g. 256
/// ```
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A loss that does not parse, names no known loss, or belongs to another branch.
    case badLoss(slot: String, formula: String, reason: String)
    /// A setting out of range: the size, the batch, the epochs, the number of images.
    case badSetting(TrainingSetting, value: String, reason: String)
    /// The data cannot be used: no such dataset, no images, no split to train or evaluate on.
    case badData(source: String, reason: String)
    /// The dataset folder has no validation split to score on; the training images can be scored
    /// instead (`TrainingSchedule.evaluateOn`).
    case noValidationSplit(folder: String)
    /// Asked to stop (an interrupted search) before step `step`.
    case stopped(step: Int)

    public var description: String {
        switch self {
        case let .badLoss(slot, formula, reason):
            return "the \(slot) loss '\(formula)': \(reason)"
        case let .badSetting(setting, value, reason):
            return "\(setting.words)\(value.isEmpty ? "" : " " + value): \(reason)"
        case let .stopped(step):
            return "the training was stopped on request before step \(step)"
        case let .badData(source, reason):
            return "\(source): \(reason)"
        case let .noValidationSplit(folder):
            return "\(folder): no validation split (images/val*): score on the training images instead"
        }
    }
}
