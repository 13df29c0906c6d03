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
            o.scheduleScale = request.scheduleScale
            let evaluator = try o.makeEvaluator(folder: RunFolder(url), data: o.resolveData(searchingFrom: dataSearchPath))
            result = evaluator.evaluate(request.pair, searched: request.searched, stage: request.stage, seed: request.seed)
        case .external(let command)?:
            let start = Date()
            let outcome = Executor.local(jobs: 1).run(command, in: url, environment: [
                "AUTOLOSS_CANDIDATE_DIR": url.path, "AUTOLOSS_STAGE": request.stage.rawValue])
            try? Data(outcome.stdout.utf8).write(to: url.appendingPathComponent("stdout.txt"))
            try? Data(outcome.stderr.utf8).write(to: url.appendingPathComponent("stderr.txt"))
            if outcome.status != 0 {
                result = EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start),
                                          reason: "the evaluator command exited with status \(outcome.status): \(ExternalEvaluator.tail(outcome.stderr))")
            } else if let data = FileManager.default.contents(atPath: resultFile.path) {
                result = ResultFile.parse(data, seconds: Date().timeIntervalSince(start))
            } else {
                result = EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start), reason: "the evaluator command wrote no result.json")
            }
        case nil:
            throw SearchError.options("\(url.path)/candidate.json names no evaluator ({\"detector\": {\"data\": \"shapes\"}}, {\"simulation\": {}} or {\"external\": {\"command\": ...}})")
        }
        do { try writeResult(result) } catch {
            throw SearchError.io(path: resultFile.path, cause: RunFolder.cause(of: error))
        }
        return result
    }
}
