import ArgumentParser
import Detection
import Foundation
import LossLanguage
import Search

/// `autoloss check-evaluator`: the external evaluator's contract tried once, on the baseline,
/// before a search spends hours on it: what the command got, what it gave back, whether that
/// passes, and the end of its output.
struct CheckEvaluatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-evaluator",
        abstract: "Try an external evaluator: train the baseline once at each stage through the command and show what came back.",
        discussion: """
        The candidate folders (formula.txt, loss.py, partner.py, candidate.json, ... and what the command \
        wrote: result.json, stdout.txt, stderr.txt) stay in --out for a look. Exit 0 when both stages gave \
        a valid result, 1 otherwise.
        """)

    @Option(help: "The evaluator's command; {dir} is the candidate's folder, already quoted for the shell.") var command: String
    @Option(help: "The searched slot: softmax, sigmoid or reg.") var branch: Branch = .reg
    @Option(help: "Classification mode for a reg search: softmax or sigmoid (sigmoid for one-stage detectors: FCOS, RetinaNet).") var mode: Branch?
    @Option(parsing: .unconditional, help: "The fixed loss of the other slot.") var partner: String?
    @Option(parsing: .unconditional, help: "The baseline loss that is trained.") var baseline: String?
    @Option(name: .customLong("eval-timeout"), help: "Seconds each evaluation may take.") var evalTimeout: Double?
    @Option(help: "Where the candidate folders go (default: a new temporary folder).") var out: String?

    func run() throws {
        var o = SearchOptions(branch: branch, mode: mode, partner: partner, baseline: baseline)
        o.evaluator = .external(command: command)
        o.evalTimeoutSeconds = evalTimeout
        if let problem = o.problem { throw CLIError(problem) }
        let losses = try o.losses()
        let folder = URL(fileURLWithPath: out ?? NSTemporaryDirectory() + "autoloss-check-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let evaluator = ExternalEvaluator(command: command, workDirectory: folder, timeout: evalTimeout)
        print("checking the evaluator on the baseline \(o.baseline) (\(o.branch.rawValue), mode \(o.mode.rawValue), partner \(o.partner))")
        print("command: \(command)")
        var good = true
        for stage in TrainingStage.allCases {
            let result = evaluator.evaluate(losses.baselinePair, searched: o.branch, stage: stage, seed: o.seed,
                                            context: EvaluationContext(generation: nil, slot: nil))
            let dir = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .first { $0.lastPathComponent.hasPrefix(stage.rawValue + "-") }
            print("\n== \(stage.rawValue) stage, in \(dir?.path ?? folder.path) (\(String(format: "%.1f", result.seconds)) s)")
            switch result.status {
            case .ok:
                print("valid result: AP \(String(format: "%.2f", result.ap ?? 0))" + (result.stats.count == 12 && result.stats[1] >= 0
                    ? String(format: ", AP50 %.2f, AP75 %.2f", result.stats[1] * 100, result.stats[2] * 100) : " (AP only)"))
            case .diverged:
                print("valid result, but diverged: \(result.reason) (a baseline that diverges leaves a search nothing to compare with)")
                good = false
            case .failed, .pruned:  // no hurdle in a check: pruned cannot come back
                print("FAILED: \(result.reason)")
                good = false
            }
            for file in ["result.json", "stdout.txt", "stderr.txt"] {
                guard let dir, let text = try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8), !text.isEmpty else { continue }
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                print("-- \(file)" + (lines.count > 8 ? " (last 8 of \(lines.count) lines)" : ""))
                for line in lines.suffix(8) where !line.isEmpty { print("   " + line) }
            }
        }
        print(good ? "\nthe evaluator works: `autoloss search --evaluator external --command ...` can use it"
                   : "\nthe evaluator is not ready: see above")
        if !good { throw ExitCode(1) }
    }
}
