import XCTest
@testable import LossLanguage
import _TestSupport

final class PrintingTests: XCTestCase {
    /// parse(print(e)) == e for the infix and prefix printers, on thousands of random trees.
    func testInfixAndPrefixRoundTripOnRandomTrees() throws {
        for seed in 0..<6000 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            let branch = Branch.allCases[Int(seed % 3)]
            let e = RandomExpr.any(branch: branch, depth: 1 + Int(seed % 7), using: &rng)
            let infix = try Expr.parseUnchecked(e.infix, branch: branch)
            XCTAssertEqual(infix, e, "seed \(seed): infix \(e.infix)")
            let prefix = try Expr.parseUnchecked(e.prefix(branch: branch), branch: branch)
            XCTAssertEqual(prefix, e, "seed \(seed): prefix \(e.prefix(branch: branch))")
        }
    }

    func testInfixUsesFewestParentheses() throws {
        let cases: [(String, Branch)] = [
            ("-dot(y, log(softmax(x)))", .softmax),
            ("1 - i / u + (e - u) / e", .reg),
            ("i - (u - e)", .reg),
            ("i / (u * e)", .reg),
            ("-(i + u) * e", .reg),
            ("-(-i)", .reg),
            ("-(2) + i", .reg),
            ("i * -1", .reg),
        ]
        for (text, branch) in cases {
            XCTAssertEqual(try Expr.parse(text, branch: branch).infix, text)
        }
    }

    func testPublishedPrefixStringsPrintBackIdentically() throws {
        for name in ["cse-a-cls", "cse-a-reg", "cse-b-cls", "cse-b-reg"] {
            let loss = KnownLoss(name: name)!
            let branch = loss.branches[0]
            XCTAssertEqual(try loss.expr(branch: branch).prefix(branch: branch), loss.forms[branch]!, name)
        }
    }

    func testLaTeX() throws {
        XCTAssertEqual(try Expr.resolve("giou", branch: .reg).latex, "1 - \\frac{i}{u} + \\frac{e - u}{e}")
        XCTAssertEqual(try Expr.resolve("ce", branch: .softmax).latex,
                       "-\\left\\langle y, \\log\\left(\\operatorname{softmax}\\left(x\\right)\\right)\\right\\rangle")
        XCTAssertEqual(try Expr.parse("sqrt(abs(x)) * exp(-x)", branch: .sigmoid).latex, "\\sqrt{\\left|x\\right|} \\cdot e^{-x}")
    }

    func testPyTorchBroadcastsPerRowScalarsAndGuardsDivision() throws {
        let code = try Expr.resolve("cse-a-cls", branch: .softmax).pytorch(branch: .softmax)
        XCTAssertTrue(code.contains("value = -_dot(y * (const(1.0) + torch.sin(w)).unsqueeze(-1), _log_softmax(x))"), code)
        XCTAssertTrue(code.contains("def loss(x, y, w):"))
        let reg = try Expr.resolve("giou", branch: .reg).pytorch(branch: .reg)
        XCTAssertTrue(reg.contains("value = const(1.0) - _div(i, u) + _div(e - u, e)"), reg)
        XCTAssertTrue(reg.contains("out = a / (b + EPS)"))
    }

    /// Constants are tensors, so operators apply to them; deep formulas go through temporaries.
    func testPyTorchConstantsAreTensorsAndDeepFormulasSplit() throws {
        let code = try Expr.parse("Mul(X,Sig(1))", branch: .sigmoid).pytorch(branch: .sigmoid)
        XCTAssertTrue(code.contains("value = x * torch.sigmoid(const(1.0))"), code)
        XCTAssertTrue(code.contains("return torch.tensor(v, dtype=x.dtype, device=x.device)"), code)
        let deep = try Expr.parse(String(repeating: "sin(", count: 60) + "x" + String(repeating: ")", count: 60), branch: .sigmoid)
        let lines = deep.pytorch(branch: .sigmoid).split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("    t2 = ") }, lines.joined(separator: "\n"))
        XCTAssertLessThan(lines.filter { !$0.hasPrefix("#") }.map { $0.filter { $0 == "(" }.count }.max() ?? 0, 40)
        XCTAssertEqual(Expr.pythonNumber(0.25), "0.25")
        XCTAssertEqual(Expr.pythonNumber(-Double.infinity), "-math.inf")
    }

    func testSymPy() throws {
        let code = try Expr.resolve("giou", branch: .reg).sympy(branch: .reg)
        XCTAssertTrue(code.contains("loss = sp.Integer(1) - i / u + (e - u) / e"), code)
        XCTAssertTrue(code.contains("i, u, e = sp.symbols(\"i u e\", real=True)"))
    }
}
