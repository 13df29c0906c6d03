import Detection
import ArgumentParser
import Foundation
import LossLanguage
import Report
import Search

/// One search run on the terminal: prints progress per generation (and logs it in the run
/// folder's search.log), and at the end the hall of fame, also written as hall-of-fame.json; the
/// HTML report (report.html) is written after every generation and at the end.
struct SearchRun {
    var folder: RunFolder
    var json: Bool
    /// The status lines between training events (not in JSON mode); every 15 s, or
    /// $AUTOLOSS_STATUS_SECONDS.
    private let status = LiveStatus(interval: ProcessInfo.processInfo.environment["AUTOLOSS_STATUS_SECONDS"].flatMap(Double.init) ?? 15)
    /// The first line search.log could not take (a full disk): the run ends with it, exit 3.
    private let logFailure = FirstError()

    /// Runs the search under the run's lock; `locked`: the caller holds it already (a resume
    /// takes it before it writes anything).
    @discardableResult
    func run(_ o: SearchOptions, store: RunStore, evaluator: any Executor, locked: Bool = false) throws -> SearchSummary {
        let lock = locked ? nil : try folder.lock()
        defer { lock?.release() }
        let stop = StopRequest()
        Interruption.install(stop)
        log("search \(o.branch.rawValue): partner \(o.partner), baseline \(o.baseline), evaluator \(o.evaluator.name), MOS: \(o.mosLabel), seed \(o.seed), run \(folder.url.path)", echo: !json)
        // A log that cannot take its first line (a link in its place, no permission) stops the
        // run before any training.
        if let error = logFailure.error { throw error }
        let evolution = try Evolution(options: o, store: store, evaluator: evaluator, stop: stop, report: { p in
            log(json ? Self.progressJSON(p).text : Self.progressLine(p), echo: true)
            _ = try? ReportPage(folder: folder).write()
        }, observe: { event in
            status.record(event)
            if let line = Self.trainingLine(event) { log(line, echo: !json) }
        }, notice: { text in
            log(json ? JSON.object([("event", .string("notice")), ("message", .string(text))]).text : text, echo: true)
        })
        if !json { status.start { log($0, echo: true) } }
        defer { status.stop() }
        let summary = try evolution.run()
        if let error = logFailure.error { throw error }
        try store.checkInPlace()
        // A run that ended (not stopped) continues no training: its checkpoints (the last
        // generation's MOS rungs the proxy stage did not take) have served.
        if summary.stoppedBy == nil { try? FileManager.default.removeItem(at: folder.checkpoints) }
        _ = try? ReportPage(folder: folder).write()
        let entries = summary.hallOfFame.top(10)
        let families = Families.count(entries.map(\.expr))
        let fame = JSON.array(entries.map { e in
            .object([("formula", .string(e.expr.infix)), ("prefix", .string(e.expr.prefix(branch: o.branch))),
                     ("ap", .number(e.result.ap ?? -1)), ("ap50", .number(e.result.figures["ap50"] ?? -1)),
                     ("ap75", .number(e.result.figures["ap75"] ?? -1)),
                     ("gain", .number((e.result.ap ?? 0) - (summary.baselineProxy?.ap ?? 0))), ("generation", .number(Double(e.generation)))])
        })
        try RunFile.replace(folder.hallOfFame, with: Data(fame.text.utf8))
        // A run a signal stopped goes on from its store.
        let stopped = summary.stopReason + (summary.stoppedBy == nil ? "" : "; continue with --resume")
        if json {
            var fields: [(String, JSON)] = [("event", .string("done")), ("stop", .string(stopped)), ("hall_of_fame", fame),
                                            ("utilisation", summary.utilisation.map(JSON.number) ?? .null),
                                            ("utilisation_while_starting", summary.utilisationWhileStarting.map(JSON.number) ?? .null),
                                            ("baseline_ap", .number(summary.baselineProxy?.ap ?? -1)),
                                            ("families_top10", .number(Double(families)))]
            if let virtual = summary.virtualSeconds {
                // Each proxy result as it arrived: [virtual seconds, trainings spent, AP], the
                // course that bench/virtual_clock.sh reads its times to an AP from.
                let course = summary.hallOfFame.entries.map { JSON.array([.number($0.elapsed), .number($0.spent), .number($0.result.ap ?? -1)]) }
                fields += [("virtual_seconds", .number(virtual)), ("scheduler_share", summary.schedulerShare.map(JSON.number) ?? .null),
                           ("proxy_results", .array(course))]
            }
            print(JSON.object(fields).text)
        } else {
            print(Self.hallOfFameTable(summary, options: o))
            if entries.count > 1 {
                print("the top \(entries.count): \(families) loss families (apart by more than their constants and one operator)")
            }
            if let virtual = summary.virtualSeconds {
                print(String(format: "virtual clock: %.2f h on %d workers, %.0f %% of their time busy; the scheduler's own share %.4f %% (%.1f s real)",
                             virtual / 3600, o.executor.jobs, (summary.utilisation ?? 0) * 100, (summary.schedulerShare ?? 0) * 100, summary.seconds))
            }
            print("stopped: \(stopped); run store: \(store.path)")
        }
        if let signal = summary.stoppedBy { throw ExitCode(128 + signal) }
        return summary
    }

    /// Prints (flushed, so that a pipe sees each line as it is written) and logs a line; from
    /// any thread, one line at a time.
    func log(_ line: String, echo: Bool) {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        if echo {
            print(line)
            fflush(stdout)
            status.wrote()
        }
        do { try folder.appendLog(line) } catch { logFailure.keep(error) }
    }

    private static let lock = NSLock()

