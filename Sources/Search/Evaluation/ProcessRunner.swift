import Foundation
import TensorEngine

/// The one way autoloss runs another program: an evaluator's command (`sh -c`, by the local
/// executor) and Slurm's commands (sbatch, scontrol, sacct, scancel) alike.
///
/// The program runs in a process group of its own (Foundation starts it so): on a stop request,
/// or past `timeout` seconds, the whole group gets SIGTERM, and SIGKILL 5 s later, so that no
/// training it started outlives the search. Both pipes are read to the end on threads of their
/// own, so that a chatty program never blocks on a full pipe.
enum ProcessRunner {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Ended for running past its time limit.
        var timedOut = false
        /// Why it could not be started (nil: it ran).
        var launchFailure: String?
    }

    /// Runs `arguments` (looked up on PATH) in `directory` with `environment` added to this
    /// process's, and waits for it; `started` hears its process id.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    stop: StopRequest? = nil, timeout: Double? = nil, started: (Int32) -> Void = { _ in }) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        // The thread defaults this process set for itself are not the command's: it gets the
        // user's environment, and what the caller sets.
        var inherited = ProcessInfo.processInfo.environment
        for name in ProcessorBudget.appliedDefaults { inherited[name] = nil }
        process.environment = inherited.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try process.run()
        } catch {
            return Output(status: 127, stdout: "", stderr: "", launchFailure: "cannot start \(arguments.first ?? "a program"): \(error.localizedDescription)")
        }
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            group.enter()
            DispatchQueue(label: "autoloss.pipe").async {  // overcommitting: a reader at once, however many block
                box.data = (try? pipe.fileHandleForReading.readToEnd()) ?? Data()
                group.leave()
            }
        }
        started(process.processIdentifier)
        let start = Date()
        var terminatedAt: Date?, timedOut = false
        while ended.wait(timeout: .now() + 0.1) == .timedOut {
            if let timeout, Date().timeIntervalSince(start) > timeout { timedOut = true }
            guard stop?.isRequested == true || timedOut else { continue }
            if let at = terminatedAt {
                if Date().timeIntervalSince(at) > 5 { kill(-process.processIdentifier, SIGKILL) }
            } else {
                kill(-process.processIdentifier, SIGTERM)
                terminatedAt = Date()
            }
        }
        process.waitUntilExit()
        group.wait()
        return Output(status: process.terminationStatus, stdout: String(decoding: outBox.data, as: UTF8.self),
                      stderr: String(decoding: errBox.data, as: UTF8.self), timedOut: timedOut)
    }
}
