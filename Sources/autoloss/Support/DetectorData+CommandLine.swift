import Detection
import Foundation
import Search

extension DetectorData {
    /// `--data` as the command line finds it: coco128 is searched upward from the current
    /// directory and from the executable's folder (or taken from $AUTOLOSS_COCO128).
    static func resolveFromCommandLine(_ spec: String) throws -> DetectorData {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        return try resolve(spec, searchingFrom: [FileManager.default.currentDirectoryPath, executable])
    }

    /// The data of a search's built-in detector, resolved once for the whole run; nil for the
    /// other evaluators.
    static func forSearch(_ o: SearchOptions) throws -> DetectorData? {
        guard o.evaluator == "detector" else { return nil }
        do { return try resolveFromCommandLine(o.data) } catch { throw CLIError("--data \(o.data): \(error)") }
    }
}
