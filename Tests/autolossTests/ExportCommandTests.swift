import Foundation
import XCTest

final class ExportCommandTests: XCTestCase {
    /// Every known loss exports to syntactically valid Python in every format that is Python.
    func testExportsAreValidPython() throws {
        let python = ProcessInfo.processInfo.environment["PYTHON"] ?? ".venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return XCTFail("no Python at \(python): run `make venv` (or set PYTHON)")
        }
        let list = try CLI.run(["loss", "list"]).stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        for row in list {
            for format in ["pytorch", "mmdet", "sympy"] {
                let r = try CLI.run(["export", row[0], "--branch", row[1], "--format", format, "--name", "Found"])
                XCTAssertEqual(r.status, 0, r.stderr)
                let file = try CLI.temporaryFile(r.stdout, suffix: ".py")
                defer { try? FileManager.default.removeItem(at: file) }
                let check = Process()
                check.executableURL = URL(fileURLWithPath: python)
                check.arguments = ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", file.path]
                try check.run()
                check.waitUntilExit()
                XCTAssertEqual(check.terminationStatus, 0, "\(row[0]) \(format) is not valid Python:\n\(r.stdout)")
            }
        }
    }

    func testMMDetModuleNamesItsClassAndHead() throws {
        let r = try CLI.run(["export", "cse-a-reg", "--branch", "reg", "--format", "mmdet", "--name", "CSEAReg"])
        XCTAssertTrue(r.stdout.contains("class CSEAReg(torch.nn.Module):"))
        XCTAssertTrue(r.stdout.contains("@_REGISTRY.register_module()"))
        XCTAssertTrue(r.stdout.contains("per_sample = loss(i, u, e)"))
        let bad = try CLI.run(["export", "giou", "--branch", "reg", "--format", "mmdet", "--name", "9lives"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--name must be a Python identifier"), bad.stderr)
    }
}
