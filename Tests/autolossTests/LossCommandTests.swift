import Foundation
import XCTest

final class LossCommandTests: XCTestCase {
    func testShowPrintsEveryFormat() throws {
        let infix = try CLI.run(["loss", "show", "cse-a-cls", "--branch", "softmax"])
        XCTAssertEqual(infix.status, 0, infix.stderr)
        XCTAssertEqual(infix.stdout, "-dot(y * (1 + sin(w)), log(softmax(x)))\n")
        let prefix = try CLI.run(["loss", "show", "-dot(y * (1 + sin(w)), log(softmax(x)))", "--branch", "softmax", "--format", "prefix"])
        XCTAssertEqual(prefix.stdout, "Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))\n")
        let latex = try CLI.run(["loss", "show", "giou", "--branch", "reg", "--format", "latex"])
        XCTAssertEqual(latex.stdout, "1 - \\frac{i}{u} + \\frac{e - u}{e}\n")
        let canonical = try CLI.run(["loss", "show", "cse-a-reg", "--branch", "reg", "--format", "canonical"])
        XCTAssertEqual(canonical.stdout, "1 + (e - 2 - i) / e - i / u\n")
        let json = try CLI.run(["loss", "show", "iou", "--branch", "reg", "--format", "json"])
        XCTAssertEqual(json.stdout, """
            {"branch": "reg", "infix": "1 - i / u", "prefix": "Sub(1,Div(I,U))", "canonical": "1 - i / u", "size": 5, "depth": 3, \
            "tree": {"op": "sub", "args": [{"constant": 1}, {"op": "div", "args": [{"input": "i"}, {"input": "u"}]}]}}

            """)
        for format in ["pytorch", "sympy"] {
            for loss in [("cse-b-cls", "sigmoid"), ("focal", "sigmoid"), ("ce", "softmax"), ("giou", "reg")] {
                let r = try CLI.run(["loss", "show", loss.0, "--branch", loss.1, "--format", format])
                XCTAssertEqual(r.status, 0, r.stderr)
                XCTAssertTrue(r.stdout.contains(format == "pytorch" ? "def loss(" : "loss = "), r.stdout)
            }
        }
    }

    func testEvalPrintsValuesAndGradientsInTheInputsShapes() throws {
        let file = try CLI.temporaryFile(#"{"i": [1, 4], "u": [7, 4], "e": [9, 4]}"#)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try CLI.run(["loss", "eval", "iou", "--branch", "reg", "--inputs", file.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let values = object["values"] as! [Double]
        XCTAssertEqual(values[0], 1 - 1.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(values[1], 0, accuracy: 1e-15)
        let gradients = object["gradients"] as! [String: [Double]]
        XCTAssertEqual(gradients["i"]![0], -1.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(gradients["u"]![0], 1.0 / 49, accuracy: 1e-15)
        XCTAssertEqual(gradients["e"]!, [0, 0])
        XCTAssertEqual(object["finite"] as? Bool, true)

        let softmax = try CLI.temporaryFile(#"{"x": [[2, 0.5, -1], [0.1, 0.2, 3]], "y": [[1, 0, 0], [0, 0, 1]], "w": [0.8, 1]}"#)
        defer { try? FileManager.default.removeItem(at: softmax) }
        let ce = try CLI.run(["loss", "eval", "ce", "--branch", "softmax", "--inputs", softmax.path])
        let ceObject = try JSONSerialization.jsonObject(with: Data(ce.stdout.utf8)) as! [String: Any]
        let gx = (ceObject["gradients"] as! [String: Any])["x"] as! [[Double]]
        XCTAssertEqual(gx.count, 2)
        XCTAssertEqual(gx[0].count, 3)
        // d CE / d x = softmax(x) - y.
        let z = [2.0, 0.5, -1].map { exp($0) }
        XCTAssertEqual(gx[0][0], z[0] / z.reduce(0, +) - 1, accuracy: 1e-12)

        let rows = try CLI.run(["loss", "eval", "focal", "--branch", "sigmoid", "--inputs", "-"],
                               stdin: #"{"x": [[1, -2], [0, 3]], "y": [[1, 0], [0, 0]], "w": [[0.7, 0], [0, 0]]}"#)
        XCTAssertEqual(rows.status, 0, rows.stderr)
        let rowsObject = try JSONSerialization.jsonObject(with: Data(rows.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((rowsObject["values"] as! [[Double]]).count, 2)
    }

    func testNonFiniteResultsPrintFalseNotACrash() throws {
        let r = try CLI.run(["loss", "eval", "sqrt(-x)", "--branch", "sigmoid", "--inputs", "-"], stdin: #"{"x": [2], "y": [0], "w": [0]}"#)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, #"{"values": [null], "gradients": {"x": [null], "y": [0], "w": [0]}, "finite": false}"# + "\n")
    }

    /// Every kind of bad input: one clear message on stderr, exit 2, nothing on stdout.
    func testBadInputGetsOneClearErrorAndExitTwo() throws {
        let good = try CLI.temporaryFile(#"{"i": [1], "u": [2], "e": [3]}"#)
        let shortRow = try CLI.temporaryFile(#"{"x": [[1, 2], [3]], "y": [[1, 0], [0, 1]], "w": [1, 1]}"#)
        let mismatch = try CLI.temporaryFile(#"{"i": [1, 2], "u": [2], "e": [3]}"#)
        let notJSON = try CLI.temporaryFile("{\"i\": [1,")
        let text = try CLI.temporaryFile(#"{"i": ["a"], "u": [2], "e": [3]}"#)
        let extra = try CLI.temporaryFile(#"{"i": [1], "u": [2], "e": [3], "z": [1]}"#)
        defer { for f in [good, shortRow, mismatch, notJSON, text, extra] { try? FileManager.default.removeItem(at: f) } }
        let cases: [([String], String)] = [
            (["loss", "show", "-dot(y, log(softmax(x))", "--branch", "softmax"], "formula error at position 24: expected ',' or ')'"),
            (["loss", "show", "foo(x)", "--branch", "sigmoid"], "unknown function 'foo'"),
            (["loss", "show", "log(x, y)", "--branch", "sigmoid"], "log takes 1 argument, got 2"),
            (["loss", "show", "x", "--branch", "softmax"], "the loss is a class vector"),
            (["loss", "show", "Neg(Z)", "--branch", "reg"], "unknown input 'Z'"),
            (["loss", "show", "giou", "--branch", "softmax"], "'giou' has no softmax form"),
            (["loss", "show", "x", "--branch", "detr"], "detr"),
            (["loss", "show", "--branch", "reg"], "missing FORMULA"),
            (["loss", "eval", "iou", "--branch", "reg", "--inputs", "/nonexistent.json"], "/nonexistent.json: no such file"),
            (["loss", "eval", "ce", "--branch", "softmax", "--inputs", shortRow.path], "'x' row 1 has 1 numbers, expected 2"),
            (["loss", "eval", "iou", "--branch", "reg", "--inputs", mismatch.path], "'u' has shape 1, expected 2"),
            (["loss", "eval", "iou", "--branch", "reg", "--inputs", notJSON.path], "not valid JSON"),
            (["loss", "eval", "iou", "--branch", "reg", "--inputs", text.path], "i[0] is not a number"),
            (["loss", "eval", "iou", "--branch", "reg", "--inputs", extra.path], "unknown input 'z'"),
            (["loss", "eval", "ce", "--branch", "softmax", "--inputs", good.path], "unknown input 'e'"),
        ]
        for (arguments, expected) in cases {
            let r = try CLI.run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), "\(arguments): expected '\(expected)' in \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(arguments)")
        }
    }
}
