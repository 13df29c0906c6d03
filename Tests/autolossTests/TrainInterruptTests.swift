import Foundation
import XCTest

/// Ctrl-C during `autoloss train`: the training ends at its next step with a message and exit
/// 130, nothing written.
final class TrainInterruptTests: XCTestCase {
    func testCtrlCEndsATrainingCleanly() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-train-\(UUID().uuidString).json")
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["train", "--data", "shapes", "--task", "proxy", "--out", out.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while !seen.contains("step ") && Date() < deadline {
            seen += String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGINT)
        seen += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130, seen)
        XCTAssertTrue(seen.contains("train: interrupted before step"), seen)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }
}
