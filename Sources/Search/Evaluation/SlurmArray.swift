import Foundation

/// Evaluations submitted at the same moment (one stage of a generation, `--jobs N` at a time)
/// go to Slurm as one job array: one sbatch call and one queue entry for N trainings. Each
/// evaluation's thread hands its request here; the first waits `window` seconds for the others,
/// submits them together and gives each its task id (`ARRAY_TASK`), which it then follows,
/// cancels and retries as a job of its own.
final class SlurmArray: @unchecked Sendable {
    static let shared = SlurmArray()

    struct Request {
        var command: String
        var directory: URL
        var environment: [String: String]
        var arguments: [String]
        /// The array's name: the jobs' names without their slot.
        var name: String
    }

    private final class Waiting {
        let request: Request
        var result: SlurmJob.Submitted?
        let done = DispatchSemaphore(value: 0)
        init(_ request: Request) { self.request = request }
    }

    private let lock = NSLock()
    private var pending: [Waiting] = []

    func submit(_ request: Request, window: Double) -> SlurmJob.Submitted {
        let me = Waiting(request)
        lock.lock()
        pending.append(me)
        let leader = pending.count == 1
        lock.unlock()
        guard leader else {
            me.done.wait()
            return me.result!
        }
        Thread.sleep(forTimeInterval: window)
        lock.lock()
        let batch = pending
        pending = []
        lock.unlock()
        // Requests of other runs or options (an ablation's arms) go in arrays of their own.
        var groups: [[Waiting]] = []
        for w in batch {
            if let k = groups.firstIndex(where: { $0[0].request.arguments == w.request.arguments && $0[0].request.name == w.request.name }) {
                groups[k].append(w)
            } else {
                groups.append([w])
            }
        }
        for group in groups { submit(group) }
        for w in batch where w !== me { w.done.signal() }
        return me.result!
    }

    private func submit(_ group: [Waiting]) {
        if group.count == 1 {
            let r = group[0].request
            group[0].result = SlurmJob.submit(r.command, arguments: r.arguments, name: r.name, directory: r.directory, environment: r.environment)
            return
        }
        let first = group[0].request
        switch SlurmJob.submitArray(group.map { ($0.request.command, $0.request.directory, $0.request.environment) },
                                    arguments: first.arguments, name: first.name, in: first.directory.deletingLastPathComponent()) {
        case .success(let array):
            for (k, w) in group.enumerated() { w.result = .success("\(array)_\(k)") }
        case .failure(let message):
            for w in group { w.result = .failure(message) }
        }
    }
}

extension SlurmJob {
    /// One array job whose task k runs `tasks[k]`'s command in its folder, with its environment,
    /// its stdout and stderr in slurm-ARRAY_k.out / .err there (as a single job's are).
    static func submitArray(_ tasks: [(command: String, directory: URL, environment: [String: String])], arguments: [String],
                            name: String, in folder: URL) -> Submitted {
        var script = "case \"$SLURM_ARRAY_TASK_ID\" in\n"
        for (k, t) in tasks.enumerated() {
            let exports = t.environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(Shell.quoted($0.value)); " }.joined()
            let files = "\"slurm-${SLURM_ARRAY_JOB_ID}_\(k)\""
            script += "\(k)) cd \(Shell.quoted(t.directory.path)) && \(exports)sh -c \(Shell.quoted(t.command)) > \(files).out 2> \(files).err;;\n"
        }
        script += "esac\n"
        let args = ["sbatch", "--parsable", "--array=0-\(tasks.count - 1)", "--job-name=\(name)", "--chdir=\(folder.path)", "--export=ALL",
                    "--output=\(folder.path)/slurm-%A_%a.log", "--error=\(folder.path)/slurm-%A_%a.log"] + arguments + ["--wrap", script]
        return parse(capture(args))
    }
}
