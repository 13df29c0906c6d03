import Detection
import Foundation
import TensorEngine
import XCTest

/// `autoloss train` as a user runs it: bad input refused before any training (exit 2, one line
/// saying what to change), and a tiny training's JSON result.
final class TrainCLITests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func train(_ arguments: [String], environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        guard let binary = CocoEvalCLITests.binary else {
            XCTFail("the autoloss binary was not found beside the tests: run `swift build` first (or set AUTOLOSS_BIN)", file: file, line: line)
            throw XCTSkip("no binary")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["train"] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-train-\(UUID().uuidString).out")
        let err = out.appendingPathExtension("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }

    func testBadInputExitsWithTwoAndSaysWhy() throws {
        let cases: [([String], String)] = [
            (["--cls", "nonsense"], "the softmax classification loss 'nonsense'"),
            (["--mode", "softmax", "--cls", "giou"], "has no softmax form"),
            (["--mode", "sigmoid", "--cls", "ce"], "has no sigmoid form"),
            (["--reg", "focal"], "the regression loss 'focal'"),
            (["--data", "/no/such/folder"], "/no/such/folder: no such dataset folder"),
            (["--size", "250"], "--size 250: must be a positive multiple of 32"),
            (["--batch", "0"], "--batch 0: the batch needs at least one image"),
            (["--lr", "0"], "--lr 0.0: must be a positive number"),
            (["--eval-images", "0"], "--eval-images 0: evaluate on at least one image"),
            (["--alpha", "2"], "--alpha 2.0: focal's alpha lies in [0, 1]"),
            (["--reg-weight", "2000"], "--reg-weight 2000.0: give a weight of at most 1000"),
            (["--average-decay", "1.5"], "--average-decay 1.5: must lie in [0, 1)"),
            (["--rungs", "0.5,0.25"], "--rungs 0.5,0.25: give ascending fractions"),
            (["--rungs", "0.5", "--rung-eval-images", "0"], "--rung-eval-images 0: score at least one image at a rung"),
            (["--images", "0"], "--images 0: train on at least one image"),
            (["--epochs", "0"], "--epochs 0.0: train for a positive number of epochs"),
            (["--out", "/no/such/folder/result.json"], "the folder /no/such/folder does not exist"),
            (["--mode", "both"], "--mode"),
            (["--mode", "reg"], "--mode reg: the classification head is softmax or sigmoid"),
            (["--init-seed", "first"], "--init-seed first: give a whole number"),
        ]
        for (arguments, message) in cases {
            let run = try train(arguments)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stdout, "", "\(arguments): nothing on stdout")
        }
    }

    /// A folder without a validation split is refused with the option that scores the training
    /// images instead.
    func testDatasetFolderWithoutValidationSplitNamesEvalOn() throws {
        let folder = try Fixtures.temporaryFolder(self)
        try ShapesScenes(seed: 3, imageSize: 64).export(to: folder, train: 2, val: 0)
        let run = try train(["--data", folder, "--size", "64", "--images", "2", "--epochs", "1", "--batch", "2"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("no validation split (images/val*): score on the training images with --eval-on train"), run.stderr)
    }

    func testDatasetFolderWithoutImagesIsRefused() throws {
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/images", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/labels", withIntermediateDirectories: true)
        try Fixtures.write("a\nb\n", to: folder + "/classes.txt")
        let run = try train(["--data", folder])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("no JPEG or PNG images"), run.stderr)
    }

    /// A few steps on tiny scenes: the twelve numbers on stdout, the JSON file with its fields.
    func testTinyTrainingWritesItsResult() throws {
        let out = try Fixtures.temporaryFolder(self) + "/result.json"
        let run = try train(["--data", "shapes", "--mode", "sigmoid", "--cls", "focal", "--reg", "giou", "--size", "64",
                             "--images", "4", "--eval-images", "4", "--epochs", "2", "--batch", "2", "--out", out, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 13, run.stdout)
        XCTAssertTrue(lines[0].hasPrefix(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = "), "\(lines[0])")
        XCTAssertTrue(lines[12].hasPrefix("trained 4 steps in "), "\(lines[12])")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        XCTAssertEqual(json["status"] as? String, "ok")
        XCTAssertEqual((json["stats"] as? [Double])?.count, 12)
        XCTAssertNotNil(json["seconds"] as? Double)
        XCTAssertGreaterThan(json["images_per_second"] as? Double ?? 0, 0)
        XCTAssertEqual(json["steps"] as? Int, 4)
        XCTAssertTrue(json["fit_stats"] is NSNull)
    }

    /// `autoloss train --data shapes:VARIANT` trains with the shapes presets (128 px, where a
    /// folder's are 256) and names the data by its canonical spec; a bad spec is exit 2.
    func testShapesVariantTrainsWithTheShapesPresets() throws {
        let out = try Fixtures.temporaryFolder(self) + "/result.json"
        let run = try train(["--data", "shapes:noisy,jitter=0.05", "--images", "4", "--eval-images", "4", "--epochs", "1", "--batch", "2", "--out", out])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("train: shapes:noisy,jitter=0.05, proxy schedule"), run.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        XCTAssertEqual(json["status"] as? String, "ok")
        XCTAssertEqual(json["data"] as? String, "shapes:noisy,jitter=0.05")
        XCTAssertEqual((json["schedule"] as? [String: Any])?["size"] as? Double, 128)

        let bad = try train(["--data", "shapes:noisy,ratio=200"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("shapes:noisy,ratio=200: 'ratio' is not a key of noisy (the keys of noisy: noise, jitter)"), bad.stderr)
        XCTAssertEqual(bad.stdout, "")
    }

    /// --precision: auto is bf16 where oneDNN runs bfloat16 natively and fp32 where it does not
    /// (ONEDNN_MAX_CPU_ISA lowers what it may use, as an older processor would); forcing bf16
    /// there is refused before any training, naming the processor's instruction set.
    func testPrecisionFollowsTheProcessor() throws {
        let tiny = ["--size", "64", "--images", "4", "--eval-images", "4", "--epochs", "1", "--batch", "2", "--quiet"]
        let older = ["ONEDNN_MAX_CPU_ISA": "AVX512_CORE"]
        let auto = try train(tiny + ["--precision", "auto"], environment: older)
        XCTAssertEqual(auto.status, 0, auto.stderr)
        XCTAssertTrue(auto.stdout.contains(" threads, fp32), ") || auto.stdout.contains(" thread, fp32), "), auto.stdout)
        let forced = try train(tiny + ["--precision", "bf16"], environment: older)
        XCTAssertEqual(forced.status, 2, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("--precision bf16: bfloat16 needs a processor with AVX512_BF16 or AMX, and this one has avx512_core"), forced.stderr)
        guard Precision.nativeBF16 else { throw XCTSkip("this processor has no native bfloat16: \(Precision.instructionSet)") }
        let native = try train(tiny + ["--precision", "auto"])
        XCTAssertEqual(native.status, 0, native.stderr)
        XCTAssertTrue(native.stdout.contains(", bf16), "), native.stdout)
    }

    /// --fit scores the training images too: a second block of twelve lines and `fit_stats`.
    func testFitAddsTheTrainingImagesScore() throws {
        let out = try Fixtures.temporaryFolder(self) + "/result.json"
        // A formula that starts with a minus is the option's value, not another option.
        let run = try train(["--data", "shapes", "--cls", "-dot(y, log(softmax(x)))", "--size", "64", "--images", "4",
                             "--eval-images", "4", "--epochs", "2", "--batch", "2", "--fit", "--out", out, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 26, run.stdout)
        XCTAssertEqual(lines[12], "on the 4 training images (the fit):")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        XCTAssertEqual((json["fit_stats"] as? [Double])?.count, 12)
    }

    func testDivergedTrainingExitsWithOne() throws {
        let out = try Fixtures.temporaryFolder(self) + "/result.json"
        let run = try train(["--mode", "sigmoid", "--cls", "sqrt(x)", "--size", "64", "--images", "2", "--eval-images", "2",
                             "--epochs", "1", "--batch", "2", "--out", out, "--quiet"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(run.stdout, "diverged: step 0: the classification loss or its gradient is not finite\n")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        XCTAssertEqual(json["status"] as? String, "diverged")
        XCTAssertEqual((json["stats"] as? [Double])?.count, 0)
    }
}
