import ArgumentParser
import Detection
import Foundation
import LossLanguage
import Search
import Verification

/// `autoloss check-evaluator`: the external evaluator's contract tried once, on the baseline,
/// before a search spends hours on it: what the command got, what it gave back, whether that
/// passes, and the end of its output.
struct CheckEvaluatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-evaluator",
        abstract: "Try an external evaluator: train the baseline once at each stage through the command and show what came back.",
        discussion: """
        The candidate folders (formula.txt, loss.py, partner.py, candidate.json, ... and what the command \
        wrote: result.json, stdout.txt, stderr.txt) stay in --out for a look. Exit 0 when every training gave \
        a valid result, 1 otherwise. With --stage proxy --seeds 1,2,3 and a loss as --baseline it is also \
        the way to train one pair several times through your detector (a found loss against its baseline): \
        the mean and deviation of AP are printed.
        """)

    @Option(help: "The evaluator's command; {dir} is the candidate's folder, already quoted for the shell.") var command: String
    @Option(help: "The searched slot: softmax, sigmoid or reg.") var branch: Branch = .reg
    @Option(help: "Classification mode for a reg search: softmax or sigmoid (sigmoid for one-stage detectors: FCOS, RetinaNet).") var mode: Branch?
    @Option(parsing: .unconditional, help: "The fixed loss of the other slot.") var partner: String?
    @Option(parsing: .unconditional, help: "The baseline loss that is trained.") var baseline: String?
    @Option(name: .customLong("eval-timeout"), help: "Seconds each evaluation may take.") var evalTimeout: Double?
    @Option(help: "Where the candidate folders go (default: a new temporary folder).") var out: String?
    @Option(help: "Only this stage (default: mos, then proxy).") var stage: TrainingStage?
    @Option(help: ArgumentHelp("Train with each of these seeds (candidate.json's seed; default: the search's).", valueName: "S,S,...")) var seeds: String?

    func run() throws {
        var o = SearchOptions(branch: branch, mode: mode, partner: partner, baseline: baseline)
        o.evaluator = .external(command: command)
        o.evalTimeoutSeconds = evalTimeout
        if let problem = o.problem { throw CLIError(problem) }
        let losses = try o.losses()
        let folder = URL(fileURLWithPath: out ?? NSTemporaryDirectory() + "autoloss-check-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let seedList = try seeds.map { try commaList($0, option: "--seeds") { UInt64($0) } } ?? [o.seed]
        let evaluator = LocalProcessExecutor(command: command, workDirectory: folder, timeout: evalTimeout)
        print("checking the evaluator on the baseline \(o.baseline) (\(o.branch.rawValue), mode \(o.mode.rawValue), partner \(o.partner))")
        print("command: \(command)")
        var good = true
        for stage in stage.map({ [$0] }) ?? TrainingStage.allCases {
            var aps: [Double] = []
            for seed in seedList {
                let request = EvaluationRequest(pair: losses.baselinePair, searched: o.branch, stage: stage, seed: seed)
                let result = evaluator.evaluate(request, context: EvaluationContext())
                let dir = folder.appendingPathComponent(CandidateFolder.name(request))
                print("\n== \(stage.rawValue) stage, seed \(seed), in \(dir.path) (\(String(format: "%.1f", result.seconds)) s)")
                if let ap = result.ap, result.status == .ok { aps.append(ap) }
                good = show(result, in: dir) && good
            }
            if seedList.count > 1, aps.count == seedList.count {
                print(String(format: "\n%@ stage: AP %.2f ± %.2f over %d seeds (%@)", stage.rawValue, sampleMean(aps), sampleDeviation(aps), seedList.count,
                             aps.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
            }
        }
        print(good ? "\nthe evaluator works: `autoloss search --evaluator external --command ...` can use it"
                   : "\nthe evaluator is not ready: see above")
        if !good { throw ExitCode(1) }
    }

    /// Prints one training's verdict and the end of the files it left; whether it is valid.
    func show(_ result: EvaluationResult, in dir: URL) -> Bool {
        var valid = true
        switch result.status {
        case .ok:
            print("valid result: AP \(String(format: "%.2f", result.ap ?? 0))" + (result.stats.count == 12 && result.stats[1] >= 0
                ? String(format: ", AP50 %.2f, AP75 %.2f", result.stats[1] * 100, result.stats[2] * 100) : " (AP only)"))
        case .diverged:
            print("valid result, but diverged: \(result.reason) (a baseline that diverges leaves a search nothing to compare with)")
            valid = false
        case .failed, .pruned:  // no hurdle in a check: pruned cannot come back
            print("FAILED: \(result.reason)")
            valid = false
        }
        let folder = CandidateFolder(dir)
        for file in [folder.resultFile, folder.stdoutFile, folder.stderrFile] {
            // The end of each file only, and only of a regular file: the command's output can be
            // gigabytes, and a result.json linked to /dev/zero has no end.
            let tail: Data
            do { tail = try BoundedFile.readTail(file.path, role: "output file", bytes: 64 << 10) } catch DataError.missingFile {
                continue
            } catch {
                print("-- \(file.lastPathComponent): \(error)")
                continue
            }
            let text = String(decoding: tail, as: UTF8.self)
            if text.isEmpty { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            print("-- \(file.lastPathComponent)" + (lines.count > 8 ? " (its last 8 lines)" : ""))
            for line in lines.suffix(8) where !line.isEmpty { print("   " + line) }
        }
        return valid
    }
}
