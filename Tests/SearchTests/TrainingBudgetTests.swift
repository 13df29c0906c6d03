import Foundation
import XCTest
@testable import Search
import Detection

/// The budget counts trainings exactly, as fractions: spent-or-not needs no tolerance, even for
/// fractions that floating point cannot hold (0.1, 0.3).
final class TrainingBudgetTests: XCTestCase {
    func options(rungs: [Double]? = nil, mosRung: Double? = nil, mosSeeds: Int? = nil, maxEvals: Int? = nil) -> SearchOptions {
        var o = SearchOptions(branch: .reg)
        o.rungs = rungs
        o.mosRung = mosRung
        o.mosSeeds = mosSeeds
        o.maxEvaluations = maxEvals
        return o
    }

    func pruned(at fraction: Double) -> EvaluationResult {
        var r = EvaluationResult(status: .pruned, stats: Array(repeating: 0.1, count: 12), seconds: 1)
        r.rungs = [EvaluationResult.Rung(fraction: fraction, stats: Array(repeating: 0.1, count: 12), hurdle: 50)]
        return r
    }

    func testFractionsAreExact() {
        XCTAssertEqual(Trainings(fraction: 0.25), Trainings(1, over: 4))
        XCTAssertEqual(Trainings(fraction: 0.3), Trainings(3, over: 10))
        XCTAssertEqual(Trainings(fraction: 0.125), Trainings(1, over: 8))
        XCTAssertEqual(Trainings(fraction: 1), .one)
        XCTAssertEqual(Trainings(6, over: 8).description, "3/4")
        // In Double, 0.1 + 0.2 != 0.3 and ten times 0.1 is 0.9999999999999999.
        XCTAssertEqual(Trainings(fraction: 0.1) + Trainings(fraction: 0.2), Trainings(fraction: 0.3))
        XCTAssertEqual((0..<10).reduce(Trainings.zero) { acc, _ in acc + Trainings(fraction: 0.1) }, .one)
        XCTAssertEqual(Trainings.ceilDivide(Trainings(9, over: 10), Trainings(7, over: 10)), 2)
        XCTAssertEqual(Trainings.ceilDivide(Trainings(7, over: 10), Trainings(7, over: 10)), 1)
        XCTAssertEqual(Trainings.ceilDivide(Trainings(-1, over: 10), Trainings(7, over: 10)), 0)
    }

    func testCosts() {
        let costs = TrainingCosts(options(rungs: [0.3, 0.6], mosRung: 0.1, mosSeeds: 2))
        let ok = EvaluationResult(status: .ok, stats: Array(repeating: 0.1, count: 12), seconds: 1)
        XCTAssertEqual(costs.cost(of: ok, stage: .mos), Trainings(1, over: 5), "the MOS rung for each seed")
        XCTAssertEqual(costs.cost(of: ok, stage: .proxy), Trainings(9, over: 10), "a whole training less what MOS trained")
        XCTAssertEqual(costs.cost(of: pruned(at: 0.3), stage: .proxy), Trainings(1, over: 5))
        XCTAssertEqual(costs.cost(of: pruned(at: 0.05), stage: .proxy), .zero, "pruned before the MOS rung: MOS trained it all")
        // Ten trainings ended at 0.3, less the 0.1 MOS trained: 2 whole trainings, exactly.
        XCTAssertEqual((0..<10).reduce(Trainings.zero) { acc, _ in acc + costs.cost(of: pruned(at: 0.3), stage: .proxy) }, Trainings(2))
        let plain = TrainingCosts(options())
        XCTAssertEqual(plain.cost(of: ok, stage: .mos), .zero, "the MOS preset costs nothing")
        XCTAssertEqual(plain.cost(of: pruned(at: 0.25), stage: .proxy), Trainings(1, over: 4))
        var noMOS = options(mosRung: 0.125)
        noMOS.usesMOS = false
        XCTAssertEqual(TrainingCosts(noMOS).cost(of: ok, stage: .proxy), .one, "an arm without MOS keeps the command's rung unused")
    }

    /// A budget of 3 with MOS at 0.3 of the schedule: seven MOS trainings (2.1) leave 0.9, room
    /// for two proxy trainings of 0.7 started; after one, 0.2 is left, too little for a MOS
    /// training whose proxy training could follow. In Double, 0.3 * 7 + 0.7 is 2.8000000000000003.
    func testSpentOrNotWithoutTolerances() {
        var budget = TrainingBudget(options(mosRung: 0.3, maxEvals: 3))
        XCTAssertEqual(budget.limit, Trainings(3))
        XCTAssertTrue(budget.mosMayStart(after: 6))
        XCTAssertFalse(budget.mosMayStart(after: 9), "ten MOS trainings are the whole budget: no proxy training could follow")
        for _ in 0..<7 { budget.spend(budget.costs.mos) }
        XCTAssertEqual(budget.proxyTrainingsLeft, 2, "0.9 left rounds up to 2 trainings of 0.7")
        budget.spend(budget.costs.wholeProxy)
        XCTAssertEqual(budget.spent, Trainings(14, over: 5))
        XCTAssertEqual(budget.spent.value, 2.8)
        XCTAssertEqual(budget.proxyTrainingsLeft, 1)
        XCTAssertFalse(budget.mosMayStart(after: 0), "0.2 left: a MOS training of 0.3 would leave nothing")
        XCTAssertEqual(budget.exhausted, "proxy-evaluation budget of 3 spent: 0.20 trainings left, too few for a MOS training and a proxy training after it")
        budget.spend(Trainings(1, over: 5))
        XCTAssertEqual(budget.exhausted, "proxy-evaluation budget of 3 spent")
        XCTAssertEqual(budget.proxyTrainingsLeft, 0)
        XCTAssertNil(TrainingBudget(options()).exhausted)
        XCTAssertEqual(TrainingBudget(options()).proxyTrainingsLeft, Int.max)
    }
}
