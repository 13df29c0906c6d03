import Foundation
import XCTest

/// The Python of the oracle tests: $PYTHON, or the repository's .venv (made by `make venv`, which
/// installs scripts/requirements-test.txt, pycocotools among them).
enum OraclePython {
    static var path: String {
        if let p = ProcessInfo.processInfo.environment["PYTHON"], !p.isEmpty { return p }
        return Fixtures.repoRoot + "/.venv/bin/python"
    }

    /// Runs `script` with `arguments`; fails the test with a clear message if Python is missing
    /// or the script fails. Returns standard output.
    static func run(_ script: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("no Python at \(path): run `make venv` (creates .venv with pycocotools) or set PYTHON to a Python with pycocotools", file: file, line: line)
            throw XCTSkip("python missing")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: stderr, as: UTF8.self)
            let hint = text.contains("No module named") ? " (run `make venv`: scripts/requirements-test.txt lists what the oracle tests import)" : ""
            XCTFail("\(path) failed (\(process.terminationStatus))\(hint): \(text)", file: file, line: line)
            throw XCTSkip("python failed")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
