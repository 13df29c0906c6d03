import Detection
import Foundation

extension DetectorData {
    /// `--data` as the command line finds it: coco128 is searched upward from the current
    /// directory and from the executable's folder (or taken from $AUTOLOSS_COCO128).
    static func resolveFromCommandLine(_ spec: String) throws -> DetectorData {
        try resolve(spec, searchingFrom: searchPath)
    }

    /// The folders coco128 is looked for from: the current one and the executable's.
    static var searchPath: [String] {
        [FileManager.default.currentDirectoryPath, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path]
    }
}
