import Foundation
import XCTest
@testable import LossLanguage
import _TestSupport

/// The Float approximations against Double libm over dense sweeps of their working ranges.
final class FastFloatTests: XCTestCase {
    func maxError(_ f: (Float) -> Float, _ reference: (Double) -> Double, from lo: Double, to hi: Double,
                  relative: Bool = true, steps: Int = 200_000) -> (error: Double, at: Double) {
        var worst = (0.0, lo)
        for k in 0...steps {
            let x = Float(lo + (hi - lo) * Double(k) / Double(steps))
            let expected = reference(Double(x))
            let got = Double(f(x))
            let err = relative ? abs(got - expected) / max(abs(expected), 1e-30) : abs(got - expected)
            if err > worst.0 { worst = (err, Double(x)) }
        }
        return worst
    }

    func testAccuracy() {
        let cases: [(String, (Float) -> Float, (Double) -> Double, Double, Double, Bool, Double)] = [
            ("exp", FastFloat.exp, Foundation.exp, -87, 88, true, 4e-7),
            ("log", FastFloat.log, Foundation.log, 1e-30, 1e30, true, 4e-7),
            ("log near 1", FastFloat.log, Foundation.log, 0.5, 2, false, 2e-7),
            ("tanh", FastFloat.tanh, Foundation.tanh, -20, 20, true, 4e-7),
            ("atan", FastFloat.atan, Foundation.atan, -100, 100, true, 4e-7),
            ("sin", FastFloat.sin, Foundation.sin, -100, 100, false, 4e-7),
            ("cos", FastFloat.cos, Foundation.cos, -100, 100, false, 4e-7),
            ("erf", FastFloat.erf, Foundation.erf, -6, 6, false, 6e-7),
        ]
        for (name, f, reference, lo, hi, relative, bound) in cases {
            let (error, at) = maxError(f, reference, from: lo, to: hi, relative: relative)
            XCTAssertLessThan(error, bound, "\(name): error \(error) at \(at)")
        }
    }

    func testSpecialValues() {
        XCTAssertEqual(FastFloat.exp(-100), 0)
        XCTAssertEqual(FastFloat.exp(100), .infinity)
        XCTAssertTrue(FastFloat.exp(.nan).isNaN)
        XCTAssertEqual(FastFloat.log(0), -.infinity)
        XCTAssertTrue(FastFloat.log(-1).isNaN)
        XCTAssertEqual(FastFloat.log(.infinity), .infinity)
        XCTAssertEqual(FastFloat.log(1e-40), Float(Foundation.log(Double(Float(1e-40)))), accuracy: 1e-4)
        XCTAssertEqual(FastFloat.tanh(1000), 1)
        XCTAssertEqual(FastFloat.tanh(-1000), -1)
        XCTAssertTrue(FastFloat.sin(.infinity).isNaN)
        XCTAssertEqual(FastFloat.atan(.infinity), Float.pi / 2)
    }
}
