import Detection
import Foundation

extension CandidateFolder {
    /// Runs the evaluation the folder describes with the evaluator it names (the built-in
    /// detector, its data resolved from `dataSearchPath`; the simulation; or an external
    /// command, run here in the folder) and writes the checked result.json: the worker's job.
    @discardableResult
    public func evaluate(dataSearchPath: [String]) throws -> EvaluationResult {
        let request = try request()
        let result: EvaluationResult
        switch request.evaluator {
        case .simulation?:
            result = SimulationEvaluator().evaluate(request.pair, searched: request.searched, stage: request.stage, seed: request.seed)
        case .detector?:
            var o = SearchOptions(branch: request.searched, mode: request.pair.mode)
            o.evaluator = request.evaluator!
            request.settings.apply(to: &o)
            // The checkpoints stay in the run's folder (or this one): a job run again continues
            // from its own, and a proxy training from its MOS rung's.
            let evaluator = try o.makeEvaluator(folder: RunFolder(url), data: o.resolveData(searchingFrom: dataSearchPath),
                                                checkpoints: request.checkpoints)
            result = evaluator.evaluate(request.pair, searched: request.searched, stage: request.stage, seed: request.seed,
                                        context: EvaluationContext(generation: request.generation, slot: request.slot, hurdles: request.hurdles))
        case .external(let command)?:
            result = ExternalEvaluator.run(command, in: url, stage: request.stage, executor: .local(jobs: 1), stop: StopRequest(),
                                           timeout: nil, since: Date())
        case nil:
            throw SearchError.options("\(url.path)/candidate.json names no evaluator ({\"detector\": {\"data\": \"shapes\"}}, {\"simulation\": {}} or {\"external\": {\"command\": ...}})")
        }
        do { try writeResult(result) } catch {
            throw SearchError.io(path: resultFile.path, cause: RunFolder.cause(of: error))
        }
        return result
    }
}
