import Detection
import Foundation
import LossLanguage
import XCTest
@testable import Search

/// Multi-fidelity proxy training in a search, on the built-in detector with tiny schedules:
/// every proxy training is scored at its rung, one below its hurdle ends there (pruned, its
/// fraction counted as spent), one above goes on to the end; the store keeps every rung; a
/// resumed run ends as the uninterrupted one.
final class HurdleSearchTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-hurdles-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func options() -> SearchOptions {
        var o = SearchOptions(branch: .reg)
        o.evaluator = .detector(data: "shapes")
        o.seed = 3
        o.generations = 2
        o.population = 4
        o.topK = 3
        o.topP = 2
        o.rungs = [0.5]
        o.hurdleMargin = 0.25  // at these tiny schedules: some trainings clear the bar, some do not
        return o
    }

    func run(_ o: SearchOptions, store name: String, stop: StopRequest = StopRequest(),
             observe: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> (SearchSummary, RunStore) {
        let path = folder.appendingPathComponent(name).path
        let store = FileManager.default.fileExists(atPath: path) ? try RunStore(opening: path) : try RunStore(creating: path, options: o)
        let evaluator = GoldenDetectorSearchTests.tinyEvaluator()
        evaluator.rungs = o.rungs
        evaluator.mosRung = o.mosRung
        evaluator.checkpoints = folder.appendingPathComponent(name + "-checkpoints")
        return (try Evolution(options: o, store: store, evaluator: evaluator, stop: stop, observe: observe).run(), store)
    }

    func testHurdlesPruneAndTheStoreKeepsEveryRung() throws {
        let (summary, store) = try run(options(), store: "run.sqlite")
        let baseline = try XCTUnwrap(summary.baselineProxy)
        XCTAssertEqual(baseline.rungs?.map(\.fraction), [0.5], "the baseline is scored at the rung")
        XCTAssertNil(baseline.rungs?.first?.hurdle, "and has no hurdle")
        let proxied = try store.candidates().compactMap { $0.stage(.proxy)?.result }
        var pruned = 0, whole = 0
        for r in proxied {
            let rung = try XCTUnwrap(r.rungs?.first, "\(r)")
            let hurdle = try XCTUnwrap(rung.hurdle, "\(r)")
            switch r.status {
            case .pruned:
                pruned += 1
                XCTAssertLessThan(rung.ap, hurdle)
                XCTAssertEqual(r.stats, rung.stats)
                XCTAssertTrue(r.reason.contains("below its hurdle"), r.reason)
            case .ok:
                whole += 1
                XCTAssertGreaterThanOrEqual(rung.ap, hurdle)
            default: break
            }
        }
        XCTAssertGreaterThan(pruned, 0, "some training should fall below the baseline at the rung")
        XCTAssertGreaterThan(whole, 0, "some training should clear it")
        XCTAssertEqual(summary.funnel.proxyPruned, pruned)
        XCTAssertEqual(summary.funnel.proxyEquivalents, Double(proxied.count - pruned) + 0.5 * Double(pruned), accuracy: 1e-9)
        XCTAssertTrue(summary.hallOfFame.entries.allSatisfy { $0.result.status == .ok }, "a pruned training is not in the hall of fame")
    }

    /// The asynchronous schedule on the built-in detector: each proxy training gets the
    /// hurdles of the moment it starts, goes on from its candidate's MOS rung, and a pruned one
    /// counts its fraction, as in the generational schedule.
    func testTheAsyncScheduleTrainsWithHurdlesAndMOSRungs() throws {
        var o = options()
        o.schedule = .async
        o.generations = 3
        o.mosRung = 0.25
        let (summary, store) = try run(o, store: "async.sqlite")
        // The baseline's own formula, seeded among the known losses, takes the baseline's
        // training (no hurdle; counted as spent, as in the generational schedule): the others
        // were trained here, each judged at its rung.
        let baseline = try XCTUnwrap(summary.baselineProxy)
        let proxied = try store.candidates().compactMap { $0.stage(.proxy)?.result }
        XCTAssertFalse(proxied.isEmpty)
        for r in proxied where r.stats != baseline.stats {
            XCTAssertNotNil(r.rungs?.first?.hurdle, "every proxy training judged at its rung: \(r)")
        }
        let pruned = proxied.filter { $0.status == .pruned }.count
        XCTAssertEqual(summary.funnel.proxyPruned, pruned)
        // A whole training costs what MOS's rung did not train of it (0.75), a pruned one the
        // quarter between the MOS rung and its hurdle's rung.
        XCTAssertEqual(summary.funnel.proxyEquivalents, 0.75 * Double(proxied.count - pruned) + 0.25 * Double(pruned), accuracy: 1e-9)
        XCTAssertFalse(summary.hallOfFame.top(1).isEmpty)
    }

    /// A budget of proxy trainings counts a pruned one as its fraction; stopped by it and resumed,
    /// the run ends as the uninterrupted one.
    func testResumeEndsAsTheUninterruptedRun() throws {
        let whole = try run(options(), store: "whole.sqlite").0
        var o = options()
        o.maxEvaluations = 2
        let stopped = try run(o, store: "resumed.sqlite").0
        // A generation takes as many trainings as the budget left rounds up to.
        XCTAssertLessThan(stopped.funnel.proxyEquivalents, 2.5)
        XCTAssertLessThan(stopped.funnel.proxyEquivalents, whole.funnel.proxyEquivalents)
        o.maxEvaluations = nil
        let resumed = try run(o, store: "resumed.sqlite").0
        func text(_ s: SearchSummary) -> [String] { s.hallOfFame.top(10).map { "\($0.expr.infix) \($0.result.ap!)" } }
        XCTAssertEqual(text(resumed), text(whole))
        XCTAssertEqual(resumed.funnel.proxyEquivalents, whole.funnel.proxyEquivalents, accuracy: 1e-9)
        XCTAssertEqual(resumed.funnel.proxyPruned, whole.funnel.proxyPruned)
    }

    /// Stopped during a candidate's proxy training after the rung it cleared, the resumed run
    /// continues that training from its checkpoint (its first step after the rung's) and ends as
    /// the uninterrupted run; the checkpoint is gone once the training has ended.
    func testAStoppedTrainingContinuesFromItsCheckpoint() throws {
        let whole = try run(options(), store: "whole.sqlite").0
        let stop = StopRequest()
        let stopped = Box()
        // The tiny proxy schedule has 8 steps, its rung after 4.
        let first = try run(options(), store: "stopped.sqlite", stop: stop) { e in
            if case .progress(let p) = e.phase, e.stage == .proxy, e.generation != nil, p.step == 6 {
                stopped.set(e.formula)
                stop.request(signal: SIGINT)
            }
        }.0
        XCTAssertEqual(first.stoppedBy, SIGINT)
        let formula = try XCTUnwrap(stopped.value)
        let checkpoints = folder.appendingPathComponent("stopped.sqlite-checkpoints")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).count, 1)
        let resumedFirstStep = Box()
        let resumed = try run(options(), store: "stopped.sqlite") { e in
            if case .progress(let p) = e.phase, e.formula == formula, e.stage == .proxy, resumedFirstStep.value == nil {
                resumedFirstStep.set("\(p.step)")
            }
        }.0
        XCTAssertEqual(resumedFirstStep.value, "5", "continued after the rung at step 4")
        func text(_ s: SearchSummary) -> [String] { s.hallOfFame.top(10).map { "\($0.expr.infix) \($0.result.ap!)" } }
        XCTAssertEqual(text(resumed), text(whole))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path), [])
    }

    /// MOS as the proxy's first rung in a search: every proxy training goes on from its
    /// candidate's MOS rung (its first step the one after the rung) and the search ends as one
    /// whose evaluator keeps no checkpoints; trainings spent count MOS's fractions and the
    /// proxies' rest; the files left are the last generation's candidates that never reached
    /// the proxy.
    func testTheProxyStageGoesOnFromMOSRungs() throws {
        var o = options()
        o.rungs = nil
        o.hurdleMargin = nil
        o.mosRung = 0.5
        let firstSteps = Steps()
        let kept = try run(o, store: "kept.sqlite") { e in
            if case .progress(let p) = e.phase, e.stage == .proxy, e.generation != nil { firstSteps.note(e.formula, p.step) }
        }.0
        let evaluator = GoldenDetectorSearchTests.tinyEvaluator()
        evaluator.mosRung = 0.5
        let scratch = try Evolution(options: o, store: RunStore(creating: folder.appendingPathComponent("scratch.sqlite").path, options: o),
                                    evaluator: evaluator).run()
        func text(_ s: SearchSummary) -> [String] { s.hallOfFame.top(10).map { "\($0.expr.infix) \($0.result.ap!)" } }
        XCTAssertEqual(text(kept), text(scratch))
        XCTAssertGreaterThan(kept.funnel.proxyEvaluated, 2)
        XCTAssertEqual(Set(firstSteps.first.values), [5], "the tiny proxy schedule has 8 steps, the MOS rung after 4")
        XCTAssertEqual(kept.funnel.trainingsSpent, 0.5 * Double(kept.funnel.mosTrained + kept.funnel.proxyEvaluated), accuracy: 1e-9)
        XCTAssertEqual(kept.hallOfFame.entries.map(\.spent).max() ?? 0, kept.funnel.trainingsSpent, accuracy: 1e-9)
        // The proxy stage's own cost is the half MOS did not train, as the progress line prints it.
        XCTAssertEqual(kept.funnel.proxyEquivalents, 0.5 * Double(kept.funnel.proxyEvaluated), accuracy: 1e-9)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("kept.sqlite-checkpoints").path)
        XCTAssertTrue(left.allSatisfy { $0.hasPrefix("g1-") }, "\(left)")

        // The budget counts MOS's fractions too: 3 trainings' worth ends the run before 3
        // whole proxy trainings, within a MOS training of it (a MOS training and a proxy
        // training after it do not fit in less).
        o.maxEvaluations = 3
        let budgeted = try run(o, store: "budgeted.sqlite").0
        XCTAssertTrue(budgeted.stopReason.contains("budget of 3"), budgeted.stopReason)
        XCTAssertGreaterThanOrEqual(budgeted.funnel.trainingsSpent, 3 - 0.5 - 1e-9)
        XCTAssertLessThanOrEqual(budgeted.funnel.trainingsSpent, 3 + 1e-9)
        XCTAssertLessThan(budgeted.funnel.proxyEquivalents, 3)
    }

    /// Under `--max-evals` MOS trains a generation's candidates only while some budget is left
    /// for the proxy stage after them: the budget ends in proxy trainings, not in MOS trainings
    /// that no proxy training can follow, and it is not overrun.
    func testMOSLeavesTheProxyStageItsShareOfTheBudget() throws {
        var o = options()
        o.rungs = nil
        o.hurdleMargin = nil
        o.mosRung = 0.5
        o.population = 12
        o.generations = 3
        o.maxEvaluations = 2
        let (summary, store) = try run(o, store: "budget.sqlite")
        let f = summary.funnel
        XCTAssertTrue(summary.stopReason.contains("budget of 2"), summary.stopReason)
        XCTAssertEqual(f.trainingsSpent, 0.5 * Double(f.mosTrained + f.proxyEvaluated), accuracy: 1e-9)
        XCTAssertEqual(f.trainingsSpent, 2, accuracy: 1e-9, "in halves, the budget is spent to the last one")
        XCTAssertGreaterThan(f.proxyEvaluated, 0, "MOS left the proxy stage its share")
        let records = try store.candidates()
        let lastMOS = records.filter { $0.stage(.mos) != nil }.map(\.generation).max()
        let lastProxy = records.filter { $0.stage(.proxy) != nil }.map(\.generation).max()
        XCTAssertEqual(lastMOS, lastProxy, "the last generation's MOS trainings went without proxy trainings")
    }

    func testRungsAreRefusedWhereHurdlesCannotRun() {
        var o = options()
        o.rungs = [0.5, 0.25]
        XCTAssertEqual(o.problem?.setting, .rungs)
        XCTAssertTrue(o.problem?.reason.contains("ascending") ?? false, "\(String(describing: o.problem))")
        o.rungs = [0.5]
        o.evaluator = .simulation
        XCTAssertEqual(o.problem?.setting, .rungs)
        XCTAssertTrue(o.problem?.reason.contains("built-in detector") ?? false, "\(String(describing: o.problem))")
        o.evaluator = .detector(data: "shapes")
        o.executor = .local(jobs: 2)
        XCTAssertNil(o.problem, "the worker scores the rungs too")
    }

    /// The MOS changes of issue 18 (several seeds, the proxy's first rung) check their ranges and
    /// that the built-in detector runs them.
    func testMOSOptionsAreChecked() {
        var o = SearchOptions(branch: .softmax)
        o.mosSeeds = 0
        XCTAssertEqual(o.problem?.setting, .mosSeeds, "\(String(describing: o.problem))")
        o.mosSeeds = 3
        XCTAssertNil(o.problem)
        o.mosRung = 1
        XCTAssertEqual(o.problem?.setting, .mosRung, "\(String(describing: o.problem))")
        o.mosRung = 0.125
        XCTAssertNil(o.problem)
        o.evaluator = .simulation
        XCTAssertEqual(o.problem?.setting, .mosSeeds, "\(String(describing: o.problem))")
        XCTAssertEqual(o.problem?.remedy, .give(.evaluator, value: "detector"))
        o.mosSeeds = nil
        XCTAssertEqual(o.problem?.setting, .mosRung, "\(String(describing: o.problem))")
        XCTAssertEqual(o.problem?.remedy, .give(.evaluator, value: "detector"))
    }
}

private final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    var value: String? { lock.lock(); defer { lock.unlock() }; return text }
    func set(_ t: String) { lock.lock(); text = t; lock.unlock() }
}

private final class Steps: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var first: [String: Int] = [:]
    func note(_ formula: String, _ step: Int) {
        lock.lock()
        if first[formula] == nil { first[formula] = step }
        lock.unlock()
    }
}
