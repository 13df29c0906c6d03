import Foundation
import XCTest
@testable import Search
import Detection
import LossLanguage

/// Counts trainings, to see that resume takes finished ones from the store.
final class CountingEvaluator: CandidateEvaluator, @unchecked Sendable {
    let inner = SimulationEvaluator.light
    let lock = NSLock()
    var calls: [TrainingStage: Int] = [:]
    /// Each training's stage and classification loss (canonical form).
    var trained: [String] = []

    func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
        lock.lock()
        calls[request.stage, default: 0] += 1
        trained.append("\(request.stage) \(request.pair.classification.canonicalString(in: request.pair.mode))")
        lock.unlock()
        return inner.evaluate(request, context: context)
    }
}

extension SimulationEvaluator {
    /// Smaller and shorter than the default: the loop's mechanics, not the losses, are under test.
    static var light: SimulationEvaluator {
        var s = SimulationEvaluator()
        s.samples = 96
        s.steps = [.mos: 15, .proxy: 40]
        return s
    }
}

final class EvolutionTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-evo-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func options(_ branch: Branch) -> SearchOptions {
        var o = SearchOptions(branch: branch)
        o.seed = 4
        o.generations = 3
        o.population = 6
        o.topK = 2
        o.topP = 2
        o.screeningAttempts = 20_000
        return o
    }

    func run(_ o: SearchOptions, store name: String, evaluator: CandidateEvaluator = SimulationEvaluator.light) throws -> SearchSummary {
        let path = folder.appendingPathComponent(name).path
        let store = FileManager.default.fileExists(atPath: path) ? try RunStore(opening: path) : try RunStore(creating: path, options: o)
        return try Evolution(options: o, store: store, evaluator: evaluator).run()
    }

    func testARunCountsItsFunnelAndStoresEveryCandidate() throws {
        let o = options(.reg)
        let summary = try run(o, store: "a.sqlite")
        let f = summary.funnel
        XCTAssertEqual(f.proxyEvaluated, summary.proxyEvaluations)
        XCTAssertLessThanOrEqual(f.proxyEvaluated, o.generations * o.topK)
        XCTAssertEqual(f.screening.screened, f.generated)
        XCTAssertEqual(f.screening.accepted, f.mosTrained, "every screened survivor is trained by MOS")
        XCTAssertGreaterThan(f.removedBeforeProxy, 0.5)
        let stored = try RunStore(opening: folder.appendingPathComponent("a.sqlite").path).candidates()
        XCTAssertEqual(stored.count, f.generated)
        XCTAssertEqual(stored.filter { $0.stages.contains { $0.stage == .proxy } }.count, f.proxyEvaluated)
        XCTAssertEqual(stored.filter { $0.origin == "seed" }.count, KnownLoss.all.filter { $0.branches.contains(.reg) }.count)
        XCTAssertFalse(summary.hallOfFame.top(3).isEmpty)
        XCTAssertNotNil(summary.baselineProxy?.ap)
    }

    /// Generation 0 is seeded with the known losses, the baseline among them: its MOS and proxy
    /// results come from the baseline's trainings at the start, not from training it again.
    func testTheBaselineIsNotTrainedTwice() throws {
        var o = options(.softmax)
        o.generations = 1
        o.population = 8
        o.topK = 8
        let counting = CountingEvaluator()
        let summary = try run(o, store: "a.sqlite", evaluator: counting)
        let ce = try Expr.resolve("ce", branch: .softmax).canonicalString(in: .softmax)
        XCTAssertEqual(counting.trained.filter { $0 == "mos \(ce)" }.count, 1)
        XCTAssertEqual(counting.trained.filter { $0 == "proxy \(ce)" }.count, 1)
        let entry = try XCTUnwrap(summary.hallOfFame.entries.first { $0.expr.canonicalString(in: .softmax) == ce })
        XCTAssertEqual(entry.result.ap, summary.baselineProxy?.ap)
    }

    func testSameSeedSameHallOfFame() throws {
        let o = options(.softmax)
        let a = try run(o, store: "a.sqlite").hallOfFame.top(5).map { "\($0.expr.infix) \($0.result.ap!)" }
        let b = try run(o, store: "b.sqlite").hallOfFame.top(5).map { "\($0.expr.infix) \($0.result.ap!)" }
        XCTAssertEqual(a, b)
        XCTAssertFalse(a.isEmpty)
    }

    /// An interrupted run, resumed, ends as the uninterrupted one and trains nothing twice.
    func testResumeContinuesWithoutRedoingFinishedTrainings() throws {
        var o = options(.sigmoid)
        let whole = try run(o, store: "whole.sqlite").hallOfFame.top(5).map(\.expr)

        o.maxEvaluations = 2
        let first = CountingEvaluator()
        let stopped = try run(o, store: "resumed.sqlite", evaluator: first)
        XCTAssertEqual(stopped.proxyEvaluations, 2)
        XCTAssertTrue(stopped.stopReason.contains("budget of 2"), stopped.stopReason)

        o.maxEvaluations = nil
        let second = CountingEvaluator()
        let resumed = try run(o, store: "resumed.sqlite", evaluator: second)
        XCTAssertEqual(resumed.hallOfFame.top(5).map(\.expr), whole)
        let fresh = CountingEvaluator()
        _ = try run(o, store: "fresh.sqlite", evaluator: fresh)
        XCTAssertEqual(first.calls[.proxy, default: 0] + second.calls[.proxy, default: 0], fresh.calls[.proxy, default: 0],
                       "proxy trainings finished before the stop are not repeated")
        XCTAssertEqual(first.calls[.mos, default: 0] + second.calls[.mos, default: 0], fresh.calls[.mos, default: 0])
    }

    /// MOS as the proxy's first rung spends the budget: a generation's proxy stage takes the
    /// proxy trainings what is left after its MOS trainings allows, not what was left when the
    /// generation began. A budget of 3 with MOS at 0.3: seven MOS trainings (2.1) leave 0.9,
    /// which rounds up to two proxy trainings of 0.7 (`TrainingBudget.proxyTrainingsLeft`), where
    /// the generation began with room for its top-K of 4.
    func testTheProxyStageTakesWhatTheMOSStageLeftOfTheBudget() throws {
        var o = options(.softmax)
        o.evaluator = .detector(data: "shapes")  // MOS as a rung is the detector's; the simulation trains here
        o.mosRung = 0.3
        o.maxEvaluations = 3
        o.population = 7
        o.topK = 4
        let counting = CountingEvaluator()
        let summary = try run(o, store: "rung.sqlite", evaluator: counting)
        XCTAssertEqual(summary.funnel.mosTrained, 7)
        XCTAssertEqual(summary.funnel.proxyEvaluated, 2)
        XCTAssertEqual(summary.funnel.trainingsSpent, 3.5, accuracy: 1e-12)
        XCTAssertTrue(summary.stopReason.hasPrefix("proxy-evaluation budget of 3 spent"), summary.stopReason)
    }

    /// Trainings run side by side give the run an uninterrupted sequential one gives.
    func testParallelTrainingsGiveTheSameRun() throws {
        var o = options(.softmax)
        let one = try run(o, store: "one.sqlite").hallOfFame.top(8).map { "\($0.expr.infix) \($0.result.ap!)" }
        o.executor = .local(jobs: 3)
        let three = try run(o, store: "three.sqlite").hallOfFame.top(8).map { "\($0.expr.infix) \($0.result.ap!)" }
        XCTAssertEqual(one, three)
    }

    /// From scratch with every candidate below MOS's bar, nothing reaches the proxy; the best MOS
    /// results breed the next generations instead of every generation being drawn at random.
    func testMOSResultsBreedWhileTheProxyHasNone() throws {
        final class FailingMOS: CandidateEvaluator, @unchecked Sendable {
            let inner = SimulationEvaluator.light
            func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
                let pair = request.pair
                guard request.stage == .mos else { return inner.evaluate(request, context: context) }
                // The baseline CE fits well; every candidate far worse, by its length so that they rank.
                let canonical = pair.classification.canonicalString(in: pair.mode)
                let ap = canonical == (try! Expr.resolve("ce", branch: .softmax)).canonicalString(in: .softmax)
                    ? 0.9 : 0.01 + Double(canonical.count % 7) / 100
                return EvaluationResult(status: .ok, stats: [ap] + Array(repeating: 0, count: 11), seconds: 0, reason: "")
            }
        }
        var o = options(.softmax)
        o.seedWithKnownLosses = false
        let summary = try run(o, store: "scratch.sqlite", evaluator: FailingMOS())
        XCTAssertEqual(summary.proxyEvaluations, 0)
        let store = try RunStore(opening: folder.appendingPathComponent("scratch.sqlite").path)
        let later = try store.candidates().filter { $0.generation > 0 }
        XCTAssertFalse(later.isEmpty)
        XCTAssertTrue(later.contains { $0.origin.hasPrefix("mutation") || $0.origin == "crossover" },
                      "origins after generation 0: \(Set(later.map(\.origin)))")
        let again = try run(o, store: "scratch2.sqlite", evaluator: FailingMOS())
        XCTAssertEqual(again.funnel.generated, summary.funnel.generated)
    }

    func testEachProxyResultIsTimedWhenItsOwnTrainingEnds() throws {
        // Proxy trainings of 50 ms, one at a time: the entries of one generation must carry
        // their own finish times (the ablation's time to an AP), not the generation's end.
        final class SlowProxy: CandidateEvaluator, @unchecked Sendable {
            let inner = SimulationEvaluator.light
            func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
                if request.stage == .proxy { Thread.sleep(forTimeInterval: 0.05) }
                return inner.evaluate(request, context: context)
            }
        }
        var o = options(.softmax)
        o.topK = 3
        o.generations = 1
        // Not seeded: the seeded CE is the baseline, whose result is read back, not trained.
        o.seedWithKnownLosses = false
        let entries = try run(o, store: "timed.sqlite", evaluator: SlowProxy()).hallOfFame.entries.sorted { $0.elapsed < $1.elapsed }
        XCTAssertGreaterThanOrEqual(entries.count, 2)
        for (a, b) in zip(entries, entries.dropFirst()) {
            XCTAssertGreaterThan(b.elapsed - a.elapsed, 0.04, "\(a.expr.infix) and \(b.expr.infix) timed together")
        }
    }

    /// A resumed run takes its finished trainings from the store in a moment; the time it says
    /// is left follows what its trainings took (their own seconds, over the workers), not that
    /// moment. Each simulated training here says it took 60 s.
    func testAResumedRunsTimeLeftFollowsItsTrainingsNotItsReplay() throws {
        final class Minute: CandidateEvaluator, @unchecked Sendable {
            let inner = SimulationEvaluator.light
            func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
                var r = inner.evaluate(request, context: context)
                r.seconds = 60
                return r
            }
        }
        var o = options(.sigmoid)
        o.generations = 50
        o.maxEvaluations = 2
        let path = folder.appendingPathComponent("paced.sqlite").path
        _ = try Evolution(options: o, store: RunStore(creating: path, options: o), evaluator: Minute()).run()
        o.maxEvaluations = 8
        var first: SearchProgress?
        _ = try Evolution(options: o, store: RunStore(opening: path), evaluator: Minute(), report: { first = first ?? $0 }).run()
        let p = try XCTUnwrap(first)
        XCTAssertLessThan(p.elapsed, 30, "the replay and one simulated generation take moments")
        let spent = p.funnel.trainingsSpent
        XCTAssertGreaterThan(spent, 0)
        // Every training, MOS and proxy, took 60 s; the budget counts a MOS training as a fraction.
        XCTAssertEqual(p.trainingSeconds.truncatingRemainder(dividingBy: 60), 0)
        XCTAssertGreaterThanOrEqual(p.trainingSeconds, 60 * spent)
        XCTAssertEqual(p.secondsLeft, p.trainingSeconds / Double(p.jobs) / spent * (8 - spent), accuracy: 1e-6)
        XCTAssertGreaterThan(p.secondsLeft, 60)
    }

    func testBadOptionsAreRefusedBeforeAnythingRuns() throws {
        var o = options(.reg)
        o.generations = 0
        let store = try RunStore(creating: folder.appendingPathComponent("x.sqlite").path, options: o)
        XCTAssertThrowsError(try Evolution(options: o, store: store, evaluator: SimulationEvaluator())) {
            XCTAssertEqual($0 as? SearchError, .invalid(SearchProblem(.generations, value: "0", "must be at least 1")), "\($0)")
        }
        var p = options(.softmax)
        p.partner = "ce"
        XCTAssertNil(p.problem?.setting)
        XCTAssertTrue(p.problem?.reason.contains("partner loss 'ce' for the reg slot") ?? false, "\(String(describing: p.problem))")
    }
}
