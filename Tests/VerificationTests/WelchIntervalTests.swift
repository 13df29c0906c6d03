import Foundation
import Verification
import XCTest

/// Welch's interval against hand computations: Student's t quantile against its closed forms (1
/// and 2 degrees of freedom), printed tables, and at fractional degrees of freedom against the
/// density integrated numerically; the interval's width, degrees of freedom and verdict against
/// the formulas worked by hand.
final class WelchIntervalTests: XCTestCase {
    func testTheTQuantileMatchesClosedFormsTablesAndTheIntegratedDensity() {
        for p in [0.9, 0.95, 0.975, 0.995] {
            // df 1 is Cauchy: tan(pi (p - 1/2)); df 2: (2p - 1) / sqrt(2 p (1 - p)).
            XCTAssertEqual(studentTQuantile(p, degreesOfFreedom: 1), tan(Double.pi * (p - 0.5)), accuracy: 1e-8)
            XCTAssertEqual(studentTQuantile(p, degreesOfFreedom: 2), (2 * p - 1) / (2 * p * (1 - p)).squareRoot(), accuracy: 1e-9)
            XCTAssertEqual(studentTQuantile(1 - p, degreesOfFreedom: 5), -studentTQuantile(p, degreesOfFreedom: 5), accuracy: 1e-12)
        }
        // The printed table at 97.5 %.
        for (df, t) in [(3.0, 3.182446305), (4, 2.776445105), (10, 2.228138852), (30, 2.042272456)] {
            XCTAssertEqual(studentTQuantile(0.975, degreesOfFreedom: df), t, accuracy: 1e-8)
        }
        for df in [2.5, 3.7, 7.3] {
            let t = studentTQuantile(0.975, degreesOfFreedom: df)
            XCTAssertEqual(Self.integratedCDF(t, df: df), 0.975, accuracy: 1e-7, "df \(df)")
        }
    }

    func testTheIntervalIsWelchsWorkedByHand() throws {
        let a = [61.4, 60.9, 61.8], b = [60.2, 60.5, 59.7]
        let i = try XCTUnwrap(WelchInterval(a, b))
        let ma = (61.4 + 60.9 + 61.8) / 3, mb = (60.2 + 60.5 + 59.7) / 3
        let va = [61.4, 60.9, 61.8].map { ($0 - ma) * ($0 - ma) }.reduce(0, +) / 2 / 3
        let vb = [60.2, 60.5, 59.7].map { ($0 - mb) * ($0 - mb) }.reduce(0, +) / 2 / 3
        let df = (va + vb) * (va + vb) / (va * va / 2 + vb * vb / 2)
        XCTAssertEqual(i.degreesOfFreedom, df, accuracy: 1e-12)
        XCTAssertEqual(i.difference, ma - mb, accuracy: 1e-12)
        let t = Self.integratedQuantile(0.975, df: df)
        XCTAssertEqual(i.low, ma - mb - t * (va + vb).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(i.high, ma - mb + t * (va + vb).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(i.verdict, .better)
        XCTAssertEqual(WelchInterval(b, a)?.verdict, .worse)
        XCTAssertEqual(WelchInterval([61, 60, 62], [60.5, 61.5, 60])?.verdict, .level)
        // Equal spreads and sizes: df = 2 (n - 1).
        XCTAssertEqual(try XCTUnwrap(WelchInterval([1, 2, 3], [5, 6, 7])).degreesOfFreedom, 4, accuracy: 1e-12)
        XCTAssertNil(WelchInterval([1], [2, 3]), "one seed has no spread")
    }

    /// Student's t distribution function by Simpson's rule on its density: independent of the
    /// incomplete beta function the library uses.
    static func integratedCDF(_ t: Double, df: Double) -> Double {
        let c = exp(lgamma((df + 1) / 2) - lgamma(df / 2)) / (df * Double.pi).squareRoot()
        func pdf(_ x: Double) -> Double { c * pow(1 + x * x / df, -(df + 1) / 2) }
        let n = 20000, h = abs(t) / Double(n)
        var sum = pdf(0) + pdf(abs(t))
        for k in 1..<n { sum += pdf(Double(k) * h) * (k % 2 == 1 ? 4 : 2) }
        let half = sum * h / 3
        return t >= 0 ? 0.5 + half : 0.5 - half
    }

    static func integratedQuantile(_ p: Double, df: Double) -> Double {
        var low = 0.0, high = 50.0
        for _ in 0..<80 {
            let mid = (low + high) / 2
            if integratedCDF(mid, df: df) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}
