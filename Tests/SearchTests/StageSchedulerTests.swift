import Foundation
@testable import Search
import XCTest

/// The scheduler's worker time: three trainings of equal length on two workers leave one worker
/// idle for the third's length, so a third of the time two workers had goes unused.
final class StageSchedulerTests: XCTestCase {
    func testUtilisationCountsTheIdleWorker() throws {
        let scheduler = StageScheduler(jobs: 2)
        XCTAssertNil(scheduler.utilisation, "no training yet")
        let results = try scheduler.run([0, 1, 2], mayStart: { _ in true }) { _ in
            Thread.sleep(forTimeInterval: 0.3)
            return EvaluationResult(status: .ok, stats: [0.5], seconds: 0.3)
        }
        XCTAssertEqual(results.compactMap { $0 }.count, 3)
        // Busy 3 x 0.3 s of the 2 x 0.6 s the two workers had: 0.75, less where the machine
        // delayed a start (a loaded machine only lowers it).
        let u = try XCTUnwrap(scheduler.utilisation)
        XCTAssertLessThan(u, 0.9)
        XCTAssertGreaterThan(u, 0.4)
        // One worker, the same trainings back to back: busy nearly all the time.
        let serial = StageScheduler(jobs: 1)
        _ = try serial.run([0, 1, 2], mayStart: { _ in true }) { _ in
            Thread.sleep(forTimeInterval: 0.1)
            return EvaluationResult(status: .ok, stats: [0.5], seconds: 0.1)
        }
        XCTAssertGreaterThan(try XCTUnwrap(serial.utilisation), 0.75)
    }
}
