import Detection
import Foundation

extension EvaluatorChoice {
    /// The evaluator these options name, with the detector's data resolved (once, here: a
    /// folder's label files are read when it is resolved) from `dataSearchPath`'s folders;
    /// external evaluations keep their files in the run folder, run by `executor`.
    public func makeEvaluator(folder: RunFolder, executor: Executor, dataSearchPath: [String]) throws -> CandidateEvaluator {
        switch self {
        case .simulation: return SimulationEvaluator()
        case .detector(let data):
            do { return DetectorEvaluator(data: try DetectorData.resolve(data, searchingFrom: dataSearchPath)) } catch {
                throw SearchError.options("--data \(data): \(error)")
            }
        case .external(let command):
            return ExternalEvaluator(command: command, workDirectory: folder.evaluations, executor: executor)
        }
    }
}
