import XCTest
@testable import Search

/// The pace a resumed confirmation prints its time with: whole trainings only, per horizon x1,
/// and a median, so that one training that stood still (3627 s among 240 s ones, as a
/// qualification stopped for an hour recorded) does not multiply the estimate.
final class ConfirmationPaceTests: XCTestCase {
    func training(_ seconds: Double, horizon: Double = 1, status: EvaluationResult.Status = .ok) -> ConfirmationTraining {
        ConfirmationTraining(loss: "bce", setting: .init(weight: 1), seed: 1, horizon: horizon, phase: .confirm,
                             result: EvaluationResult(status: status, stats: [0.3], seconds: seconds))
    }

    func testTheTypicalTrainingIsTheMedianOfWholeOnesPerHorizon() {
        XCTAssertNil(ConfirmationTraining.typicalSeconds(of: []))
        XCTAssertNil(ConfirmationTraining.typicalSeconds(of: [training(60, status: .pruned)]))
        XCTAssertEqual(ConfirmationTraining.typicalSeconds(of: [training(266), training(3627), training(240)]), 266)
        XCTAssertEqual(ConfirmationTraining.typicalSeconds(of: [training(240), training(500, horizon: 2), training(60, status: .pruned),
                                                                training(3627), training(251)]), 250.5)
    }
}
