import ArgumentParser
import Detection
import Foundation
import Search

/// `autoloss evaluate DIR`: the worker. Runs the one evaluation a candidate folder describes,
/// with the evaluator it names (the built-in detector on its data, the simulation, or the
/// folder's external command), and writes the checked result.json there. An executor (a local
/// process, a Slurm job) runs evaluations through it, so any evaluator runs on any executor.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run the evaluation a candidate folder describes and write its result.json (the workers' entry point).",
        discussion: """
        The folder holds prefix.txt, partner_prefix.txt and candidate.json (branch, mode, stage, seed, and \
        the evaluator: {"detector": {"data": ...}}, {"simulation": {}} or {"external": {"command": ...}}). \
        Exit 0 when result.json was written, whatever its status (ok, diverged, failed with the reason); \
        exit 2 when another process is evaluating the folder (one at a time: it holds evaluation.lock).
        """)

    @Argument(help: "The candidate folder.") var folder: String

    func run() throws {
        let candidate = CandidateFolder(URL(fileURLWithPath: folder))
        let result = try candidate.evaluate(dataSearchPath: DetectorData.searchPath)
        let what = result.ap.map { String(format: ": AP %.2f", $0) } ?? (result.reason.isEmpty ? "" : ": \(result.reason)")
        print("\(result.status.rawValue)\(what) (\(String(format: "%.1f", result.seconds)) s); \(candidate.resultFile.path)")
    }
}
