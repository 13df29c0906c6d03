import Detection
import Foundation

extension CandidateFolder {
    /// Runs the evaluation the folder describes with the evaluator it names (the built-in
    /// detector, its data resolved from `dataSearchPath`; the simulation; or an external
    /// command, run here in the folder) and writes the checked result.json: the worker's job.
    @discardableResult
    public func evaluate(dataSearchPath: [String]) throws -> EvaluationResult {
        let request = try request()
        // One evaluation of a folder at a time: two would run the training twice and write
        // result.json (and the command's files) over each other. A second is refused rather
        // than made to wait: a worker that waited would then train again what the first
        // trained, and a Slurm job would hold its allocation idle meanwhile.
        let lock = try lock()
        defer { lock.release() }
        let result: EvaluationResult
        switch request.setup.evaluator {
        case .simulation?:
            result = SimulationEvaluator().evaluate(request, context: EvaluationContext())
        case .detector(let spec)?:
            let data: DetectorData
            do { data = try DetectorData.resolve(spec, searchingFrom: dataSearchPath) } catch {
                throw SearchError.options("\(requestFile.path): its data \(spec): \(error)")
            }
            // The checkpoints stay in the run's folder (or this one): a job run again continues
            // from its own, and a proxy training from its MOS rung's.
            let checkpoints = request.setup.checkpoints.map { URL(fileURLWithPath: $0) } ?? RunFolder(url).checkpoints
            let evaluator = DetectorEvaluator(data: data, settings: request.setup.training, checkpoints: checkpoints)
            result = evaluator.evaluate(request, context: EvaluationContext())
        case .external(let command)?:
            result = CandidateCommand.run(command, in: url, stage: request.stage, place: LocalPlace(jobs: 1), stop: StopRequest(),
                                           timeout: nil, since: Date())
        case nil:
            throw SearchError.options("\(requestFile.path) names no evaluator ({\"detector\": {\"data\": \"shapes\"}}, {\"simulation\": {}} or {\"external\": {\"command\": ...}})")
        }
        do { try writeResult(result) } catch let e as SearchError { throw e } catch {
            throw SearchError.io(path: resultFile.path, cause: RunFolder.cause(of: error))
        }
        return result
    }
}
