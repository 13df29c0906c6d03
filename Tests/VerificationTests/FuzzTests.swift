import Foundation
import XCTest
import LossLanguage
import Verification
import _TestSupport

/// Issue 16, item 1: mutated and random strings through the parser, the printers, the canonical
/// form, the verifier and both evaluators, in process, seeded. Nothing may crash; every error
/// is a `LossLanguageError`; what parses prints, reads back and evaluates.
final class FuzzTests: XCTestCase {
    static let alphabet = Array("ixyuwe XYZQUIENPY()+-*/,.0123456789e^ logsftmaxdotrelusqrtbN(((---)))+*")
    static let words = ["exp(", "log(", "softmax(", "dot(", "Add(", "Neg(", "Div(", "Sqrt(", "Relu(", "NY", ",", ")", "-",
                        "1e308", "-0", "1e-320", "2.5e", "(", "  ", "sigmoid(", "erfc(", "Softmax(", "1e400", "x", "i"]

    /// One fuzzed string: a seed formula changed a few times, or random characters.
    static func input(_ seeds: [(String, Branch)], _ rng: inout SeededGenerator) -> (String, Branch) {
        let (seed, branch) = seeds.randomElement(using: &rng)!
        if Int.random(in: 0..<5, using: &rng) == 0 {
            return (String((0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }), branch)
        }
        var s = Array(seed)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = Int.random(in: 0...s.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: s.insert(alphabet.randomElement(using: &rng)!, at: at)
            case 1: if at < s.count { s.remove(at: at) }
            case 2: s.insert(contentsOf: words.randomElement(using: &rng)!, at: at)
            case 3: if at < s.count { s[at] = alphabet.randomElement(using: &rng)! }
            default:  // duplicate a stretch (long inputs)
                let end = Int.random(in: at...s.count, using: &rng)
                s.insert(contentsOf: Array(s[at..<end]), at: end)
            }
        }
        return (String(s), branch)
    }

    func testTenThousandFuzzedFormulasNeverCrash() throws {
        var rng = SeededGenerator(seed: 16)
        var seeds: [(String, Branch)] = []
        for loss in KnownLoss.all {
            for b in loss.branches {
                let e = try loss.expr(branch: b)
                seeds += [(e.infix, b), (e.prefix(branch: b), b)]
            }
        }
        for b in Branch.allCases { seeds += (0..<30).map { _ in (RandomExpr.typed(branch: b, depth: 5, using: &rng).infix, b) } }
        var parsed = 0, verified = 0
        let verifier = Verifier()
        for n in 0..<10_000 {
            let (text, branch) = Self.input(seeds, &rng)
            let e: Expr
            do {
                e = try Expr.parse(text, branch: branch)
            } catch {
                XCTAssertTrue(error is LossLanguageError, "#\(n) \(text): \(error)")
                continue
            }
            parsed += 1
            let texts = [e.infix, e.prefix(branch: branch), e.latex, e.pytorch(branch: branch), e.sympy(branch: branch)]
            XCTAssertFalse(texts.contains(where: \.isEmpty), "#\(n) \(text)")
            XCTAssertEqual(try Expr.parse(e.infix, branch: branch), e, "#\(n) \(text): infix reads back")
            XCTAssertEqual(try Expr.parse(e.prefix(branch: branch), branch: branch).canonicalString(in: branch),
                           e.canonicalString(in: branch), "#\(n) \(text): prefix reads back")
            let canonical = e.canonical(in: branch)
            XCTAssertEqual(canonical.canonical(in: branch), canonical, "#\(n) \(text): canonical form is a fixed point")
            // Extreme rows beside ordinary ones: the evaluators report non-finite values as data.
            let rows = 3, classes = branch == .softmax ? 3 : 1
            let extremes: [Double] = [1e16, -1e16, 0, 3e38, -5e-324, 0.5, 88.5, -1, 1]
            var inputs: [Input: [Double]] = [:]
            for v in branch.inputs {
                let count = branch.type(of: v) == .vector ? rows * classes : rows
                inputs[v] = (0..<count).map { _ in extremes.randomElement(using: &rng)! }
            }
            _ = try CompiledLoss<Double>(e, branch: branch).evaluate(LossBatch(rows: rows, classes: classes, inputs: inputs))
            _ = try CompiledLoss<Float>(e, branch: branch).evaluate(
                LossBatch(rows: rows, classes: classes, inputs: inputs.mapValues { $0.map { Float($0) } }))
            _ = try e.reference(RandomExpr.sample(branch: branch, using: &rng))
            _ = verifier.verify(e, branch: branch, stopAtFirstFailure: true)
            verified += 1
        }
        XCTAssertGreaterThan(parsed, 500, "the mutations should keep a fair share parseable")
        print("fuzz: 10000 strings, \(parsed) parsed, \(verified) verified")
    }
}
