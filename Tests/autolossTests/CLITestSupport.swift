import Foundation
import Report
import XCTest

/// Runs the built `autoloss` binary, as a user would, and captures what it prints.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The binary beside the test bundle in the build products folder (AUTOLOSS_BIN overrides).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["AUTOLOSS_BIN"] { return URL(fileURLWithPath: path) }
        var dir = Bundle(for: Marker.self).bundleURL
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("autoloss")
    }

    final class Marker {}

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        try run(binary, arguments, stdin: stdin, environment: environment)
    }

    /// Runs another program (a Python script's interpreter) the same way.
    static func run(_ executable: URL, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the binary and returns at once (its output discarded): for tests that signal or
    /// kill a running search.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts `arguments`, sends SIGINT (Ctrl-C) after `seconds` and returns the exit status;
    /// nil when the command had ended before the signal.
    static func interrupted(_ arguments: [String], after seconds: Double) throws -> Int32? {
        let process = try start(arguments)
        Thread.sleep(forTimeInterval: seconds)
        guard process.isRunning else { return nil }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits up to `seconds` for a file to appear; false when it did not.
    @discardableResult
    static func waitForFile(_ path: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: path) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return FileManager.default.fileExists(atPath: path)
    }

    static func temporaryFile(_ contents: String, suffix: String = ".json") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-test-\(UUID().uuidString)\(suffix)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}

extension CLI {
    /// ablation.txt's first table, one line per arm; the table of trainings to each arm's best AP
    /// that follows it names the arms again.
    static func ablationTable(_ text: String) -> String {
        text.components(separatedBy: "\n\n" + FilterAblation.levelsTitle).first ?? text
    }

    /// Asserts that the ablation in `out` has its three arms and that each spent `budget`
    /// proxy trainings (the table's third column).
    static func assertEachArmSpends(_ budget: String, out: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let table = try String(contentsOfFile: out + "/ablation.txt", encoding: .utf8)
        let rows = ablationTable(table).split(separator: "\n").filter { line in ["none ", "cpv ", "cpv-mos "].contains { line.hasPrefix($0) } }
        XCTAssertEqual(rows.count, 3, table, file: file, line: line)
        for row in rows {
            XCTAssertEqual(row.split(separator: " ", omittingEmptySubsequences: true)[2], Substring(budget),
                           "each arm spends the budget: \(row)", file: file, line: line)
        }
    }
}
