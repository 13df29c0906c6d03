import ArgumentParser
import Detection
import Foundation
import LossLanguage
import Search
import TensorEngine

/// `autoloss tune-baseline`: sweeps a baseline pair's regression weight (and focal's alpha and
/// gamma) on the proxy task with several seeds, so that a search measures its candidates against
/// the baseline at its best (`search --tuned-baseline DIR`). Exit 0 tuned, 2 bad input, 3 I/O,
/// 130 / 143 interrupted (what was trained is kept; the same command goes on from there).
struct TuneBaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune-baseline",
        abstract: "Tune a baseline pair's regression weight (and focal's alpha and gamma) on the proxy task, several seeds.",
        discussion: """
        First the regression weight (--weights) with the published settings, then, where the \
        classification loss is sigmoid focal, alpha x gamma (--alphas, --gammas) at the best \
        weight, and where that moved them, the weights again at the new alpha and gamma. A best weight at the grid's edge grows the grid past it (--fixed-grid: not). Every setting is trained with every seed on the built-in proxy detector; the best \
        has the highest mean AP. Each training is kept in DIR/trainings as it ends, and the same \
        command with the same --out trains only what is missing. DIR/tuning.json is what \
        `search --tuned-baseline DIR` reads. Example (about 40 minutes on 2 cores): \
        autoloss tune-baseline --mode softmax --cls ce --reg giou --out runs/tuned-ce-giou
        """)

    @Option(help: ArgumentHelp("shapes or a variant of them (shapes:imbalance, shapes:noisy, shapes:small, as train's --data), coco128 or a dataset folder (the search's --data).", valueName: "shapes[:VARIANT]|coco128|PATH"))
    var data = "shapes"

    @Option(help: ArgumentHelp("The classification head: softmax or sigmoid.", valueName: "softmax|sigmoid"))
    var mode: Branch = .softmax

    @Option(parsing: .unconditional, help: ArgumentHelp("The pair's classification loss (default: ce for softmax, focal for sigmoid).", valueName: "LOSS"))
    var cls: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("The pair's regression loss.", valueName: "LOSS"))
    var reg = "giou"

    @Option(help: ArgumentHelp("Regression weights to try.", valueName: "W,W,..."))
    var weights = "0.5,1,2,3,5"

    @Option(help: ArgumentHelp("Focal's alpha values to try (sigmoid focal only).", valueName: "A,A,..."))
    var alphas = "0.25,0.5,0.75"

    @Option(help: ArgumentHelp("Focal's gamma values to try, whole numbers (sigmoid focal only).", valueName: "G,G,..."))
    var gammas = "0,1,2"

    @Flag(name: .customLong("fixed-grid"), help: "Keep to --weights even where the best weight is the grid's largest or smallest (by default the grid grows past that edge, doubling or halving, up to 4 weights more, until the best lies inside it).")
    var fixedGrid = false

    @Option(help: ArgumentHelp("Training seeds of every setting.", valueName: "S,S,..."))
    var seeds = "1,2,3"

    @Option(name: .customLong("schedule-scale"), help: "The proxy schedule at this fraction of its preset's steps (the search's --schedule-scale).")
    var scheduleScale: Double?

    @Option(help: ArgumentHelp("The convolutions' number format: fp32, bf16 (needs AVX512_BF16 or AMX) or auto, the default (bf16 where the processor has it); the search that reads the tuning must train in the same.", valueName: "fp32|bf16|auto"))
    var precision: Precision = .auto

    @Option(help: ArgumentHelp("The tuning's folder (made if missing; an existing one is continued).", valueName: "DIR"))
    var out: String

    func run() throws {
        var tuning = BaselineTuning(mode: mode, classification: cls ?? (mode == .softmax ? "ce" : "focal"), regression: reg)
        tuning.weights = try commaList(weights, option: "--weights") { Float($0).flatMap { $0 >= 0 && $0 <= 1000 ? $0 : nil } }
        tuning.alphas = try commaList(alphas, option: "--alphas") { Float($0).flatMap { $0 >= 0 && $0 <= 1 ? $0 : nil } }
        tuning.gammas = try commaList(gammas, option: "--gammas") { Int($0).flatMap { $0 >= 0 && $0 <= 8 ? $0 : nil } }
        tuning.seeds = try commaList(seeds, option: "--seeds") { UInt64($0) }
        if fixedGrid { tuning.edgeExtensions = 0 }
        if let f = scheduleScale, !(f > 0 && f <= 4) { throw CLIError("--schedule-scale \(f): give a fraction in (0, 4]") }
        _ = try tuning.classificationLoss(tuning.weightSweep[0])
        _ = try RegressionSlot.Kind.resolve(reg)
        let source = try DetectorData.resolveFromCommandLine(data)
        let folder = BaselineTuning.Folder(out)
        let stop = StopRequest()
        Interruption.install(stop, stopping: "the training under way ends at its next step; the finished ones are kept")
        let tuned: TunedBaseline
        do {
            tuned = try tuning.run(data: source, scheduleScale: scheduleScale, precision: precision, folder: folder, log: { printError("tune-baseline: \($0)") },
                                   shouldStop: { stop.isRequested })
        } catch TrainingError.stopped {
            printError("tune-baseline: interrupted; the finished trainings are in \(folder.trainings.path), the same command goes on")
            throw ExitCode(128 + (stop.signalNumber ?? SIGINT))
        } catch let error as CocoaError {
            printError("tune-baseline: \(out): \(error.localizedDescription)")
            throw ExitCode(Autoloss.environmentFailure)
        }
        print(tuned.table)
        print(String(format: "tuned baseline: %@ + %@ at %@: AP %.2f ± %.2f over %d seeds (%@)", tuned.classification, tuned.regression,
                     tuned.best.setting.label, tuned.best.mean, tuned.best.sd, tuned.seeds.count, folder.summary.path))
    }
}