    /// "[mos   g2 #14]", "[proxy baseline]": which training a line is about.
    static func tag(_ e: TrainingEvent) -> String {
        let who = e.generation.map { "g\($0) #\(e.slot ?? 0)" } ?? "baseline"
        return "[\(e.stage.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(who)]"
    }

    /// "[mos   g2 #14] started  FORMULA", "[proxy baseline] AP 31.20 in 154.2 s  FORMULA",
    /// "[mos   g2 #14] failed in 0.4 s: REASON  FORMULA"; nil for a step (`LiveStatus` shows those).
    static func trainingLine(_ e: TrainingEvent) -> String? {
        let tag = Self.tag(e)
        switch e.phase {
        case .progress: return nil
        case .started: return "\(tag) started  \(e.formula)"
        case .finished(let r), .reused(let r, _):
            let when: String
            if case .reused(_, let source) = e.phase { when = "from \(source)" } else {
                when = String(format: "in %.1f s", r.seconds) + (r.job.map { " (Slurm job \($0))" } ?? "")
            }
            switch r.status {
            case .ok: return "\(tag) AP \(r.ap.map { String(format: "%.2f", $0) } ?? "-") \(when)  \(e.formula)"
            case .diverged, .failed, .pruned:
                let reason = r.reason.split(separator: "\n").first.map(String.init) ?? ""
                return "\(tag) \(r.status.rawValue) \(when): \(reason)  \(e.formula)"
            }
        }
    }

    static func progressLine(_ p: SearchProgress) -> String {
        let f = p.funnel
        let best = p.bestAP.map { String(format: "%.2f", $0) } ?? "-"
        let base = p.baselineAP.map { String(format: "%.2f", $0) } ?? "-"
        // The equivalents are the whole proxy stage's cost, the pruned trainings' fractions
        // included: printed beside the proxy count so that they do not read as the prunes' cost.
        let proxyDetail = (f.proxyPruned > 0 ? " (\(Self.equivalents(f)) whole trainings, \(f.proxyPruned) pruned)" : "")
            + (f.failed > 0 ? "  failed \(f.failed)" : "")
        return String(format: "gen %d/%d  generated %d  invalid %d  duplicate %d  cpv-rejected %d  equivalent %d  mos-rejected %d/%d  proxy %d%@  best AP %@ (baseline %@)  %.0f cand/s  %@ elapsed, ~%@ left",
                      p.generation + 1, p.generations, f.generated, f.invalid, f.duplicate, f.cpvRejected, f.equivalent,
                      f.mosRejected, f.mosTrained, f.proxyEvaluated, proxyDetail, best, base, p.candidatesPerSecond,
                      duration(p.elapsed), duration(p.secondsLeft))
    }

    static func progressJSON(_ p: SearchProgress) -> JSON {
        let f = p.funnel
        return .object([
            ("event", .string("generation")), ("generation", .number(Double(p.generation))),
            ("generated", .number(Double(f.generated))), ("invalid", .number(Double(f.invalid))),
            ("duplicate", .number(Double(f.duplicate))), ("cpv_rejected", .number(Double(f.cpvRejected))),
            ("equivalent", .number(Double(f.equivalent))), ("mos_trained", .number(Double(f.mosTrained))),
            ("mos_rejected", .number(Double(f.mosRejected))), ("proxy_evaluated", .number(Double(f.proxyEvaluated))),
            ("proxy_pruned", .number(Double(f.proxyPruned))), ("proxy_equivalents", .number(f.proxyEquivalents)),
            ("failed", .number(Double(f.failed))),
            ("best_ap", p.bestAP.map(JSON.number) ?? .null), ("best_formula", p.bestFormula.map(JSON.string) ?? .null),
            ("baseline_ap", p.baselineAP.map(JSON.number) ?? .null), ("elapsed", .number(p.elapsed)),
            ("candidates_per_second", .number(p.candidatesPerSecond)), ("utilisation", p.utilisation.map(JSON.number) ?? .null),
        ])
    }

    static func hallOfFameTable(_ s: SearchSummary, options o: SearchOptions) -> String {
        var lines = ["", "Hall of fame (\(o.branch.rawValue), partner \(o.partner); baseline \(o.baseline): AP \(s.baselineProxy?.ap.map { String(format: "%.2f", $0) } ?? "-"))",
                     "\(o.gainLabel)", "rank     AP   AP50   AP75    gain  gen  formula"]
        for (k, e) in s.hallOfFame.top(10).enumerated() {
            let r = e.result
            func cell(_ v: Double?) -> String { v.map { String(format: "%6.2f", $0) } ?? "     -" }
            lines.append(String(format: "%4d %@ %@ %@ %+7.2f %4d  %@", k + 1, cell(r.ap), cell(r.figures["ap50"]),
                                cell(r.figures["ap75"]), (r.ap ?? 0) - (s.baselineProxy?.ap ?? 0), e.generation, e.expr.infix))
        }
        let f = s.funnel
        lines.append(String(format: "funnel: %d generated, %d trained on the proxy (%.2f%% removed before it)", f.generated,
                            f.proxyEvaluated, 100 * f.removedBeforeProxy)
            + (f.proxyPruned > 0 ? ", \(f.proxyPruned) of them ended at a hurdle: \(Self.equivalents(f)) whole proxy trainings spent" : ""))
        return lines.joined(separator: "\n")
    }

    /// Proxy trainings spent, in whole trainings ("4.75").
    static func equivalents(_ f: Funnel) -> String { String(format: "%.2f", f.proxyEquivalents) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// The first error of many threads, kept for the end.
final class FirstError: @unchecked Sendable {
    private var first: Error?
    private let lock = NSLock()

    func keep(_ error: Error) {
        lock.lock()
        defer { lock.unlock() }
        if first == nil { first = error }
    }

    var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }
}
