import Foundation
import XCTest

/// The single-node Slurm the Slurm tests run against (.ci/run starts it with
/// scripts/slurm_local.sh). Where none answers, a test is skipped with a message, except in CI
/// (CI=true), where that is a failure.
enum SlurmSupport {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func requireSlurm() throws {
        usePrivateSlurm()
        let sinfo = run(["sinfo", "-h", "-o", "%t"])
        if sinfo.status == 0 && ["idle", "mix", "alloc"].contains(where: { sinfo.out.contains($0) }) { return }
        let message = "no Slurm answers here (sinfo shows no idle node): start one with `bash scripts/slurm_local.sh start` (as root)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message); throw XCTSkip("failed: " + message) }
        throw XCTSkip(message)
    }

    /// scripts/slurm_local.sh's Slurm has its own slurm.conf, which Slurm's commands find through
    /// SLURM_CONF: where that is not set, the script says where the conf is (if its Slurm runs),
    /// and it is set in this process, so that sinfo here and the commands the tests start (the
    /// autoloss CLI, its sbatch and scontrol) all reach that Slurm. A SLURM_CONF already set wins.
    static func usePrivateSlurm() {
        guard ProcessInfo.processInfo.environment["SLURM_CONF"] == nil else { return }
        let conf = run(["bash", repositoryRoot.appendingPathComponent("scripts/slurm_local.sh").path, "conf"])
        let path = conf.out.trimmingCharacters(in: .whitespacesAndNewlines)
        if conf.status == 0, !path.isEmpty { setenv("SLURM_CONF", path, 1) }
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
