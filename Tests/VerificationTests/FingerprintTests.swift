import LossLanguage
@testable import Verification
import XCTest
import _TestSupport

/// Equal fingerprints mean equivalent for training; they must be stable across runs and
/// machines, and different behaviour must give different fingerprints.
final class FingerprintTests: XCTestCase {
    func fingerprint(_ formula: String, _ branch: Branch) throws -> Fingerprint {
        try XCTUnwrap(Verifier.verify(try Expr.resolve(formula, branch: branch), branch: branch).fingerprint, formula)
    }

    func testEquivalentFormulasCollide() throws {
        let pairs: [(String, String, Branch)] = [
            ("x * y", "y * x", .sigmoid),
            ("i * u", "u * i", .reg),
            ("-(-x)", "x", .sigmoid),
            ("x / 1", "x", .sigmoid),
            ("-dot(y, log(softmax(x)))", "dot(y, -log(softmax(x)))", .softmax),
            ("-dot(y, log(softmax(x)))", "ce", .softmax),
            ("-dot(y, log(softmax(x)))", "Neg(Dot(Y,Log(Softmax(X))))", .softmax),
            ("-dot(y, log(softmax(x)))", "-dot(log(softmax(x)), y)", .softmax),
            ("1 - i / u", "iou", .reg),
            ("sigmoid(x) + x", "x + sigmoid(x)", .sigmoid),
            ("-sin(-x)", "sin(x)", .sigmoid),
            // A constant offset changes no gradient: the same training.
            ("x", "x + 1", .sigmoid),
            ("giou", "3 - i / u + (e - u) / e", .reg),
            // Terms in the detached data alone change no gradient either (seen in a search: two
            // of three proxy trainings of a generation spent on copies of cei).
            ("cei", "w + -dot(w * y, log(softmax(x)))", .softmax),
            ("cei", "-dot(w * y, w + log(softmax(x)))", .softmax),
            ("sigmoid(x) * y", "sigmoid(x) * y + y * w", .sigmoid),
        ]
        for (a, b, branch) in pairs {
            XCTAssertEqual(try fingerprint(a, branch), try fingerprint(b, branch), "\(a) vs \(b)")
        }
    }

    func testDifferentBehaviourDoesNotCollide() throws {
        let pairs: [(String, String, Branch)] = [
            ("x", "2 * x", .sigmoid),
            ("x", "-x", .sigmoid),
            ("ce", "focal", .softmax),
            ("ce", "cei", .softmax),
            ("ce", "cse-a-cls", .softmax),
            ("bce", "qfl", .sigmoid),
            ("bce", "focal", .sigmoid),
            ("iou", "giou", .reg),
            ("iou", "log-iou", .reg),
            ("giou", "cse-a-reg", .reg),
        ]
        for (a, b, branch) in pairs {
            XCTAssertNotEqual(try fingerprint(a, branch), try fingerprint(b, branch), "\(a) vs \(b)")
        }
    }

    /// Every known loss, specialists included, has its own fingerprint.
    func testKnownLossesAreDistinct() throws {
        var seen: [Fingerprint: String] = [:]
        for loss in KnownLoss.named {
            for branch in loss.branches {
                let f = try fingerprint(loss.name, branch)
                XCTAssertNil(seen[f], "\(loss.name) (\(branch)) collides with \(seen[f] ?? "")")
                seen[f] = "\(loss.name) (\(branch))"
            }
        }
    }

    /// Fixed values: a change here changes every stored fingerprint (probes, rounding or hash).
    /// `x * x` is exact arithmetic on every machine; CE and GIoU go through exp, log and division.
    func testFingerprintsAreStable() throws {
        XCTAssertEqual(try fingerprint("x * x", .sigmoid).hex, "14310d206b0c16ff")
        XCTAssertEqual(try fingerprint("ce", .softmax).hex, "83df257c2b82788a")
        XCTAssertEqual(try fingerprint("giou", .reg).hex, "8716db1ea67fa9f1")
        // A fresh verifier builds the same probes.
        let fresh = Verifier(options: CPVOptions())
        let e = try Expr.resolve("ce", branch: .softmax)
        XCTAssertEqual(fresh.verify(e, branch: .softmax).fingerprint, Verifier.standard.verify(e, branch: .softmax).fingerprint)
    }

    /// Fingerprints depend on the options that shape the probes and the rounding.
    func testOptionsChangeFingerprints() throws {
        let e = try Expr.resolve("bce", branch: .sigmoid)
        var options = CPVOptions()
        options.seed = 7
        XCTAssertNotEqual(Verifier.verify(e, branch: .sigmoid, options: options).fingerprint,
                          Verifier.verify(e, branch: .sigmoid).fingerprint)
    }

    /// Reference vectors of FNV-1a 64 (Fowler, Noll, Vo).
    func testFNV1a64() {
        var empty = FNV1a()
        XCTAssertEqual(empty.value, 0xcbf2_9ce4_8422_2325)
        var a = FNV1a()
        a.add(bytes: Array("a".utf8))
        XCTAssertEqual(a.value, 0xaf63_dc4c_8601_ec8c)
        var foobar = FNV1a()
        foobar.add(bytes: Array("foobar".utf8))
        XCTAssertEqual(foobar.value, 0x8594_4171_f739_67e8)
        empty.add(byte: 0)
        XCTAssertEqual(Fingerprint(value: 0xAB).hex, "00000000000000ab")
    }

    func testRounding() {
        XCTAssertEqual(Rounded(123_456.7, digits: 6, zeroFloor: 1e-12), .finite(mantissa: 123_457, exponent: 0))
        XCTAssertEqual(Rounded(-0.001234567, digits: 3, zeroFloor: 1e-12), .finite(mantissa: -123, exponent: -5))
        XCTAssertEqual(Rounded(1000, digits: 2, zeroFloor: 1e-12), .finite(mantissa: 10, exponent: 2))
        XCTAssertEqual(Rounded(9.9999996, digits: 6, zeroFloor: 1e-12), .finite(mantissa: 100_000, exponent: -4))
        XCTAssertEqual(Rounded(1e-13, digits: 6, zeroFloor: 1e-12), .zero)
        XCTAssertEqual(Rounded(.nan, digits: 6, zeroFloor: 1e-12), .nan)
        XCTAssertEqual(Rounded(-.infinity, digits: 6, zeroFloor: 1e-12), .infinity(positive: false))
    }

    /// Numbers that agree to the kept digits round alike, whatever their last bits; seeded.
    func testRoundingIgnoresLastBits() {
        for seed: UInt64 in [1, 2, 3] {
            var rng = SeededGenerator(seed: seed)
            for _ in 0..<1000 {
                let v = Double.random(in: -1e6...1e6, using: &rng)
                let r = Rounded(v, digits: 6, zeroFloor: 1e-12)
                guard case .finite(let m, _) = r else { return XCTFail("seed \(seed): \(v) did not round to a finite number") }
                XCTAssertTrue((100_000...999_999).contains(Swift.abs(m)), "seed \(seed): mantissa \(m) of \(v)")
                // One ulp away rounds alike unless v sits on a rounding boundary (rare): count.
                if Rounded(v.nextUp, digits: 6, zeroFloor: 1e-12) != r {
                    XCTAssertTrue(Swift.abs(v) > 0, "seed \(seed)")
                }
            }
        }
    }
}
