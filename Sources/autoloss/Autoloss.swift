import ArgumentParser
import Detection
import Foundation
import LossLanguage
import Report
import Search
import TensorEngine

/// The `autoloss` command: thin, each subcommand parses, calls the library, prints.
@main
struct Autoloss: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoloss",
        abstract: "Discover loss functions for object detectors (CSE-Autoloss).",
        version: "0.1.0",
        subcommands: [LossCommand.self, VerifyCommand.self, SearchCommand.self, ReportCommand.self, CheckEvaluatorCommand.self, EvaluateCommand.self, ExportCommand.self, CocoEvalCommand.self, DataCommand.self, TrainCommand.self, TuneBaselineCommand.self, ConfirmCommand.self])

    /// Exit codes in one place (README, "Exit codes"): 0 done; 1 a verdict of "rejected" or
    /// "diverged" (verify, train); 2 bad input or usage; 3 the environment or I/O (a full disk,
    /// permissions, a corrupt store); 130 / 143 interrupted (SIGINT / SIGTERM: 128 + the signal).
    static let environmentFailure: Int32 = 3

    static func main() {
        // Before any OpenMP runtime starts: no spinning waits, and its team follows the cores
        // this process may use.
        ProcessorBudget.applyThreadDefaults()
        // Fewer threads while other processes keep the cores busy, unless the user pinned the
        // count (a pinned count keeps trainings bit for bit the same on a busy machine):
        // OMP_NUM_THREADS, or AUTOLOSS_FIXED_THREADS=1 for the cores the process may use.
        let fixed = ProcessInfo.processInfo.environment["AUTOLOSS_FIXED_THREADS"].map { !["", "0"].contains($0) } ?? false
        ThreadWidth.isAdaptive = ProcessorBudget.appliedDefaults.contains("OMP_NUM_THREADS") && !fixed
        // A reader of standard output that leaves ends nothing early (`StandardOutput`).
        StandardOutput.prepare()
        // External evaluators (autoloss-torch-train --data shapes) call this same binary back;
        // they find it here whether or not it is on PATH.
        if let path = Bundle.main.executablePath { setenv("AUTOLOSS_BIN", path, 0) }
        var status: Int32 = 0
        do {
            var command = try parseWithNegativeNumbers()
            try command.run()
        } catch {
            status = Self.report(error)
        }
        Foundation.exit(StandardOutput.finish(status))
    }

    /// The parsed command. swift-argument-parser takes `-1` after an option for an option of
    /// its own, so `--lr -1` said "Missing value": where the arguments do not parse as given,
    /// an option followed by a negative number is read as `--lr=-1`, and the option's own check
    /// says why the number is refused. Arguments that parse as given are never rewritten.
    static func parseWithNegativeNumbers(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) throws -> ParsableCommand {
        do { return try parseAsRoot(arguments) } catch {
            var joined: [String] = [], k = 0
            while k < arguments.count {
                let a = arguments[k]
                if a == "--" { joined += arguments[k...]; break }
                if a.hasPrefix("--"), !a.contains("="), k + 1 < arguments.count, isNegativeNumber(arguments[k + 1]) {
                    joined.append(a + "=" + arguments[k + 1])
                    k += 2
                } else {
                    joined.append(a)
                    k += 1
                }
            }
            guard joined != arguments, exitCode(for: error) != .success else { throw error }
            return try parseAsRoot(joined)
        }
    }

    static func isNegativeNumber(_ text: String) -> Bool {
        text.count > 1 && text.hasPrefix("-") && Double(text) != nil
    }

    static func report(_ error: Error) -> Int32 {
        // A message that quotes a long input (a 50,000-character formula) keeps both ends.
        /// A line on stderr; if stderr itself fails there is nowhere left to say so (not a crash).
func printError(_ text: String) {
            autoloss.printError(text.split(separator: "\n", omittingEmptySubsequences: false).map {
                // Control characters from the input (an ESC in a formula or a file name) are
                // shown escaped, not sent to the terminal.
                visible($0.count > 400 ? $0.prefix(100) + " ... " + $0.suffix(250) : $0)
            }.joined(separator: "\n"))
        }
        switch error {
        case let e as SearchError:
            printError("error: \(Flags.text(of: e) ?? "\(e)")")
            switch e {
            case .io, .baselineFailed, .evaluationsFailed: return environmentFailure
            default: return 2
            }
        // A file that could not be written (a full disk): the environment's failure.
        case let e as WriteFailure:
            printError("error: \(e.message)")
            return environmentFailure
        case let e as DataError where e.isWriteFailure:
            printError("error: \(e)")
            return environmentFailure
        // The library's user-facing errors: each describes itself in a line that says where.
        case is LossLanguageError, is DataError, is DetectionError, is TrainingError:
            printError("error: \(Flags.text(of: error) ?? "\(error)")")
            return 2
        case let e as CLIError:
            printError("error: \(e.message)")
            return 2
        case let e as ExitCode:
            return e.rawValue
        // A file the command writes (a report, a hall of fame, an export): the path and the
        // operating system's reason, not Foundation's domain and code.
        case let e as NSError where e.domain == NSCocoaErrorDomain || e.domain == NSPOSIXErrorDomain:
            let path = e.userInfo[NSFilePathErrorKey] as? String ?? (e.userInfo[NSURLErrorKey] as? URL)?.path
            // A file to write that is a folder is the user's to fix, not the environment's.
            if let path, CLIError.isFolder(path) {
                printError("error: \(path): is a folder, not a file: name the file to write")
                return 2
            }
            printError("error: \(path.map { $0 + ": " } ?? "")\(RunFolder.cause(of: e))")
            return environmentFailure
        default:
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            autoloss.printError(message.split(separator: "\n", omittingEmptySubsequences: false).map { visible($0) }.joined(separator: "\n"))
            // Usage errors are bad input too: one code for all of it.
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}

/// A user-facing error of the command line itself (files, shapes): one line, exit 2.
struct CLIError: Error {
    var message: String
    init(_ message: String) { self.message = message }
    /// A search's options' problem, by the options that fix it.
    init(_ problem: SearchProblem) { message = problem.commandLineText }

    /// Refuses an output file path that is a folder (writing there failed late, and as
    /// "NSCocoaErrorDomain error 512"); `option` names the flag that gave it.
    static func refuseFolder(_ path: String, option: String) throws {
        // An empty path is no file (Foundation reads it as the current folder, or the root).
        if path.isEmpty { throw CLIError("\(option) '': give the file to write") }
        if isFolder(path) { throw CLIError("\(option) \(path): is a folder, not a file: name the file to write (in it, or elsewhere)") }
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// A line of a message as `LossLanguageError` shows a formula: control and invisible
/// formatting characters written as `\u{1B}`.
func visible(_ line: some StringProtocol) -> String { LossLanguageError.visible(line) }

/// A line on stderr; if stderr itself fails there is nowhere left to say so (not a crash).
func printError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
}

extension Branch: ExpressibleByArgument {}
extension Schedule: ExpressibleByArgument {}

extension EvaluatorChoice: ExpressibleByArgument {
    /// The name alone: `--data` and `--command` give the detector's data and the command.
    public init?(argument: String) {
        switch argument {
        case "simulation": self = .simulation
        case "detector": self = .detector(data: "shapes")
        case "external": self = .external(command: "")
        default: return nil
        }
    }

    public static var allValueStrings: [String] { names }
}

extension ExecutorChoice: ExpressibleByArgument {
    /// The name alone: `--jobs` and `--sbatch-arg` give the rest.
    public init?(argument: String) {
        switch argument {
        case "local": self = .local(jobs: 1)
        case "slurm": self = .slurm(arguments: [], jobs: 1)
        default: return nil
        }
    }

    public static var allValueStrings: [String] { names }
}
