import XCTest
@testable import Verification

final class VerdictTests: XCTestCase {
    func testVerdictsOrderBySeverity() {
        XCTAssertEqual([Verdict.failure, .pass, .warning].max(), .failure)
        XCTAssertEqual([Verdict.pass, .warning].max(), .warning)
        XCTAssertLessThan(Verdict.pass, Verdict.warning)
    }
}
