import Foundation
import XCTest

/// DIoU and CIoU, which (i, u, e) cannot express, as a search's baseline and partner on the
/// built-in detector (issue 18 item 4): trained as themselves, in process and through the
/// worker alike, and refused where no detector of ours trains them.
final class BuiltinBaselineTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-builtin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertEqual(try CLI.run(["data", "shapes", "--out", data, "--train", "6", "--val", "3", "--size", "64"]).status, 0)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    var data: String { folder.appendingPathComponent("shapes").path }

    func search(_ name: String, _ options: [String], environment: [String: String] = [:]) throws -> CLIResult {
        let r = try CLI.run(["search", "--generations", "1", "--population", "3", "--top-k", "1", "--seed", "3", "--data", data,
                             "--schedule-scale", "0.05", "--no-mos", "--out", folder.appendingPathComponent(name).path] + options,
                            environment: environment)
        XCTAssertEqual(r.status, 0, name + ": " + r.stdout + r.stderr)
        return r
    }

    func baselineAP(_ name: String) throws -> String {
        let r = try CLI.run(["report", folder.appendingPathComponent(name).path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return "\(try XCTUnwrap(report["baseline_ap"] as? Double))"
    }

    func testDIoUIsABaselineOfTheRegressionSearch() throws {
        // One thread, as each of two workers on two cores has: oneDNN's weight gradients sum in
        // an order that depends on the thread count, so only equal counts give equal bits.
        let diou = try search("diou", ["--branch", "reg", "--baseline", "diou"], environment: ["OMP_NUM_THREADS": "\(max(1, ProcessInfo.processInfo.activeProcessorCount / 2))"])
        XCTAssertTrue(diou.stdout.contains("[proxy baseline] started  diou (built in)"), diou.stdout)
        XCTAssertTrue(diou.stdout.contains("baseline diou: AP "), diou.stdout)
        // Through worker processes (--jobs 2) it trains the same.
        _ = try search("diou-workers", ["--branch", "reg", "--baseline", "diou", "--jobs", "2"])
        let fame = { (name: String) in try String(contentsOfFile: self.folder.appendingPathComponent("\(name)/hall-of-fame.json").path, encoding: .utf8) }
        XCTAssertEqual(try fame("diou-workers"), try fame("diou"))
        // And it is not GIoU, its stand-in where a formula is asked for.
        _ = try search("giou", ["--branch", "reg", "--baseline", "giou"])
        XCTAssertNotEqual(try baselineAP("diou"), try baselineAP("giou"))
        XCTAssertEqual(try baselineAP("diou-workers"), try baselineAP("diou"))
    }

    func testCIoUIsAPartnerOfAClassificationSearch() throws {
        let r = try search("ciou", ["--branch", "softmax", "--partner", "ciou"])
        XCTAssertTrue(r.stdout.contains("partner ciou"), r.stdout)
    }

    func testWhereNoDetectorOfOursTrainsThemTheyAreRefused() throws {
        let r = try CLI.run(["search", "--branch", "reg", "--baseline", "diou", "--evaluator", "external", "--command", "true",
                             "--out", folder.appendingPathComponent("external").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "error: --baseline diou: a built-in loss of the detector (not a function of i, u, e): only the built-in detector trains with it (--evaluator detector)\n")
    }
}
