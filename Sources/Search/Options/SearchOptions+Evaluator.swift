import Detection
import Foundation

extension SearchOptions {
    /// The executor and evaluator these options name. The built-in detector trains on `data`,
    /// resolved by the caller (once: a folder's label files are read when it is resolved), as
    /// `DetectorSettings(self)` says; external evaluations keep their files in the run folder.
    /// The detector's checkpoints go to `checkpoints` (default: the run folder's). `worker` is
    /// the autoloss binary that runs the built-in evaluators in worker processes (`autoloss
    /// evaluate DIR`), which Slurm and local trainings side by side need.
    public func makeExecutor(folder: RunFolder, data: DetectorData?, checkpoints: URL? = nil, worker: URL? = nil) throws -> any Executor {
        // The built-in evaluators run through the worker on Slurm, and here when trainings run
        // side by side: N processes with a share of the cores each, rather than N trainings in
        // one process each using every core.
        switch (executor, evaluator) {
        case (_, .external), (.local(1), _): break
        case (.local, .simulation): break  // seconds per candidate, one thread: not worth a process
        default: return try self.worker(worker, folder: folder, data: data, checkpoints: checkpoints)
        }
        switch evaluator {
        case .simulation:
            return InProcessExecutor(virtualClock == true ? VirtualDurations(SimulationEvaluator()) : SimulationEvaluator(), jobs: executor.jobs)
        case .detector(let spec):
            guard let data else { throw SearchError.options("the data \(spec) was not resolved") }
            return InProcessExecutor(DetectorEvaluator(data: data, settings: DetectorSettings(self), checkpoints: checkpoints ?? folder.checkpoints))
        case .external(let command):
            var external = CandidateCommand(command: command, workDirectory: folder.evaluations, timeout: evalTimeoutSeconds)
            if let data { external.setup.verificationImages = try Self.verificationImages(of: data) }
            return executing(external)
        }
    }

    /// The detector's data, resolved from `searchPath`'s folders; nil for the other evaluators.
    /// With the external evaluator, the data of `verificationData` (nil when not set).
    public func resolveData(searchingFrom searchPath: [String]) throws -> DetectorData? {
        let spec: String
        switch evaluator {
        case .detector(let data): spec = data
        case .external: guard let data = verificationData else { return nil }; spec = data
        case .simulation: return nil
        }
        do { return try DetectorData.resolve(spec, searchingFrom: searchPath) } catch {
            throw SearchError.invalid(SearchProblem(.data, value: spec, "\(error)"))
        }
    }

    /// The MOS verification set the built-in detector would train on (`DetectorData.prepare`:
    /// among the first training images of the MOS preset, verification seed 0), by image id and
    /// file name.
    static func verificationImages(of data: DetectorData) throws -> [VerificationImage] {
        let schedule = data.schedule(for: .mos)
        do {
            let pool = try data.records(.train, count: schedule.trainImages, size: schedule.size)
            return pool.verificationSet(seed: 0).map { VerificationImage(id: pool.images[$0].id, file: pool.images[$0].fileName) }
        } catch {
            throw SearchError.invalid(SearchProblem(.data, value: data.name, "\(error)"))
        }
    }

    /// The built-in evaluators as worker processes: each runs `autoloss evaluate DIR` (a Slurm
    /// job, or a local process) on a candidate folder whose request names the evaluator (the
    /// detector's data by its absolute path, as the job's working directory is the folder).
    private func worker(_ binary: URL?, folder: RunFolder, data: DetectorData?, checkpoints: URL?) throws -> any Executor {
        guard let binary else {
            throw SearchError.options("the \(evaluator.name) evaluator on \(executor.name) with \(executor.jobs) jobs runs `autoloss evaluate` in worker processes, and no worker binary was given")
        }
        var chosen = evaluator
        if case .detector = evaluator, let data {
            // A folder by its absolute path; the built-in scenes by their name, which resolves again.
            if case .folder = data {
                chosen = .detector(data: URL(fileURLWithPath: data.name).standardizedFileURL.path)
            } else {
                chosen = .detector(data: data.name)
            }
        }
        var external = CandidateCommand(command: Shell.quoted(binary.path) + " evaluate {dir}", workDirectory: folder.evaluations,
                                        timeout: evalTimeoutSeconds)
        external.setup = EvaluationSetup(evaluator: chosen, training: DetectorSettings(self), checkpoints: (checkpoints ?? folder.checkpoints).path)
        return executing(external)
    }

    /// `command` run where `executor` says.
    private func executing(_ command: CandidateCommand) -> any Executor {
        switch executor {
        case .local(let jobs): return LocalProcessExecutor(command, jobs: jobs)
        case .slurm(let arguments, let jobs): return SlurmExecutor(command, arguments: arguments, jobs: jobs)
        }
    }
}
