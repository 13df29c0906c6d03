import Detection
import Foundation

extension SearchOptions {
    /// The evaluator these options name. The built-in detector trains on `data`, resolved by
    /// the caller (once: a folder's label files are read when it is resolved), its proxy preset
    /// scaled by `scheduleScale`; external evaluations keep their files in the run folder and
    /// run by `executor`.
    public func makeEvaluator(folder: RunFolder, data: DetectorData?) throws -> CandidateEvaluator {
        if case .slurm = executor, evaluator.name != "external" { return try worker(folder: folder, data: data) }
        switch evaluator {
        case .simulation: return SimulationEvaluator()
        case .detector(let spec):
            guard let data else { throw SearchError.options("--data \(spec): not resolved") }
            let detector = DetectorEvaluator(data: data)
            if let f = scheduleScale { detector.schedules[.proxy] = detector.schedules[.proxy]?.scaled(f) }
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

    /// The built-in evaluators on Slurm: each job runs the worker, `autoloss evaluate DIR`, on a
    /// candidate folder that names the evaluator (the detector's data by its absolute path, as
    /// the job's working directory is the folder).
    private func worker(folder: RunFolder, data: DetectorData?) throws -> CandidateEvaluator {
        guard let binary = ProcessInfo.processInfo.environment["AUTOLOSS_BIN"] else {
            throw SearchError.options("--executor slurm with the \(evaluator.name) evaluator runs `autoloss evaluate` in each job: set AUTOLOSS_BIN to the autoloss binary")
        }
        var options = self
        if case .detector = evaluator, let data {
            options.evaluator = .detector(data: data.name == "shapes" ? "shapes" : URL(fileURLWithPath: data.name).standardizedFileURL.path)
        }
        var external = ExternalEvaluator(command: ExternalEvaluator.shellQuoted(binary) + " evaluate {dir}", workDirectory: folder.evaluations,
                                         executor: executor, timeout: evalTimeoutSeconds)
        external.workerOptions = options
        return external
    }
}
