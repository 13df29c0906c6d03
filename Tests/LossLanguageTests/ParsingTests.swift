import XCTest
@testable import LossLanguage
import _TestSupport

final class ParsingTests: XCTestCase {
    func testInfixPrecedenceAndAssociativity() throws {
        XCTAssertEqual(try Expr.parse("1 - i / u + 2 * e", branch: .reg),
                       .binary(.add, .binary(.sub, 1, .binary(.div, .input(.i), .input(.u))), .binary(.mul, 2, .input(.e))))
        XCTAssertEqual(try Expr.parse("i - u - e", branch: .reg),
                       .binary(.sub, .binary(.sub, .input(.i), .input(.u)), .input(.e)))
        XCTAssertEqual(try Expr.parse("-i * u", branch: .reg), .binary(.mul, .unary(.neg, .input(.i)), .input(.u)))
        XCTAssertEqual(try Expr.parse("-2 * u", branch: .reg), .binary(.mul, .constant(-2), .input(.u)))
        XCTAssertEqual(try Expr.parse("-(2) * u", branch: .reg), .binary(.mul, .unary(.neg, 2), .input(.u)))
        XCTAssertEqual(try Expr.parse("2.5e-3 * i", branch: .reg), .binary(.mul, .constant(0.0025), .input(.i)))
    }

    func testPrefixFormUsesTheAuthorsNames() throws {
        let a = try Expr.parse("Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))", branch: .softmax)
        XCTAssertEqual(a, try Expr.parse("-dot(y * (1 + sin(w)), log(softmax(x)))", branch: .softmax))
        let q = try Expr.parse("Mul(Q,Add(NY,PY))", branch: .sigmoid)
        XCTAssertEqual(q, .binary(.mul, .input(.w), .binary(.add, .binary(.sub, 1, .input(.y)), .input(.y))))
        XCTAssertEqual(try Expr.parse("Add(I,Div(U,E))", branch: .reg).infix, "i + u / e")
    }

