import XCTest
@testable import LossLanguage
import _TestSupport

final class CanonicalTests: XCTestCase {
    func canonical(_ text: String, _ branch: Branch) throws -> String {
        try Expr.parseUnchecked(text, branch: branch).canonicalString(in: branch)
    }

    func testEquivalentFormulasShareTheirIdentity() throws {
        let same: [(String, String, Branch)] = [
            ("x * y", "y * x", .sigmoid),
            ("-(-x)", "x", .sigmoid),
            ("x / 1", "x", .sigmoid),
            ("x + 1 + 2", "3 + x", .sigmoid),
            ("x - x + y", "y", .sigmoid),
            ("(x + y) + w", "x + (y + w)", .sigmoid),
            ("x - (y - w)", "x + w - y", .sigmoid),
            ("-x * -y", "x * y", .sigmoid),
            ("2 * x * 3", "6 * x", .sigmoid),
            ("sin(-x)", "-sin(x)", .sigmoid),
            ("-x / y", "-(x / y)", .sigmoid),
            ("-dot(y, log(softmax(x)))", "dot(-y, log(softmax(x)))", .softmax),
            ("-dot(y, log(softmax(x)))", "dot(log(softmax(x)), -y)", .softmax),
            ("1 - i / u + (e - u) / e", "(e - u) / e - i / u + 1", .reg),
        ]
        for (a, b, branch) in same {
            XCTAssertEqual(try canonical(a, branch), try canonical(b, branch), "\(a) vs \(b)")
        }
        XCTAssertEqual(try canonical("x - x", .sigmoid), "0")
        XCTAssertEqual(try canonical("log(1) + x", .sigmoid), try canonical("x + log(1)", .sigmoid))
    }

    /// Found by the fuzzer (issue 38): constants whose sum or product overflows were folded to
    /// `inf`, which the canonical form printed (`inf + i`) and the parser cannot read. Now such
    /// constants stay apart (or fold in the order the canonical form writes them, where that
    /// does not overflow): the canonical form reads back and is a fixed point.
    func testConstantsThatOverflowAreNotFoldedToInfinity() throws {
        let cases = [
            ("1e308 + 1e308 + i", "1e+308 + 1e+308 + i"),
            ("i - 1e308 - 1e308", "i - 1e+308 - 1e+308"),
            ("1e308 + 1e308 - 1e308 - 1e308 - 1e308 + u", "1e+308 + 1e+308 + u - 1e+308 - 1e+308 - 1e+308"),
            ("1e308 * 10 * i", "10 * 1e+308 * i"),
            ("-1e308 * 1e10 * u", "-(10000000000 * 1e+308 * u)"),
            ("1e300 * 1e300 * 1e-300 * i", "1e+300 * i"),
            ("2 * 3 * i", "6 * i"),
            ("1 + 2 + i", "3 + i"),
        ]
        for (text, expected) in cases {
            let e = try Expr.parse(text, branch: .reg)
            let canonical = e.canonical(in: .reg)
            XCTAssertEqual(canonical.infix, expected, text)
            XCTAssertEqual(canonical.canonical(in: .reg), canonical, "\(text): a fixed point")
            XCTAssertEqual(try Expr.parse(canonical.infix, branch: .reg).canonical(in: .reg), canonical, "\(text): reads back")
        }
    }

    func testDifferentFormulasStayApart() throws {
        let different: [(String, String, Branch)] = [
            ("x - y", "y - x", .sigmoid),
            ("x / y", "y / x", .sigmoid),
            ("x / x", "1", .sigmoid),  // 0 at x = 0 with the 1e-20 guard
            ("x * 0", "0", .sigmoid),  // NaN for non-finite x
            ("cos(-x)", "-cos(x)", .sigmoid),
            ("i / u", "u / i", .reg),
        ]
        for (a, b, branch) in different {
            XCTAssertNotEqual(try canonical(a, branch), try canonical(b, branch), "\(a) vs \(b)")
        }
    }

    /// Canonical form is idempotent, well typed when its source is, and computes the same values.
    func testCanonicalFormKeepsMeaningOnRandomTrees() throws {
        var checked = 0
        for seed in 0..<3000 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            let branch = Branch.allCases[Int(seed % 3)]
            let e = RandomExpr.typed(branch: branch, depth: 2 + Int(seed % 4), using: &rng)
            let c = e.canonical(in: branch)
            XCTAssertEqual(c.canonical(in: branch), c, "seed \(seed): not idempotent for \(e.infix)")
            if c.isConstant { continue }
            XCTAssertNoThrow(try c.typeCheck(branch: branch), "seed \(seed): \(e.infix) -> \(c.infix)")
            for _ in 0..<3 {
                let sample = RandomExpr.sample(branch: branch, using: &rng)
                guard let a = try e.reference(sample).scalarValue, let b = try c.reference(sample).scalarValue,
                      a.isFinite, b.isFinite, abs(a) < 1e12 else { continue }
                XCTAssertTrue(isClose(a, b, relative: 1e-7, absolute: 1e-7), "seed \(seed): \(e.infix) = \(a) but canonical \(c.infix) = \(b)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 3000)
    }
}
