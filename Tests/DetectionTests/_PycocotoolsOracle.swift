import Foundation
import XCTest

/// Runs `scripts/coco_oracle.py` (pycocotools) on case folders and reads its answers.
///
/// The Python comes from `$PYTHON`, else `.venv/bin/python` under the repository (`make venv`
/// makes it). A missing Python is a test failure that says so, never a silent skip.
enum PycocotoolsOracle {
    /// The repository root: this file is Tests/DetectionTests/_PycocotoolsOracle.swift.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Answer {
        var stats: [Double]
        var perClassAP: [Double]
        /// The lines pycocotools' `summarize()` printed.
        var summary: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var python: String {
        if let p = ProcessInfo.processInfo.environment["PYTHON"], !p.isEmpty {
            return p.hasPrefix("/") ? p : repositoryRoot.appendingPathComponent(p).path
        }
        return repositoryRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// Evaluates every case folder with pycocotools (one Python process for all of them).
    static func answers(for folders: [URL]) throws -> [Answer] {
        let python = Self.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python with pycocotools at \(python): run `make venv` (or set PYTHON to a Python that has pycocotools)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repositoryRoot.appendingPathComponent("scripts/coco_oracle.py").path] + folders.map(\.path)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "scripts/coco_oracle.py failed (status \(process.terminationStatus)); if pycocotools is missing, run `make venv`:\n\(errorText)")
        }
        return try folders.map { folder in
            // JSONDecoder, not JSONSerialization: the latter's numbers are not always the nearest
            // Double on Linux, which shows as last-bit differences.
            struct Expected: Decodable {
                var stats: [Double]
                var per_class_ap: [Double]
                var summary: [String]
            }
            let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
            let expected = try JSONDecoder().decode(Expected.self, from: data)
            return Answer(stats: expected.stats, perClassAP: expected.per_class_ap, summary: expected.summary)
        }
    }
}
