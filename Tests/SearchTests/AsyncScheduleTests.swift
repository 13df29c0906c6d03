import Foundation
import XCTest
@testable import Search
import Detection
import LossLanguage

/// Issue 36: the asynchronous schedule. At one job it is reproducible by seed and a stopped run
/// resumed ends as the uninterrupted one; at several, a resume replays the order its results
/// arrived in and trains nothing twice; on a virtual clock, it keeps 16 workers busy where the
/// generational schedule leaves them waiting for each generation's slowest training.
final class AsyncScheduleTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-async-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// A small asynchronous search (IslandsTests starts from it too).
    static func options(jobs: Int = 1) -> SearchOptions {
        var o = SearchOptions(branch: .softmax)
        o.seed = 3
        o.generations = 4
        o.population = 6
        o.topK = 2
        o.topP = 2
        o.screeningAttempts = 20_000
        o.schedule = .async
        o.executor = .local(jobs: jobs)
        return o
    }

    /// Sixteen workers on the virtual clock, six populations of 16, top-K 4.
    static func virtualOptions() -> SearchOptions {
        var o = options(jobs: 16)
        o.evaluator = .simulation
        o.virtualClock = true
        o.generations = 6
        o.population = 16
        o.topK = 4
        o.topP = 4
        return o
    }

    func run(_ o: SearchOptions, store name: String, evaluator: CandidateEvaluator = SimulationEvaluator.light,
             stop: StopRequest = StopRequest()) throws -> SearchSummary {
        let path = folder.appendingPathComponent(name).path
        let store = FileManager.default.fileExists(atPath: path) ? try RunStore(opening: path) : try RunStore(creating: path, options: o)
        return try Evolution(options: o, store: store, evaluator: evaluator, stop: stop).run()
    }

    func fame(_ s: SearchSummary) -> [String] { s.hallOfFame.top(8).map { "\($0.expr.infix) \($0.result.ap!)" } }

    /// Asks `stop` to stop once `after` trainings have been handed to the evaluator.
    final class StoppingEvaluator: CandidateEvaluator, @unchecked Sendable {
        let inner = CountingEvaluator()
        let stop: StopRequest
        let after: Int
        init(stop: StopRequest, after: Int) { (self.stop, self.after) = (stop, after) }
        func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
            let r = inner.evaluate(request, context: context)
            inner.lock.lock()
            let n = inner.trained.count
            inner.lock.unlock()
            if n >= after { stop.request(signal: SIGINT) }
            return r
        }
    }

    func testOneJobIsReproducibleBySeedAndBreedsWithoutGenerations() throws {
        let o = Self.options()
        let a = try run(o, store: "a.sqlite"), b = try run(o, store: "b.sqlite")
        XCTAssertEqual(fame(a), fame(b))
        XCTAssertFalse(fame(a).isEmpty)
        // Every bred candidate trained at MOS; the proxy stage took about top-K of each population.
        XCTAssertEqual(a.funnel.screening.accepted, o.generations * o.population)
        XCTAssertEqual(a.funnel.mosTrained + a.funnel.failed, o.generations * o.population)
        XCTAssertGreaterThan(a.funnel.proxyEvaluated, 0)
        XCTAssertLessThanOrEqual(a.funnel.proxyEvaluated, o.generations * o.topK)
        XCTAssertTrue(a.stopReason.contains("candidates bred"), a.stopReason)
        // Its parents came from tournaments, not from the generation before.
        let stored = try RunStore(opening: folder.appendingPathComponent("a.sqlite").path).candidates()
        XCTAssertTrue(stored.contains { $0.origin.hasPrefix("mutation") || $0.origin == "crossover" })
        // The generational schedule of the same options runs another course.
        var generational = o
        generational.schedule = nil
        XCTAssertNotEqual(try run(generational, store: "g.sqlite").hallOfFame.entries.map(\.expr.infix), a.hallOfFame.entries.map(\.expr.infix))
    }

    /// One job: stopped, then resumed, it ends as the uninterrupted run, each training once.
    func testAStoppedRunResumedEndsAsTheUninterruptedOne() throws {
        let o = Self.options()
        let whole = try run(o, store: "whole.sqlite")
        let stop = StopRequest()
        let first = StoppingEvaluator(stop: stop, after: 9)
        XCTAssertEqual(try run(o, store: "resumed.sqlite", evaluator: first, stop: stop).stoppedBy, SIGINT)
        let second = CountingEvaluator()
        let resumed = try run(o, store: "resumed.sqlite", evaluator: second)
        XCTAssertEqual(fame(resumed), fame(whole))
        let fresh = CountingEvaluator()
        _ = try run(o, store: "fresh.sqlite", evaluator: fresh)
        XCTAssertEqual((first.inner.trained + second.trained).sorted(), fresh.trained.sorted(), "nothing trained twice, nothing left out")
    }

    /// Three jobs: the results arrive in the order the threads end them; a resume replays that
    /// order (the record of arrivals goes on, not rewritten) and trains nothing twice.
    func testAResumeReplaysTheOrderResultsArrivedIn() throws {
        let o = Self.options(jobs: 3)
        let stop = StopRequest()
        let first = StoppingEvaluator(stop: stop, after: 12)
        XCTAssertEqual(try run(o, store: "r.sqlite", evaluator: first, stop: stop).stoppedBy, SIGINT)
        let path = folder.appendingPathComponent("r.sqlite").path
        let before = try RunStore(opening: path).arrivals()
        XCTAssertGreaterThanOrEqual(before.count, 10, "12 trainings, the baseline's two among them")
        let second = CountingEvaluator()
        let resumed = try run(o, store: "r.sqlite", evaluator: second)
        let after = try RunStore(opening: path).arrivals()
        XCTAssertEqual(Array(after.prefix(before.count)), before, "the replay followed the record")
        XCTAssertGreaterThan(after.count, before.count)
        let all = first.inner.trained + second.trained
        XCTAssertEqual(all.count, Set(all).count, "nothing trained twice: \(all.count) trainings")
        XCTAssertEqual(resumed.funnel.mosTrained + resumed.funnel.failed, o.generations * o.population)
    }

    /// On the virtual clock (trainings of the proxy detector's measured seconds), 16 workers:
    /// the asynchronous schedule keeps them busy, the generational one leaves most of them
    /// waiting for each generation's proxy stage; the course is the same each time.
    func testOnAVirtualClockSixteenWorkersStayBusy() throws {
        let o = Self.virtualOptions()
        let evaluator = { VirtualDurations(SimulationEvaluator.light) }
        let a = try run(o, store: "a.sqlite", evaluator: evaluator()), b = try run(o, store: "b.sqlite", evaluator: evaluator())
        XCTAssertEqual(fame(a), fame(b))
        XCTAssertEqual(a.virtualSeconds, b.virtualSeconds)
        let seconds = try XCTUnwrap(a.virtualSeconds)
        XCTAssertGreaterThan(seconds, 146, "at least one proxy training's time")
        XCTAssertLessThan(a.seconds, seconds / 10, "no waiting: real seconds far below the virtual ones")
        var generational = o
        generational.schedule = nil
        let g = try run(generational, store: "g.sqlite", evaluator: evaluator())
        let asyncBusy = try XCTUnwrap(a.utilisation), generationalBusy = try XCTUnwrap(g.utilisation)
        XCTAssertGreaterThan(asyncBusy, 2 * generationalBusy, "async \(asyncBusy), generational \(generationalBusy)")
        XCTAssertLessThan(try XCTUnwrap(a.virtualSeconds), try XCTUnwrap(g.virtualSeconds))
        XCTAssertNotNil(a.schedulerShare)
    }

    /// The baseline's proxy training takes one worker while the others train candidates: on 16
    /// workers the first candidates' MOS results arrive before it and their proxy trainings start
    /// before it ends. The baseline's own formula, seeded among the candidates, waits for it and
    /// is not trained twice. Under a time limit without a plan, no candidate's proxy training
    /// starts before a proxy training's length is known (the baseline's).
    func testTheBaselinesProxyTrainingRunsBesideTheFirstCandidates() throws {
        var o = Self.virtualOptions()
        let pair = try o.losses().baselinePair
        let baselineProxy = "proxy \(pair.classification.canonicalString(in: pair.mode))"
        func search(_ o: SearchOptions, _ name: String) throws -> (summary: SearchSummary, starts: [Double], baselineEnd: Double, trained: [String]) {
            let counting = CountingEvaluator()
            let s = try run(o, store: name, evaluator: VirtualDurations(counting))
            let baselineEnd = try XCTUnwrap(s.baselineMOS).seconds + XCTUnwrap(s.baselineProxy).seconds
            return (s, s.hallOfFame.entries.map { $0.elapsed - $0.result.seconds }, baselineEnd, counting.trained)
        }

        let free = try search(o, "free.sqlite")
        let arrivals = try RunStore(opening: folder.appendingPathComponent("free.sqlite").path).arrivals()
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(arrivals.firstIndex(of: .baselineProxy)), 15, "the other 15 workers' MOS results first")
        XCTAssertTrue(free.starts.contains { $0 < free.baselineEnd - 1 }, "a candidate's proxy training began before the baseline's ended")
        o.timeLimitMinutes = 60
        let limited = try search(o, "limited.sqlite")
        XCTAssertFalse(limited.starts.isEmpty)
        XCTAssertTrue(limited.starts.allSatisfy { $0 >= limited.baselineEnd - 1e-9 }, "\(limited.starts) before \(limited.baselineEnd)")
        XCTAssertLessThan(try XCTUnwrap(free.summary.virtualSeconds), try XCTUnwrap(limited.summary.virtualSeconds))
    }

    /// Holds the baseline's proxy training until at least `mos` candidates' MOS trainings and
    /// `proxy` other proxy trainings have ended (or 20 s): what comes next happens while it is
    /// under way.
    final class SlowBaselineEvaluator: CandidateEvaluator, @unchecked Sendable {
        let inner = CountingEvaluator()
        let mos: Int, proxy: Int
        private var ended: [TrainingStage: Int] = [:]
        init(mos: Int, proxy: Int = 0) { (self.mos, self.proxy) = (mos, proxy) }
        func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
            if request.stage == .proxy && request.generation == nil {
                let deadline = Date().addingTimeInterval(20)
                while Date() < deadline {
                    inner.lock.lock()
                    let (m, p) = (ended[.mos, default: 0], ended[.proxy, default: 0])
                    inner.lock.unlock()
                    if m >= mos && p >= proxy { break }
                    usleep(2_000)
                }
            }
            let r = inner.evaluate(request, context: context)
            inner.lock.lock()
            ended[request.stage, default: 0] += 1
            inner.lock.unlock()
            return r
        }
    }

    /// Every candidate promoted, with the baseline's proxy training still under way: the
    /// baseline's own formula (a seed) waits for its result and takes it, not a training of its own.
    /// Without MOS, every candidate goes to the proxy at once: the baseline's formula waits too.
    func testTheBaselinesFormulaWaitsForTheBaselinesProxyTraining() throws {
        var o = Self.options(jobs: 4)
        o.topK = o.population
        let pair = try o.losses().baselinePair
        let baselineProxy = "proxy \(pair.classification.canonicalString(in: pair.mode))"
        for usesMOS in [true, false] {
            o.usesMOS = usesMOS
            // Without MOS: held until some candidates' proxy trainings ran.
            let evaluator = SlowBaselineEvaluator(mos: usesMOS ? o.population + 1 : 0, proxy: usesMOS ? 0 : 4)
            let name = "slow-\(usesMOS).sqlite"
            let s = try run(o, store: name, evaluator: evaluator)
            XCTAssertEqual(evaluator.inner.trained.filter { $0 == baselineProxy }.count, 1, "MOS \(usesMOS): the baseline's formula trained once on the proxy")
            XCTAssertTrue(s.hallOfFame.entries.contains { "proxy \($0.expr.canonicalString(in: pair.mode))" == baselineProxy }, "MOS \(usesMOS)")
            let arrivals = try RunStore(opening: folder.appendingPathComponent(name).path).arrivals()
            // (A result handed back is recorded a moment later: one may still arrive after it.)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(arrivals.firstIndex(of: .baselineProxy)), usesMOS ? o.population : 3,
                                        "the first candidates' results came first")
        }
    }

    /// The generational stage on a virtual clock: three trainings of 0.3 s on two workers end
    /// at 0.6 s, one worker idle for the third's length: 0.75 of the time busy, exactly.
    func testAVirtualStageTakesTheTimeItsWorkersWould() throws {
        let clock = VirtualClock()
        let scheduler = StageScheduler(jobs: 2, clock: clock)
        let results = try scheduler.run([0, 1, 2], mayStart: { _ in true }) { _ in EvaluationResult(status: .ok, stats: [0.5], seconds: 0.3) }
        XCTAssertEqual(results.map { $0?.elapsed }, [0.3, 0.3, 0.6])
        XCTAssertEqual(clock.elapsed, 0.6, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(scheduler.utilisation), 0.75, accuracy: 1e-12)
    }
}
