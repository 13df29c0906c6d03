import Search
import XCTest

/// Which settings of a tuning go on to every seed (`Confirmation.finalists(of:)`), and which the
/// means then choose (`Confirmation.tunedSetting`).
final class ConfirmationFinalistsTests: XCTestCase {
    let plan = Confirmation(branch: .sigmoid, mode: .sigmoid, partner: "giou", baseline: "bce", losses: ["focal"])
    func w(_ weight: Float) -> BaselineTuning.Setting { BaselineTuning.Setting(weight: weight) }

    func testTheTwoBestGoOnTheEarlierOnATie() {
        XCTAssertEqual(plan.finalists(of: [(w(0.5), 10), (w(1), 12), (w(2), 11), (w(3), 12)]), [w(1), w(3)])
        var one = plan
        one.finalists = 1
        XCTAssertEqual(one.finalists(of: [(w(0.5), 10), (w(1), 12)]), [w(1)])
    }

    /// A setting that diverged (AP 0) or learned nothing on the first seed is no finalist beside
    /// the best: the imbalance-empty confirmation would have trained a diverged λ 0.5 twice more.
    func testASettingThatLearnedNothingIsNoFinalist() {
        XCTAssertEqual(plan.finalists(of: [(w(0.5), 0), (w(1), 0), (w(2), 8.6)]), [w(2)])
        XCTAssertEqual(plan.finalists(of: [(w(0.5), 0), (w(1), 0)]), [w(0.5)], "all learned nothing: the first tried")
        XCTAssertEqual(plan.finalists(of: []), [])
    }

    func testTheBestMeanChoosesAndMissingSeedsAreLeftOut() {
        let whole: [(setting: BaselineTuning.Setting, ap: Double)] = [(w(1), 11.02), (w(3), 10.76)]
        let aps: [BaselineTuning.Setting: [UInt64: Double]] = [w(1): [1: 11.02, 2: 9.56, 3: 8.69], w(3): [1: 10.76, 2: 10.67]]
        XCTAssertEqual(plan.tunedSetting(whole) { aps[$0]?[$1] }, w(3), "10.72 over two seeds beats 9.76 over three")
        XCTAssertEqual(plan.tunedSetting([(w(2), 8.6)]) { _, _ in nil }, w(2))
        XCTAssertNil(plan.tunedSetting([]) { _, _ in nil })
    }
}
