import Foundation
import XCTest
@testable import Search
import Detection
import LossLanguage

/// Issue 37: a run whose trainings take longer than its plan (a slower or busier machine than
/// `--fit-minutes` measured) says so, and trains fewer MOS candidates a generation, so that the
/// generation's proxy trainings still end within the time limit instead of being refused after
/// its MOS stage spent their time. On the virtual clock: the simulation's trainings take the
/// proxy detector's measured seconds (the plan), or twice them (the slow machine).
final class ReplanTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-replan-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// What a run said and trained.
    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [TrainingEvent] = []
        var notices: [String] = []

        func add(_ e: TrainingEvent) {
            if case .progress = e.phase { return }
            if case .started = e.phase { return }
            lock.lock()
            events.append(e)
            lock.unlock()
        }

        /// Trainings that ended at `stage` or were taken from the store, per generation (the
        /// baseline's own trainings left out).
        func trained(_ stage: TrainingStage) -> [Int: Int] {
            lock.lock()
            defer { lock.unlock() }
            return events.filter { $0.stage == stage && $0.generation != nil }.reduce(into: [:]) { $0[$1.generation!, default: 0] += 1 }
        }
    }

    func search(name: String, slowdown: Double, minutes: Double) throws -> (SearchSummary, Record) {
        var o = SearchOptions(branch: .softmax)
        o.seed = 3
        o.generations = 6
        o.population = 16
        o.topK = 4
        o.topP = 4
        o.screeningAttempts = 20_000
        o.evaluator = .simulation
        o.virtualClock = true
        o.timeLimitMinutes = minutes
        var model = VirtualDurations.Model()
        o.planned = PlannedSeconds(mos: model.mos.median + model.overhead, proxy: model.proxy.median + model.overhead)
        model.mos.median *= slowdown
        model.proxy.median *= slowdown
        let record = Record()
        let store = try RunStore(creating: folder.appendingPathComponent(name).path, options: o)
        let summary = try Evolution(options: o, store: store, evaluator: VirtualDurations(SimulationEvaluator.light, model: model),
                                    observe: record.add, notice: { record.notices.append($0) }).run()
        return (summary, record)
    }

    func testTrainingsSlowerThanPlannedShrinkTheMOSStageAndKeepTheProxyTrainings() throws {
        // Twice the planned seconds: after the baseline (~300 s), 16 MOS trainings (~18 s each)
        // and 4 proxy trainings (~290 s each) fit the 32 minutes only just; the proxy stage is
        // reckoned a quarter longer. The run trains fewer MOS candidates, then the generation's
        // proxy trainings, and stops where the next generation's would not end in time, instead
        // of training MOS candidates no proxy training can follow.
        let minutes = 32.0
        let (slow, said) = try search(name: "slow.sqlite", slowdown: 2, minutes: minutes)
        XCTAssertLessThanOrEqual(try XCTUnwrap(slow.virtualSeconds), minutes * 60, "ended within the time limit")
        XCTAssertTrue(said.notices.contains { $0.hasPrefix("re-plan: trainings take 1.9x") }, "\(said.notices)")
        let shortened = try XCTUnwrap(said.notices.first { $0.hasPrefix("re-plan: generation 1 trains ") }, "\(said.notices)")
        let mos = said.trained(.mos), proxy = said.trained(.proxy)
        XCTAssertLessThan(mos[0] ?? 0, 16, shortened)
        XCTAssertGreaterThan(mos[0] ?? 0, 4, shortened)
        XCTAssertTrue(shortened.contains("trains \(mos[0]!) of its 16 MOS candidates"), shortened)
        XCTAssertEqual(proxy[0], 4, "every proxy training of the shortened generation: \(proxy)")
        XCTAssertEqual(Set(mos.keys), Set(proxy.keys), "no generation whose MOS trainings no proxy training followed")
        XCTAssertTrue(slow.stopReason.hasPrefix("time limit of 32 minutes: a MOS training"), slow.stopReason)
        XCTAssertGreaterThanOrEqual(slow.hallOfFame.top(10).count, 4)

        // At the planned speed the same limit holds whole generations but its last, and the run
        // says nothing of slowness.
        let (planned, quiet) = try search(name: "planned.sqlite", slowdown: 1, minutes: minutes)
        XCTAssertFalse(quiet.notices.contains { $0.hasPrefix("re-plan: trainings take") }, "\(quiet.notices)")
        XCTAssertLessThanOrEqual(quiet.notices.count, 1, "\(quiet.notices)")
        XCTAssertEqual(Set(quiet.trained(.mos).keys), Set(quiet.trained(.proxy).keys))
        // Its last generation has room for fewer proxy trainings than its top-K: it trains those.
        let last = try XCTUnwrap(quiet.trained(.proxy).keys.max())
        let fewer = try XCTUnwrap(quiet.notices.first, "the last generation, shortened")
        XCTAssertTrue(fewer.hasPrefix("re-plan: generation \(last + 1) trains "), fewer)
        XCTAssertTrue(fewer.contains("and the best \(quiet.trained(.proxy)[last]!) of them on the proxy instead of 4"), fewer)
        XCTAssertEqual(quiet.trained(.mos)[0], 16)
        XCTAssertLessThanOrEqual(try XCTUnwrap(planned.virtualSeconds), minutes * 60)
    }
}
