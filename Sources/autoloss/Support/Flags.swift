import Detection

/// The command line's names for the libraries' settings, in one place. The libraries word their
/// problems without options ("the input size 250: must be a positive multiple of 32 ..."); the
/// command line says the option the user can change (`--size 250: ...`), here.
enum Flags {
    /// The option of a training setting (`train`, `tune-baseline`; nil: none).
    static func flag(for setting: TrainingSetting) -> String? {
        switch setting {
        case .size: return "--size"
        case .batch: return "--batch"
        case .epochs: return "--epochs"
        case .learningRate: return "--lr"
        case .trainImages: return "--images"
        case .evalImages: return "--eval-images"
        case .averageDecay: return "--average-decay"
        case .focalAlpha: return "--alpha"
        case .regressionWeight: return "--reg-weight"
        case .schedule: return nil
        case .rungs: return "--rungs"
        case .rungEvalImages: return "--rung-eval-images"
        case .mode: return "--mode"
        }
    }

    /// A library error as the command line words it: by the options that fix it. Nil where the
    /// error's own description names no setting.
    static func text(of error: Error) -> String? {
        switch error {
        case let e as TrainingError:
            switch e {
            case let .badSetting(setting, value, reason):
                return (flag(for: setting) ?? setting.words) + (value.isEmpty ? "" : " " + value) + ": " + reason
            case .noValidationSplit(let folder):
                return "\(folder): no validation split (images/val*): score on the training images with --eval-on train"
            default: return nil
            }
        case let e as DataError:
            guard case let .splitNeeded(folder, splits) = e else { return nil }
            return "\(folder): no JPEG or PNG images found; it holds the splits \(splits.joined(separator: ", ")): name one"
                + (splits.first.map { " (--split \($0))" } ?? "")
        default:
            return nil
        }
    }
}
