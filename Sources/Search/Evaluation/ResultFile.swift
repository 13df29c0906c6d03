import Foundation

/// result.json, the one thing an external evaluator hands back, read strictly: a result that
/// does not say what it means is a failed evaluation that says what was wrong, never a number
/// taken on trust (an AP in percent read as a fraction shows as "best AP 3706").
///
///     {"status": "ok", "stats": [12 COCO numbers in [-1, 1], AP (the first) in [0, 1]]}
///     {"status": "ok", "ap": 0.37}                       AP as a fraction in [0, 1]
///     {"status": "diverged", "reason": "NaN at step 12"}
///
/// The built-in worker with hurdles (`--rungs`) adds "rungs" ([{fraction, stats, hurdle}]) and
/// may write {"status": "pruned", "stats": [the last rung's 12], "rungs": [...], "reason": ...}.
enum ResultFile {
    private struct Raw: Decodable {
        var status: String?
        var stats: [Double]?
        var ap: Double?
        var reason: String?
        var rungs: [EvaluationResult.Rung]?
    }

    static func parse(_ data: Data, seconds: Double) -> EvaluationResult {
        func failed(_ reason: String) -> EvaluationResult { EvaluationResult(status: .failed, seconds: seconds, reason: "result.json: " + reason) }
        let raw: Raw
        do { raw = try JSONDecoder().decode(Raw.self, from: data) } catch {
            let text = String(decoding: data, as: UTF8.self)
            if text.contains("NaN") || text.contains("Infinity") {
                return failed("NaN or Infinity is not a JSON number: write {\"status\": \"diverged\"} for a loss that went non-finite")
            }
            return failed("not a JSON object with \"status\" (\(text.prefix(80).replacingOccurrences(of: "\n", with: " ")))")
        }
        var result = parseStatus(raw, seconds: seconds, failed: failed)
        if let rungs = raw.rungs, result.status != .failed {
            guard rungs.allSatisfy({ $0.stats.count == 12 && $0.fraction > 0 && $0.fraction < 1 }) else {
                return failed("\"rungs\": each needs a fraction in (0, 1) and COCO's 12 numbers")
            }
            result.rungs = rungs
        }
        if result.status == .pruned && (raw.rungs ?? []).isEmpty { return failed("status pruned without the \"rungs\" it was pruned at") }
        return result
    }

    private static func parseStatus(_ raw: Raw, seconds: Double, failed: (String) -> EvaluationResult) -> EvaluationResult {
        switch raw.status {
        case "pruned":
            guard let stats = raw.stats, stats.count == 12 else { return failed("status pruned needs the last rung's 12 \"stats\"") }
            return EvaluationResult(status: .pruned, stats: stats, seconds: seconds, reason: raw.reason ?? "below a hurdle")
        case "diverged":
            return EvaluationResult(status: .diverged, seconds: seconds, reason: raw.reason ?? "loss went non-finite")
        case "ok":
            if let stats = raw.stats {
                guard stats.count == 12 else { return failed("\"stats\" has \(stats.count) numbers, COCO's summary has 12") }
                if let k = stats.firstIndex(where: { !$0.isFinite || $0 < -1 || $0 > 1 }) {
                    return failed("stats[\(k)] = \(stats[k]) is outside [-1, 1] (COCO's numbers are fractions, -1 where absent)")
                }
                guard stats[0] >= 0 else { return failed("stats[0], the AP, is \(stats[0]): an AP in [0, 1] is needed") }
                return EvaluationResult(status: .ok, stats: stats, seconds: seconds)
            }
            if let ap = raw.ap {
                guard ap.isFinite, (0...1).contains(ap) else {
                    return failed("\"ap\": \(ap) is outside [0, 1]" + (ap > 1 && ap <= 100 ? ": write AP as a fraction (\(ap / 100)), not in percent" : ""))
                }
                return EvaluationResult(status: .ok, stats: [ap] + [Double](repeating: -1, count: 11), seconds: seconds)
            }
            return failed("status ok but neither 12 'stats' nor 'ap'")
        case let other?:
            return failed("\"status\": \"\(other)\"; it must be \"ok\" or \"diverged\"")
        case nil:
            return failed("no \"status\" (\"ok\" or \"diverged\")")
        }
    }
}
