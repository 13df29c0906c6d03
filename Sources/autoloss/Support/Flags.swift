import Detection
import Search

/// The command line's names for the libraries' settings, in one place. The libraries word their
/// problems without options ("the input size 250: must be a positive multiple of 32 ..."); the
/// command line says the option the user can change (`--size 250: ...`), here.
enum Flags {
    /// The option of a search setting (nil: none; the setting's words then).
    static func flag(for setting: SearchSetting) -> String? {
        switch setting {
        case .mode: return "--mode"
        case .generations: return "--generations"
        case .population: return "--population"
        case .topK: return "--top-k"
        case .topP: return "--top-p"
        case .maxEvaluations: return "--max-evals"
        case .jobs: return "--jobs"
        case .timeLimit: return "--time-limit"
        case .mosRejectFraction: return nil
        case .scheduleScale: return "--schedule-scale"
        case .rungs: return "--rungs"
        case .hurdleMargin: return "--hurdle-margin"
        case .tunedBaseline: return "--tuned-baseline"
        case .mosSeeds: return "--mos-seeds"
        case .mosRung: return "--mos-rung"
        case .initSeed: return "--init-seed"
        case .precision: return "--precision"
        case .evalTimeout: return "--eval-timeout"
        case .evaluator: return "--evaluator"
        case .command: return "--command"
        case .partner: return "--partner"
        case .baseline: return "--baseline"
        case .data: return "--data"
        case .virtualClock: return "--virtual-clock"
        case .schedule: return "--schedule"
        case .islands: return "--islands"
        }
    }

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
        case .precision: return "--precision"
        }
    }

    /// The option of a shapes variant's setting in `autoloss data shapes`.
    static func flag(for parameter: ShapesScenes.Variant.Parameter) -> String {
        switch parameter {
        case .ratio: return "--ratio"
        case .noise: return "--label-noise"
        case .jitter: return "--box-jitter"
        case .objects: return "--max-objects"
        case .empty: return "--empty-share"
        }
    }

    /// A library error as the command line words it: by the options that fix it. Nil where the
    /// error's own description names no setting.
    static func text(of error: Error) -> String? {
        switch error {
        case let e as SearchError:
            switch e {
            case .invalid(let problem): return "search options: " + problem.commandLineText
            case .storeExists(let path): return "\(path) exists: choose a new --out folder, or continue that run with --resume"
            case .ablationExists(let path): return "\(path) exists: choose a new --out folder for the ablation, or continue it with --resume"
            default: return nil
            }
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

extension SearchProblem {
    /// The problem as the command line words it: the setting by its option, and the remedy as
    /// what to give or run.
    var commandLineText: String {
        let text = described(naming: setting.map { Flags.flag(for: $0) ?? $0.words })
        switch remedy {
        case let .give(other, value)?: return text + " (\(Flags.flag(for: other) ?? other.words) \(value))"
        case .tuneBaseline(let folder)?: return text + " (autoloss tune-baseline --out \(folder))"
        case nil: return text
        }
    }
}
