import Foundation

/// Where an external evaluation runs: here, or as one Slurm job per evaluation (`sbatch --wait`,
/// which blocks until the job ends and returns its exit status), so that users who outgrow one
/// machine run on their cluster without changing their command.
public enum Executor: Sendable, Equatable {
    case local
    /// Extra sbatch arguments (partition, GPUs, time), e.g. ["--partition=gpu", "--gres=gpu:1"].
    case slurm(arguments: [String])

    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    func run(_ command: String, in directory: URL, environment: [String: String]) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.currentDirectoryURL = directory
        switch self {
        case .local:
            process.arguments = ["sh", "-c", command]
        case .slurm(let extra):
            let log = directory.appendingPathComponent("slurm-%j.out").path
            process.arguments = ["sbatch", "--wait", "--parsable", "--job-name=autoloss", "--output=\(log)",
                                 "--chdir=\(directory.path)", "--export=ALL"] + extra + ["--wrap", command]
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            let what = self == .local ? "sh" : "sbatch (is Slurm installed here?)"
            return Outcome(status: 127, stdout: "", stderr: "cannot start \(what): \(error.localizedDescription)")
        }
        // Read both pipes to the end before waiting, so a chatty command cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }
}
