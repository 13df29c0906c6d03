import Foundation

/// The evaluations the scheduler starts together (the first `--jobs` of a stage) go to Slurm as
/// one job array: one sbatch call and one queue entry for N trainings. The scheduler hands them
/// over explicitly (`CandidateEvaluator.begin`); each is then followed, cancelled and retried as
/// a job of its own, by its task id (ARRAY_TASK).
extension SlurmJob {
    /// One task of an array: the command, run in its folder with its environment.
    struct Task {
        var command: String
        var directory: URL
        var environment: [String: String]
    }

    /// One array job whose task k runs `tasks[k]`'s command in its folder, with its environment,
    /// its stdout and stderr in slurm-ARRAY_k.out / .err there (as a single job's are); the
    /// array's own log in `folder`. Each task's id, in order, or why sbatch refused them all.
    static func submitArray(_ tasks: [Task], arguments: [String], name: String, in folder: URL) -> [Submitted] {
        var script = "case \"$SLURM_ARRAY_TASK_ID\" in\n"
        for (k, t) in tasks.enumerated() {
            let exports = t.environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(Shell.quoted($0.value)); " }.joined()
            let files = "\"slurm-${SLURM_ARRAY_JOB_ID}_\(k)\""
            script += "\(k)) cd \(Shell.quoted(t.directory.path)) && \(exports)sh -c \(Shell.quoted(t.command)) > \(files).out 2> \(files).err;;\n"
        }
        script += "esac\n"
        let args = ["sbatch", "--parsable", "--array=0-\(tasks.count - 1)", "--job-name=\(name)", "--chdir=\(folder.path)", "--export=ALL",
                    "--output=\(folder.path)/slurm-%A_%a.log", "--error=\(folder.path)/slurm-%A_%a.log"] + arguments + ["--wrap", script]
        switch parse(capture(args)) {
        case .success(let array): return tasks.indices.map { .success("\(array)_\($0)") }
        case .failure(let message): return tasks.map { _ in .failure(message) }
        }
    }
}

/// The array tasks an evaluator submitted for the evaluations the scheduler started together,
/// by candidate folder, until each evaluation takes its own (from the trainings' threads).
final class SubmittedTasks: @unchecked Sendable {
    private var tasks: [String: SlurmJob.Submitted] = [:]
    private let lock = NSLock()

    func put(_ submitted: SlurmJob.Submitted, for directory: URL) {
        lock.lock()
        defer { lock.unlock() }
        tasks[directory.path] = submitted
    }

    func take(_ directory: URL) -> SlurmJob.Submitted? {
        lock.lock()
        defer { lock.unlock() }
        return tasks.removeValue(forKey: directory.path)
    }

    /// What no evaluation took.
    func takeAll() -> [SlurmJob.Submitted] {
        lock.lock()
        defer { lock.unlock() }
        defer { tasks = [:] }
        return Array(tasks.values)
    }
}
