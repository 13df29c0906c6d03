/// A setting of a training that `TrainingError.badSetting` can be about, named in words. A front
/// end that exposes the setting under its own name (the command line's options) words the error
/// with that name; the library's descriptions say `words`.
public enum TrainingSetting: String, CaseIterable, Sendable {
    /// A number of the schedule, by name.
    case size, batch, epochs, learningRate, trainImages, evalImages, averageDecay, focalAlpha, regressionWeight
    /// The schedule's other numbers (clip norm, momentum, weight decay, warm-up).
    case schedule
    /// The rung fractions, and the images scored at a rung.
    case rungs, rungEvalImages
    /// The classification head's mode.
    case mode
    /// The convolutions' number format.
    case precision

    /// The setting in words: "the input size".
    public var words: String {
        switch self {
        case .size: return "the input size"
        case .batch: return "the batch size"
        case .epochs: return "the number of epochs"
        case .learningRate: return "the learning rate"
        case .trainImages: return "the number of training images"
        case .evalImages: return "the number of scored images"
        case .averageDecay: return "the weight average's decay"
        case .focalAlpha: return "focal's alpha"
        case .regressionWeight: return "the regression weight"
        case .schedule: return "the schedule"
        case .rungs: return "the rungs"
        case .rungEvalImages: return "the number of images scored at a rung"
        case .mode: return "the classification mode"
        case .precision: return "the number format"
        }
    }
}
