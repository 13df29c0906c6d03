import Foundation
import XCTest

/// The single-node Slurm the Slurm tests run against (.ci/run starts it with
/// scripts/slurm_local.sh). Where none answers, a test is skipped with a message, except in CI
/// (CI=true), where that is a failure.
enum SlurmSupport {
    static func requireSlurm() throws {
        let sinfo = run(["sinfo", "-h", "-o", "%t"])
        if sinfo.status == 0 && ["idle", "mix", "alloc"].contains(where: { sinfo.out.contains($0) }) { return }
        let message = "no Slurm answers here (sinfo shows no idle node): start one with `bash scripts/slurm_local.sh start` (as root)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message); throw XCTSkip("failed: " + message) }
        throw XCTSkip(message)
    }

    /// The names of the jobs Slurm still has queued or running.
    static func queuedJobNames() -> [String] {
        run(["squeue", "-h", "-o", "%j"]).out.split(separator: "\n").map(String.init)
    }

    /// Waits up to `seconds` for `condition`; false when it did not come.
    static func wait(_ seconds: Double, for condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    @discardableResult
    static func run(_ arguments: [String]) -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return (127, "") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
