import Foundation
import XCTest
@testable import LossLanguage

/// Issue 16, item 1: no input crashes the language. The parser stops at `Expr.maxSize` nodes
/// (long chains of + - * / too, which nest without parentheses), and every walk of a tree within
/// the limit fits in a quarter of the main thread's 8 MB stack.
final class LimitsTests: XCTestCase {
    /// `i + i + ... + i` with `terms` terms (2 terms - 1 nodes).
    static func chain(_ terms: Int, _ op: String = "+") -> String {
        Array(repeating: "i", count: terms).joined(separator: op)
    }

    func testLongChainsAreRefusedNamingTheLimit() {
        for op in ["+", "-", "*", "/"] {
            // 25,001 terms crashed `loss show` with a stack overflow in `valueType`.
            for terms in [Expr.maxSize / 2 + 1, 25_001, 50_000] {
                XCTAssertThrowsError(try Expr.parse(Self.chain(terms, op), branch: .reg), "\(op) x \(terms)") { error in
                    guard let e = error as? LossLanguageError else { return XCTFail("\(error)") }
                    XCTAssertTrue("\(e)".contains("more than 4096 nodes"), "\(e)")
                    XCTAssertLessThanOrEqual("\(e)".count, 400, "a long formula is shown around the position only")
                }
            }
            XCTAssertEqual(try Expr.parse(Self.chain(Expr.maxSize / 2, op), branch: .reg).size, Expr.maxSize - 1)
        }
        // Prefix form, and NY's three nodes counted.
        let prefix = String(repeating: "Add(NY,", count: 1100) + "X" + String(repeating: ")", count: 1100)
        XCTAssertThrowsError(try Expr.parse(prefix, branch: .sigmoid))
    }

    /// Found by the fuzzer (issue 38): 110 minus signs before a number parsed, but their printed
    /// form `-(-(...(-1)...))` was refused as nested deeper than 200 levels: each `-(` counted
    /// twice. A nest the parser takes prints as infix that reads back; one past the limit is
    /// still refused with the limit's message.
    func testANestOfNegationsTheParserTakesReadsBackAsPrinted() throws {
        for (minus, tail) in [(110, "1"), (198, "w"), (150, "(w)"), (120, "-(2)")] {
            let e = try Expr.parse(String(repeating: "-", count: minus) + tail, branch: .softmax)
            XCTAssertEqual(try Expr.parse(e.infix, branch: .softmax), e, "\(minus) minus signs: \(e.infix)")
            XCTAssertEqual(try Expr.parse(e.canonical(in: .softmax).infix, branch: .softmax).canonical(in: .softmax), e.canonical(in: .softmax))
        }
        let open = String(repeating: "-(", count: 250) + "w" + String(repeating: ")", count: 250)
        for deep in [String(repeating: "-", count: 250) + "w", open] {
            XCTAssertThrowsError(try Expr.parse(deep, branch: .softmax)) { error in
                XCTAssertTrue("\(error)".contains("nested deeper than 200 levels"), "\(error)")
            }
        }
    }

    func testTreesBuiltInCodeAreCheckedWithoutRecursion() {
        var e: Expr = .input(.i)
        for _ in 0..<Expr.maxSize { e = .binary(.add, e, .input(.u)) }
        XCTAssertEqual(e.boundedSize(), Expr.maxSize + 1, "counting stops past the limit")
        XCTAssertThrowsError(try e.typeCheck(branch: .reg)) { XCTAssertTrue($0 is LossLanguageError) }
        XCTAssertThrowsError(try CompiledLoss<Double>(e, branch: .reg))
    }

    /// Every walk at the limit, on a thread with 2 MB of stack: left-deep chains as parsed,
    /// right-deep ones as code can build them, and a nest of unary operators.
    func testEveryWalkAtTheLimitFitsInTwoMegabytesOfStack() throws {
        var trees: [(Expr, Branch)] = [(try Expr.parse(Self.chain(Expr.maxSize / 2), branch: .reg), .reg),
                                       (try Expr.parse(Self.chain(Expr.maxSize / 2, "/"), branch: .reg), .reg)]
        var right: Expr = .input(.e), unary: Expr = .input(.x)
        for k in 0..<(Expr.maxSize / 2 - 1) { right = .binary(k % 2 == 0 ? .sub : .mul, .input(.u), right) }
        for k in 0..<(Expr.maxSize - 10) { unary = .unary(k % 3 == 0 ? .neg : (k % 3 == 1 ? .tanh : .relu), unary) }
        trees += [(right, .reg), (.binary(.dot, .input(.y), .unary(.log, .unary(.softmax, unary))), .softmax)]
        let walked = Walked(), done = DispatchSemaphore(value: 0), shapes = trees
        let thread = Thread {
            defer { done.signal() }
            for (k, (e, branch)) in shapes.enumerated() {
                if e.size > Expr.maxSize { walked.failures.append("tree \(k) has \(e.size) nodes") }
                do {
                    try e.typeCheck(branch: branch)
                    let texts = [e.infix, e.prefix(branch: branch), e.latex, e.pytorch(branch: branch), e.sympy(branch: branch),
                                 e.canonicalString(in: branch), e.canonical.infix]
                    // The parser nests at most 200 parentheses deep: only the parsed chains read back.
                    if k < 2, try Expr.parseUnchecked(e.infix, branch: branch) != e { walked.failures.append("tree \(k) does not read back") }
                    _ = texts.map(\.count).reduce(0, +) + e.depth + e.inputs.count + e.hashValue
                    let sample: [Input: SampleValue] = branch == .reg
                        ? [.i: .scalar(1), .u: .scalar(2), .e: .scalar(3)] : [.x: .vector([1, 2]), .y: .vector([0, 1]), .w: .scalar(1)]
                    _ = try e.reference(sample)
                    let batch = LossBatch<Double>(rows: 1, classes: branch == .reg ? 1 : 2, inputs: sample.mapValues {
                        if case .vector(let v) = $0 { return v }
                        return [$0.scalarValue!]
                    })
                    _ = try CompiledLoss<Double>(e, branch: branch).evaluate(batch)
                    _ = try CompiledLoss<Float>(e, branch: branch).evaluate(LossBatch(rows: 1, classes: batch.classes, inputs: batch.inputs.mapValues { $0.map(Float.init) }))
                } catch { walked.failures.append("\(error)") }
            }
        }
        thread.stackSize = 2 << 20
        thread.start()
        done.wait()
        XCTAssertEqual(walked.failures, [])
    }
}

/// What the stack-limited thread reports back (read after it has ended).
private final class Walked: @unchecked Sendable {
    var failures: [String] = []
}
