/// Why a training cannot start: found before the first step, each with what to change. (A loss
/// that goes non-finite during training is not an error but a result, `TrainingResult.Status.diverged`.)
///
/// ```
/// error: --size 250: the input size must be a multiple of 32 (the coarsest level's stride), e.g. 256
/// ```
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A loss that does not parse, names no known loss, or belongs to another branch.
    case badLoss(slot: String, formula: String, reason: String)
    /// A setting out of range: the size, the batch, the epochs, the number of images.
    case badSetting(name: String, value: String, reason: String)
    /// The data cannot be used: no such dataset, no images, no split to train or evaluate on.
    case badData(source: String, reason: String)
    /// Asked to stop (an interrupted search) before step `step`.
    case stopped(step: Int)

    public var description: String {
        switch self {
        case let .badLoss(slot, formula, reason):
            return "the \(slot) loss '\(formula)': \(reason)"
        case let .badSetting(name, value, reason):
            return "\(name) \(value): \(reason)"
        case let .stopped(step):
            return "the training was stopped on request before step \(step)"
        case let .badData(source, reason):
            return "\(source): \(reason)"
        }
    }
}