    func testErrorsNamePositionAndExpectation() {
        func message(_ text: String, _ branch: Branch) -> String {
            do {
                _ = try Expr.parse(text, branch: branch)
                return "parsed"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(message("-dot(y, log(softmax(x))", .softmax), """
            formula error at position 24: expected ',' or ')' to close the call of dot opened at position 5, found end of formula
              -dot(y, log(softmax(x))
                                     ^
            """)
        XCTAssertTrue(message("foo(x)", .softmax).hasPrefix("formula error at position 1: unknown function 'foo'"))
        XCTAssertTrue(message("log(x, y)", .sigmoid).contains("log takes 1 argument, got 2"))
        XCTAssertTrue(message("dot(x)", .softmax).contains("dot takes 2 arguments, got 1"))
        XCTAssertTrue(message("x + i", .softmax).contains("position 5: 'i' is not an input of the softmax branch"))
        XCTAssertTrue(message("x ^ 2", .sigmoid).contains("position 3: there is no power operator"))
        XCTAssertTrue(message("x +", .sigmoid).contains("ends early"))
        XCTAssertTrue(message("x y", .sigmoid).contains("position 3: expected an operator or the end of the formula, found 'y'"))
        XCTAssertTrue(message("", .reg).contains("empty formula"))
        XCTAssertTrue(message("Add(I)", .reg).contains("Add takes 2 arguments, got 1"))
        XCTAssertTrue(message("Foo(I,U)", .reg).contains("unknown operator 'Foo'"))
        XCTAssertTrue(message("Add(I,W)", .reg).contains("unknown input 'W'"))
        XCTAssertTrue(message("x", .softmax).contains("the loss is a class vector"))
        // The authors' broadcasts (issue 16): w and constants over the classes, softmax over the
        // sigmoid branch's rows; what has no classes to act over stays an error.
        XCTAssertTrue(message("softmax(w + 2)", .softmax).contains("the loss is a class vector"))
        XCTAssertTrue(message("dot(softmax(2), x)", .softmax).contains("softmax of a constant has no classes"))
        XCTAssertTrue(message("dot(x, w)", .sigmoid).contains("the sigmoid branch has no dot"))
        XCTAssertTrue(message("softmax(u)", .reg).contains("the reg branch has none"))
        XCTAssertEqual(try Expr.parse("dot(w, x) + dot(2, 3) - dot(softmax(w), x)", branch: .softmax).valueType(in: .softmax), .scalar)
        XCTAssertEqual(try Expr.parse("softmax(x) * y", branch: .sigmoid).valueType(in: .sigmoid), .scalar)
        XCTAssertTrue(message(String(repeating: "(", count: 500) + "x" + String(repeating: ")", count: 500), .sigmoid)
            .contains("nested deeper than"))
        XCTAssertTrue(message("1e999 * x", .sigmoid).contains("'1e999' is not a number"))
    }

    /// A known loss's name inside a formula stands for its formula in that branch (issue 38).
    func testKnownLossesExpandInsideFormulas() throws {
        let giou = try KnownLoss(name: "giou")!.expr(branch: .reg)
        XCTAssertEqual(try Expr.parse("3 * giou", branch: .reg), .binary(.mul, 3, giou))
        XCTAssertEqual(try Expr.parse("giou-iou", branch: .reg), .binary(.sub, giou, try Expr.parse("1 - i / u", branch: .reg)))
        XCTAssertEqual(try Expr.parse("1 + log-iou", branch: .reg), .binary(.add, 1, try Expr.parse("-log(i / u)", branch: .reg)))
        XCTAssertEqual(try Expr.parse("cse-a-reg * e", branch: .reg),
                       .binary(.mul, try KnownLoss(name: "cse-a-reg")!.expr(branch: .reg), .input(.e)))
        XCTAssertEqual(try Expr.parse("ce + 0.5 * focal", branch: .softmax),
                       .binary(.add, try KnownLoss(name: "ce")!.expr(branch: .softmax),
                               .binary(.mul, 0.5, try KnownLoss(name: "focal")!.expr(branch: .softmax))))
        XCTAssertEqual(try Expr.parse("focal", branch: .sigmoid), try KnownLoss(name: "focal")!.expr(branch: .sigmoid))
        func message(_ text: String, _ branch: Branch) -> String {
            do { return "parsed \(try Expr.parse(text, branch: branch))" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("ce + giou", .softmax).contains("position 6: the known loss 'giou' has no softmax form (it is defined for: reg)"))
        XCTAssertTrue(message("2 * diou", .reg).contains("position 5: 'diou' is a built-in regression loss of the detector"))
        XCTAssertTrue(message("smooth-l1", .reg).contains("'smooth-l1' is a built-in regression loss of the detector, not a formula"))
        // Spaces make a minus: 'log - iou' is not the name log-iou.
        XCTAssertTrue(message("1 + log - iou", .reg).contains("function 'log' needs its arguments in parentheses"))
        XCTAssertTrue(message("giou(i)", .reg).contains("'giou' is a known loss, not a function"))
    }

    /// Casing: a prefix operator in the wrong case is named, not the first input after it.
    func testWrongCasingIsNamed() {
        func message(_ text: String, _ branch: Branch) -> String {
            do { return "parsed \(try Expr.parse(text, branch: branch))" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("nEG(Dot(Y,Log(Softmax(X))))", .softmax).contains("position 1: 'nEG' is the prefix operator Neg in other casing"))
        XCTAssertTrue(message("-dot(Y, log(softmax(x)))", .softmax).contains("unknown name 'Y' (did you mean 'y'?"))
    }

    /// A zero-width space (or joiner, word joiner, byte-order mark) is a space wherever it is:
    /// one at the ends was trimmed, one in the middle refused as an unexpected character.
    func testInvisibleCharactersAreSpacesAnywhere() throws {
        let plain = try Expr.resolve("i + u", branch: .reg)
        for text in ["\u{200B}i + u\u{200B}", "i +\u{200B} u", "i\u{2060}+\u{FEFF}u", "i\u{200C}+\u{200D}u"] {
            XCTAssertEqual(try Expr.resolve(text, branch: .reg), plain, text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " "))
        }
    }

    /// Control characters of a formula are escaped in messages, the caret under them.
    func testControlCharactersAreEscapedInMessages() {
        do {
            _ = try Expr.parse("x\u{1B}[2J + y", branch: .sigmoid)
            XCTFail("parsed")
        } catch {
            XCTAssertEqual("\(error)", """
                formula error at position 2: unexpected character '\\u{1B}'
                  x\\u{1B}[2J + y
                   ^
                """)
        }
    }

    /// Tens of thousands of random and mutated strings: every one parses or throws; none crashes.
    func testParserNeverCrashesOnRandomInput() {
        var rng = SeededGenerator(seed: 7)
        let alphabet = Array("xyzwiue XYZQPYNUIE()+-*/,.0123456789eE^_ \tsoftmaxlgdNegAddMulDivDotSigSerf")
        let seeds: [(String, Branch)] = KnownLoss.all.flatMap { loss in
            loss.branches.flatMap { b -> [(String, Branch)] in
                let e = try! loss.expr(branch: b)
                return [(e.infix, b), (e.prefix(branch: b), b)]
            }
        }
        var parsed = 0, rejected = 0
        for round in 0..<30_000 {
            var text: [Character]
            var branch = Branch.allCases[round % 3]
            if round % 2 == 0 {
                text = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            } else {
                let (source, sourceBranch) = seeds.randomElement(using: &rng)!
                text = Array(source)
                branch = sourceBranch
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !text.isEmpty {
                    let k = Int.random(in: 0..<text.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: text.remove(at: k)
                    case 1: text.insert(alphabet.randomElement(using: &rng)!, at: k)
                    default: text[k] = alphabet.randomElement(using: &rng)!
                    }
                }
            }
            do {
                _ = try Expr.parse(String(text), branch: branch)
                parsed += 1
            } catch is LossLanguageError {
                rejected += 1
            } catch {
                XCTFail("round \(round): unexpected error type \(error) for \(String(text))")
            }
        }
        XCTAssertGreaterThan(parsed, 500, "mutations should keep some formulas valid")
        XCTAssertGreaterThan(rejected, 10_000)
    }
}
