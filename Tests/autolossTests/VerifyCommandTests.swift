import Foundation
import XCTest

/// `autoloss verify` run as a user runs it: the built binary, its output and exit status
/// (0 pass, 1 rejected, 2 bad input).
final class VerifyCommandTests: XCTestCase {
    /// The directory of the built products (the test bundle sits beside the binary).
    var binary: URL {
        #if os(macOS)
        let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }!.bundleURL.deletingLastPathComponent()
        #else
        let products = Bundle.main.bundleURL
        #endif
        return products.appendingPathComponent("autoloss")
    }

    func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func testPassingLossExitsZero() throws {
        let r = try run(["verify", "-dot(y, log(softmax(x)))", "--branch", "softmax"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "formula      -dot(y, log(softmax(x)))")
        XCTAssertTrue(lines.contains { $0.hasPrefix("pass     softmax-monotone") }, r.out)
        XCTAssertTrue(lines.contains("verdict      pass"), r.out)
        XCTAssertTrue(lines.last?.hasPrefix("fingerprint  ") ?? false, r.out)
    }

    func testWarningStillPasses() throws {
        let r = try run(["verify", "iou", "--branch", "reg"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("warning  reg-nonoverlap-gradient"), r.out)
    }

    func testRejectedLossExitsOne() throws {
        let r = try run(["verify", "i/u", "--branch", "reg"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.out.contains("failure  reg-rank-consistency"), r.out)
        XCTAssertTrue(r.out.contains("verdict      fail"), r.out)
    }

    func testBadInputExitsTwo() throws {
        let cases: [[String]] = [
            ["verify", "x +", "--branch", "softmax"],          // syntax
            ["verify", "log(softmax(x))", "--branch", "softmax"], // type: a class vector
            ["verify", "i / u", "--branch", "softmax"],        // foreign input
            ["verify", "ce", "--branch", "reg"],               // known loss without that branch
            ["verify", "ce", "--branch", "nope"],              // unknown branch
            ["verify", "--branch", "softmax"],                 // no formula
            ["verify", "ce"],                                  // no branch
        ]
        for arguments in cases {
            let r = try run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.out) \(r.err)")
            XCTAssertFalse(r.err.isEmpty, "\(arguments) printed no error")
            XCTAssertFalse(r.err.contains("Fatal error"), r.err)
        }
    }

    func testJSON() throws {
        for (formula, branch, status, verdict) in [("cse-b-cls", "sigmoid", Int32(0), "pass"), ("dot(y, log(softmax(x)))", "softmax", 1, "fail")] {
            let r = try run(["verify", formula, "--branch", branch, "--json"])
            XCTAssertEqual(r.status, status, r.err)
            XCTAssertTrue(r.out.hasPrefix("{\"schema\": 1, \"formula\": "), r.out)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            XCTAssertEqual(Set(object.keys), ["schema", "formula", "branch", "checks", "verdict", "fingerprint"])
            XCTAssertEqual(object["schema"] as? Int, 1)
            XCTAssertEqual(object["branch"] as? String, branch)
            XCTAssertEqual(object["verdict"] as? String, verdict)
            XCTAssertEqual((object["fingerprint"] as? String)?.count, 16)
            let checks = try XCTUnwrap(object["checks"] as? [[String: String]])
            XCTAssertEqual(checks.first?["name"], "well-typed")
            for check in checks {
                XCTAssertEqual(Set(check.keys), ["name", "verdict", "reason"])
                XCTAssertTrue(["pass", "warning", "failure"].contains(check["verdict"]!))
            }
        }
    }
}
