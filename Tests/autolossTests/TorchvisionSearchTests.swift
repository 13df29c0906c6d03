import Foundation
import XCTest

/// A search that trains a real torchvision FCOS (resnet18, no pretrained weights, CPU) through
/// `autoloss-torch-train` (integrations/torchvision, installed into the test venv by `make venv`),
/// on a tiny shapes COCO folder: the external evaluator as a user drives it (issue 14).
final class TorchvisionSearchTests: XCTestCase {
    var folder: URL!
    var trainer: String!

    override func setUpWithError() throws {
        let python = ProcessInfo.processInfo.environment["PYTHON"] ?? ExportParityTests.repoRoot.appendingPathComponent(".venv/bin/python").path
        trainer = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("autoloss-torch-train").path
        guard FileManager.default.isExecutableFile(atPath: trainer) else {
            struct Missing: Error, CustomStringConvertible { var description: String }
            throw Missing(description: "no \(trainer!): run `make venv` (installs integrations/torchvision) or set PYTHON")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-torch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let shapes = try CLI.run(["data", "shapes", "--out", data, "--train", "12", "--val", "6", "--size", "64"])
        XCTAssertEqual(shapes.status, 0, shapes.stderr)
    }

    override func tearDown() { if let folder { try? FileManager.default.removeItem(at: folder) } }

    var data: String { folder.appendingPathComponent("shapes").path }

    /// A search of two candidates, logging each training as it starts.
    func search(_ name: String) -> (arguments: [String], log: String) {
        let log = folder.appendingPathComponent("\(name).log").path
        let command = "echo $AUTOLOSS_STAGE \"$(cat formula.txt)\" >> \(log); \(trainer!) {dir} --data \(data) --model fcos --backbone resnet18 --iterations 20 --size 64"
        return (["search", "--branch", "reg", "--mode", "sigmoid", "--evaluator", "external", "--data", data, "--command", command,
                 "--generations", "1", "--population", "2", "--top-k", "1", "--top-p", "1", "--seed", "3",
                 "--out", folder.appendingPathComponent(name).path], log)
    }

    func testASearchTrainsFCOSThroughTheIntegrationAndEndsWithAHallOfFame() throws {
        let run = search("run")
        let r = try CLI.run(run.arguments)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("[proxy baseline] AP "), r.stdout)
        let fame = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("run/hall-of-fame.json"))) as? [[String: Any]])
        XCTAssertFalse(fame.isEmpty)
        XCTAssertTrue(fame.allSatisfy { ($0["ap"] as? Double).map { (0...1).contains($0) } == true }, "\(fame)")
        // The user's MOS trains on the search's verification set: candidate.json names it.
        let evaluations = folder.appendingPathComponent("run/evaluations")
        let mos = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: evaluations.path).first { $0.hasPrefix("mos-") })
        let meta = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: evaluations.appendingPathComponent("\(mos)/candidate.json"))) as? [String: Any])
        let images = try XCTUnwrap(meta["verification_images"] as? [[String: Any]])
        XCTAssertFalse(images.isEmpty)
        XCTAssertTrue(images.allSatisfy { ($0["file"] as? String)?.hasSuffix(".png") == true && $0["id"] is Int }, "\(images)")
    }

    /// SIGKILL of the search while autoloss-torch-train runs, then --resume: every training runs
    /// once (the orphan's complete result.json is adopted, not trained again), and no process of
    /// the run is left when the resumed search ends.
    func testAKilledSearchResumesWithoutTrainingTwiceAndLeavesNoProcess() throws {
        let quiet = search("quiet")
        XCTAssertEqual(try CLI.run(quiet.arguments).status, 0)
        let killed = search("killed")
        let process = try CLI.start(killed.arguments)
        CLI.waitForFile(killed.log, seconds: 60)
        Thread.sleep(forTimeInterval: 1)  // inside the training
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let resumed = try CLI.run(["search", "--resume", folder.appendingPathComponent("killed").path])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        func trainings(_ log: String) throws -> [String] { try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init).sorted() }
        XCTAssertEqual(try trainings(killed.log), try trainings(quiet.log))
        XCTAssertEqual(Self.processes(mentioning: folder.appendingPathComponent("killed").path), [])
    }

    /// The command lines of running processes that contain `text`.
    static func processes(mentioning text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.compactMap { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return line.contains(text) ? line : nil
        }
    }
}
