import Detection
import Foundation

extension SearchOptions {
    /// The evaluator these options name. The built-in detector trains on `data`, resolved by
    /// the caller (once: a folder's label files are read when it is resolved), its proxy preset
    /// scaled by `scheduleScale`; external evaluations keep their files in the run folder and
    /// run by `executor`.
    public func makeEvaluator(folder: RunFolder, data: DetectorData?) throws -> CandidateEvaluator {
        switch evaluator {
        case .simulation: return SimulationEvaluator()
        case .detector(let spec):
            guard let data else { throw SearchError.options("--data \(spec): not resolved") }
            let detector = DetectorEvaluator(data: data)
            if let f = scheduleScale { detector.schedules[.proxy] = detector.schedules[.proxy]?.scaled(f) }
            return detector
        case .external(let command):
            return ExternalEvaluator(command: command, workDirectory: folder.evaluations, executor: executor, timeout: evalTimeoutSeconds)
        }
    }

    /// The detector's data, resolved from `searchPath`'s folders; nil for the other evaluators.
    public func resolveData(searchingFrom searchPath: [String]) throws -> DetectorData? {
        guard case .detector(let spec) = evaluator else { return nil }
        do { return try DetectorData.resolve(spec, searchingFrom: searchPath) } catch {
            throw SearchError.options("--data \(spec): \(error)")
        }
    }
}
