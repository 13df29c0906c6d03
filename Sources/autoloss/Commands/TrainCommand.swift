import ArgumentParser
import Detection
import Foundation
import TensorEngine
import Search
import LossLanguage

/// `autoloss train`: trains the built-in proxy detector with a pair of losses and prints COCO's
/// twelve numbers. Exit 0 trained, 1 diverged (the loss went non-finite), 2 bad input.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the built-in proxy detector with a pair of losses and score it (COCO AP).",
        discussion: """
        The schedule is the task's preset (proxy: train split, AP on val; mos: the verification \
        set, one image per class, AP on the same images); --epochs, --size, --batch, --lr, \
        --images and --eval-on change it. Progress goes to stderr; the twelve COCO numbers to \
        stdout; --out writes {status, stats, seconds, images_per_second, ...} as JSON. \
        Exit status: 0 trained, 1 diverged (the loss or its gradient went non-finite), 2 bad input. \
        Example: autoloss train --data shapes --mode sigmoid --cls focal --reg giou
        """)

    @Option(help: ArgumentHelp("shapes (built-in scenes) or a task variant of them (shapes:imbalance[,ratio=R,objects=N,empty=F], shapes:noisy[,noise=F,jitter=F], shapes:small), coco128 (found above the current directory or the executable, or at $AUTOLOSS_COCO128), or a YOLO or COCO dataset folder.", valueName: "shapes[:VARIANT]|coco128|PATH"))
    var data = "shapes"

    @Option(help: ArgumentHelp("The classification head: softmax (C + 1 logits, background last) or sigmoid (C logits).", valueName: "softmax|sigmoid"))
    var mode: Branch = .softmax

    // `.unconditional`: formulas often start with a minus (CE is -dot(y, log(softmax(x)))).
    @Option(parsing: .unconditional, help: ArgumentHelp("Classification loss: a known loss's name or a formula of the mode's branch (default: ce for softmax, focal for sigmoid).", valueName: "LOSS"))
    var cls: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Regression loss: l1, smooth-l1, diou, ciou (built in: not functions of i, u, e), a known loss's name or a formula of the reg branch.", valueName: "LOSS"))
    var reg = "giou"

    @Option(help: "The schedule: proxy (train split, AP on val) or mos (the verification set, AP on it).")
    var task: TrainingStage = .proxy

    @Option(help: "Passes over the training images (default: the task's preset).")
    var epochs: Double?

    @Option(help: "Input size in pixels, a multiple of 32 (default: the task's preset).")
    var size: Int?

    @Option(help: "Images per batch (default: the task's preset).")
    var batch: Int?

    @Option(help: "Base learning rate (default: the task's preset).")
    var lr: Float?

    @Option(name: .customLong("reg-weight"), help: ArgumentHelp("The regression loss's weight λ against the classification loss (default 1).", valueName: "W"))
    var regWeight: Float?

    @Option(help: ArgumentHelp("Sigmoid mode: focal's alpha_t, the positives' weight (the negatives': 1 - alpha), or none (default 0.25).", valueName: "A|none"))
    var alpha: String?

    @Option(help: "Seed of the batch order and the flips (and of the initial weights with --init-seed seed).")
    var seed: UInt64 = 1

    @Option(name: .customLong("init-seed"), help: ArgumentHelp("Seed of the initial weights: a number, or 'seed' to follow --seed (default: the preset's fixed 0, the same start for every loss).", valueName: "N|seed"))
    var initSeed: String?

    @Option(help: ArgumentHelp("The convolutions' number format: fp32, bf16 (bfloat16 inputs, float32 weights and outputs; needs AVX512_BF16 or AMX) or auto, the default (bf16 where the processor has it).", valueName: "fp32|bf16|auto"))
    var precision: Precision = .auto

    @Option(help: ArgumentHelp("Training images: shapes scenes to draw, or the first N of a folder's training split (mos: the pool the verification set is chosen from).", valueName: "N"))
    var images: Int?

    @Option(name: .customLong("eval-images"), help: ArgumentHelp("Scored images: the first N of the scored split.", valueName: "N"))
    var evalImages: Int?

    @Option(name: .customLong("eval-on"), help: "Score on the validation split (val) or on the training images (train).")
    var evalOn: DataSplit?

    @Option(name: .customLong("average-decay"), help: ArgumentHelp("Score the moving average of the weights with this decay per step, e.g. 0.999 (default: the task's preset; 0 scores the last weights).", valueName: "D"))
    var averageDecay: Float?

    @Option(help: ArgumentHelp("Also score the network at these fractions of the schedule (multi-fidelity rungs), e.g. 0.25,0.5; the training itself is unchanged.", valueName: "F,F,..."))
    var rungs: String?

    @Option(name: .customLong("rung-eval-images"), help: ArgumentHelp("Score the first N of the scored images at a rung (default: all).", valueName: "N"))
    var rungEvalImages: Int?

    @Option(help: ArgumentHelp("Write the result as JSON to this file.", valueName: "FILE"))
    var out: String?

    @Flag(help: "Also score the training images after training (the fit, as MOS measures it), beside the --eval-on split.")
    var fit = false

    @Flag(name: .customLong("per-class"), help: "Also print each category's AP, AP50 and AP75.")
    var perClass = false

    @Flag(help: "Print no progress.")
    var quiet = false

    /// The classification loss as given, or the mode's default.
    var clsName: String { cls ?? (mode == .softmax ? "ce" : "focal") }

    func run() throws {
        let (schedule, classification, regression, source) = try setUp()
        let rungs = try parsedRungs()
        let trainer = try ProxyTrainer(mode: mode, classification: classification, regression: regression, schedule: schedule)
        let loadStart = Date()
        let (trainSet, evalSet) = try source.prepare(task, schedule: schedule)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        if !quiet {
            printError("train: \(source.name), \(task.rawValue) schedule, \(mode.rawValue) mode, cls \(clsName), reg \(reg); "
                + "\(trainSet.count) training images (\(trainSet.boxCount) boxes), \(evalSet.count) scored; "
                + "\(schedule.size) px, batch \(schedule.batchSize), \(schedule.iterations(trainImages: trainSet.count)) steps; "
                + "loaded in \(String(format: "%.1f", loadSeconds)) s")
        }
        let reporter = ProgressReporter(quiet: quiet)
        // Ctrl-C (or SIGTERM, SIGHUP) ends the training at its next step: a message, nothing
        // written, exit 128 + the signal.
        let stop = StopRequest()
        Interruption.install(stop, stopping: "the training ends at its next step")
        let result: TrainingResult
        do {
            result = try trainer.train(trainSet, evaluateOn: evalSet, alsoScoring: fit ? trainSet : nil, seed: seed, rungs: rungs, progress: reporter.report,
                                       shouldStop: { stop.isRequested })
        } catch TrainingError.stopped(let step) {
            reporter.finish()
            printError("train: interrupted before step \(step); nothing written")
            throw ExitCode(128 + (stop.signalNumber ?? SIGINT))
        }
        reporter.finish()
        for r in result.rungs where !quiet {
            printError(String(format: "rung at %g of the schedule (step %d): AP %.2f, scored in %.1f s", r.fraction, r.step, r.ap * 100, r.seconds))
        }
        if let out { try write(result, schedule: schedule, to: out) }
        switch result.status {
        case .ok:
            print(result.metrics!.summaryLines.joined(separator: "\n"))
            if perClass { print(result.metrics!.perCategoryLines.joined(separator: "\n")) }
            if let fitMetrics = result.fitMetrics {
                print("on the \(trainSet.count) training images (the fit):")
                print(fitMetrics.summaryLines.joined(separator: "\n"))
            }
            print(String(format: "trained %d steps in %.1f s (%.1f images/s, %d thread%@, %@), scored %d images in %.1f s",
                         result.steps, result.trainingSeconds, result.imagesPerSecond, ProcessorBudget.cores,
                         ProcessorBudget.cores == 1 ? "" : "s", schedule.precision.resolved.rawValue, evalSet.count, result.evaluationSeconds))
        case .diverged:
            print("diverged: \(result.reason)")
            throw ExitCode(1)
        }
    }

    /// `--rungs` and `--rung-eval-images`, checked.
    func parsedRungs() throws -> TrainingRungs? {
        guard let rungs else {
            if rungEvalImages != nil { throw CLIError("--rung-eval-images: give --rungs too") }
            return nil
        }
        let fractions = try commaList(rungs, option: "--rungs") { Double($0) }
        let r = TrainingRungs(fractions: fractions, evalImages: rungEvalImages)
        try r.validate()
        return r
    }

    /// Everything that can be wrong with the input, checked before any image is loaded.
    func setUp() throws -> (TrainingSchedule, Expr, RegressionSlot.Kind, DetectorData) {
        var schedule = TrainingSchedule.preset(task, isShapes: DetectorData.isShapesSpec(data))
        if let epochs { schedule.epochs = epochs }
        if let size { schedule.size = size }
        if let batch { schedule.batchSize = batch }
        if let lr { schedule.learningRate = lr }
        if let images { schedule.trainImages = images }
        if let evalImages { schedule.evalImages = evalImages }
        if let evalOn { schedule.evaluateOn = evalOn }
        if let initSeed {
            if initSeed == "seed" { schedule.networkSeed = nil } else if let n = UInt64(initSeed) { schedule.networkSeed = n } else {
                throw CLIError("--init-seed \(initSeed): give a whole number, or 'seed' to follow --seed")
            }
        }
        schedule.precision = precision
        if let regWeight { schedule.regressionWeight = regWeight }
        if let alpha {
            if alpha == "none" { schedule.focalAlpha = nil } else if let a = Float(alpha) { schedule.focalAlpha = a } else {
                throw CLIError("--alpha \(alpha): give a number in [0, 1], or none")
            }
        }
        if let averageDecay { schedule.averageDecay = averageDecay > 0 ? averageDecay : nil }
        try schedule.validate()
        let classification = try ProxyTrainer.classificationLoss(clsName, mode: mode)
        let regression = try RegressionSlot.Kind.resolve(reg)
        if let out {
            try CLIError.refuseFolder(out, option: "--out")
            let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError("--out \(out): the folder \(folder) does not exist")
            }
        }
        let source = try DetectorData.resolveFromCommandLine(data)
        return (schedule, classification, regression, source)
    }

    func write(_ result: TrainingResult, schedule: TrainingSchedule, to path: String) throws {
        let json = JSON.object([
            ("schema", .number(1)),
            ("status", .string(result.status.rawValue)),
            ("stats", JSON.numbers(result.stats)),
            ("fit_stats", result.fitMetrics.map { JSON.numbers($0.stats) } ?? .null),
            ("seconds", .number(result.seconds)),
            ("training_seconds", .number(result.trainingSeconds)),
            ("evaluation_seconds", .number(result.evaluationSeconds)),
            ("images_per_second", .number(result.imagesPerSecond)),
            ("steps", .number(Double(result.steps))),
            ("iterations", .number(Double(result.iterations))),
            ("reason", .string(result.reason)),
            ("final_loss", result.losses.last.map { .number(Double($0)) } ?? .null),
            ("rungs", .array(result.rungs.map { r in
                .object([("fraction", .number(r.fraction)), ("step", .number(Double(r.step))),
                         ("stats", JSON.numbers(r.stats)), ("seconds", .number(r.seconds))])
            })),
            ("data", .string(data)), ("task", .string(task.rawValue)), ("mode", .string(mode.rawValue)),
            ("cls", .string(clsName)), ("reg", .string(reg)), ("seed", .number(Double(seed))),
            ("init_seed", schedule.networkSeed.map { .number(Double($0)) } ?? .number(Double(seed))),
            ("precision", .string(schedule.precision.resolved.rawValue)),
            ("schedule", .object([
                ("size", .number(Double(schedule.size))), ("batch", .number(Double(schedule.batchSize))),
                ("epochs", .number(schedule.epochs)), ("lr", .number(Double(schedule.learningRate))),
                ("images", schedule.trainImages.map { .number(Double($0)) } ?? .null),
                ("eval_on", .string(schedule.evaluateOn.rawValue)),
            ])),
        ])
        do { try Data((json.text + "\n").utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError("--out \(path): cannot write: \(error.localizedDescription)")
        }
    }
}

/// Progress on stderr: rewritten in place on a terminal (twice a second), a line every 10 s
/// otherwise (logs, pipes).
final class ProgressReporter {
    let quiet: Bool
    let terminal = isatty(fileno(stderr)) != 0
    var lastPrint = Date.distantPast
    var pending: String?

    init(quiet: Bool) { self.quiet = quiet }

    func report(_ p: TrainingProgress) {
        guard !quiet else { return }
        let line = String(format: "step %d/%d  loss %.4f (cls %.4f, reg %.4f)  lr %.4g  %.1f images/s  %@ left",
                          p.step, p.iterations, p.smoothedLoss, p.classificationLoss, p.regressionLoss, p.learningRate,
                          p.imagesPerSecond, Self.duration(p.secondsLeft))
        pending = line
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= (terminal ? 0.5 : 10) || p.step == p.iterations else { return }
        lastPrint = now
        try? FileHandle.standardError.write(contentsOf: Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
        pending = nil
    }

    func finish() {
        guard !quiet else { return }
        if let pending, !terminal { printError(pending) }
        if terminal { try? FileHandle.standardError.write(contentsOf: Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}

extension TrainingStage: ExpressibleByArgument {}
extension DataSplit: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
