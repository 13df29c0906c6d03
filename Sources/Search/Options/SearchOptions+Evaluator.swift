import Detection
import Foundation

extension SearchOptions {
    /// The evaluator these options name. The built-in detector trains on `data`, resolved by
    /// the caller (once: a folder's label files are read when it is resolved), its proxy preset
    /// scaled by `scheduleScale`; external evaluations keep their files in the run folder and
    /// run by `executor`. The detector's checkpoints go to `checkpoints` (default: the run
    /// folder's; a worker is handed the run's folder in candidate.json).
    public func makeEvaluator(folder: RunFolder, data: DetectorData?, checkpoints: URL? = nil) throws -> CandidateEvaluator {
        // The built-in evaluators run through the worker (`autoloss evaluate`) on Slurm, and here
        // when trainings run side by side: N processes with a share of the cores each, rather
        // than N trainings in one process each using every core.
        switch (executor, evaluator) {
        case (_, .external), (.local(1), _): break
        case (.local, .simulation): break  // seconds per candidate, one thread: not worth a process
        default: return try worker(folder: folder, data: data, checkpoints: checkpoints)
        }
        switch evaluator {
        case .simulation: return SimulationEvaluator()
        case .detector(let spec):
            guard let data else { throw SearchError.options("--data \(spec): not resolved") }
            let detector = DetectorEvaluator(data: data)
            if let f = scheduleScale { detector.schedules[.proxy] = detector.schedules[.proxy]?.scaled(f) }
            detector.rungs = rungs
            let mosRung = mosRungInUse
            if rungs != nil || mosRung != nil { detector.checkpoints = checkpoints ?? folder.checkpoints }
            detector.mosSeeds = mosSeeds ?? 1
            detector.mosRung = mosRung
            if let tuned {
                for stage in TrainingStage.allCases { tuned.setting.apply(to: &detector.schedules[stage]!) }
            }
            return detector
        case .external(let command):
            var external = ExternalEvaluator(command: command, workDirectory: folder.evaluations, executor: executor, timeout: evalTimeoutSeconds)
            if let data { external.verificationImages = try Self.verificationImages(of: data) }
            return external
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
            throw SearchError.options("--data \(spec): \(error)")
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
            throw SearchError.options("--data \(data.name): \(error)")
        }
    }

    /// The built-in evaluators as worker processes: each runs `autoloss evaluate DIR` (a Slurm
    /// job, or a local process) on a candidate folder that names the evaluator (the detector's data by its absolute path, as
    /// the job's working directory is the folder).
    private func worker(folder: RunFolder, data: DetectorData?, checkpoints: URL?) throws -> CandidateEvaluator {
        guard let binary = ProcessInfo.processInfo.environment["AUTOLOSS_BIN"] else {
            throw SearchError.options("the \(evaluator.name) evaluator on \(executor.name) with --jobs \(executor.jobs) runs `autoloss evaluate` in worker processes: set AUTOLOSS_BIN to the autoloss binary")
        }
        var options = self
        if case .detector = evaluator, let data {
            options.evaluator = .detector(data: data.name == "shapes" ? "shapes" : URL(fileURLWithPath: data.name).standardizedFileURL.path)
        }
        var external = ExternalEvaluator(command: ExternalEvaluator.shellQuoted(binary) + " evaluate {dir}", workDirectory: folder.evaluations,
                                         executor: executor, timeout: evalTimeoutSeconds)
        external.workerOptions = options
        external.workerCheckpoints = checkpoints ?? folder.checkpoints
        return external
    }
}
