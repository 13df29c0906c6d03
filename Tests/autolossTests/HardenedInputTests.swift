import Detection
import Foundation
import LossLanguage
import Search
import XCTest

/// Issue 38, items 1, 10, 11 and 15, through the built binary: files that are not files, endless
/// input, unusable class names and the messages of formulas, paths and numbers.
final class HardenedInputTests: XCTestCase {
    /// Runs the binary under a 4 GB address-space limit and a time limit, so that a reader that
    /// has lost its bound fails the test instead of taking the machine's memory or hanging.
    /// `stdin`: a file to read standard input from (nil: empty).
    func runBounded(_ arguments: [String], stdin: String? = nil, seconds: Double = 60) throws -> CLIResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 4194304; exec \"$0\" \"$@\"", CLI.binary.path] + arguments
        let out = try temporaryFolder() + "/out", err = out + ".err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = stdin.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTFail("\(arguments.prefix(6)) still ran after \(Int(seconds)) s")
        }
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    func assertRefused(_ r: CLIResult, mentions: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 2, "\(what): \(r.stderr.prefix(400))", file: file, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "\(what): '\(m)' not in: \(r.stderr.prefix(400))", file: file, line: line) }
        // One line; a formula's error adds the formula and a caret under the place.
        XCTAssertEqual(r.stderr.split(separator: "\n").count, r.stderr.hasPrefix("error: formula error") ? 3 : 1,
                       "\(what): one line: \(r.stderr.prefix(400))", file: file, line: line)
    }

    var folders: [String] = []
    override func tearDown() { for f in folders { try? FileManager.default.removeItem(atPath: f) } }

    func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-hardened-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        folders.append(path)
        return path
    }

    /// A COCO ground truth of one image and one box, and a detections file for it.
    func cocoFiles() throws -> (gt: String, dt: String) {
        let root = try temporaryFolder()
        let gt = root + "/gt.json", dt = root + "/dt.json"
        try Data(#"{"images": [{"id": 1, "width": 10, "height": 10}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "iscrowd": 0}]}"#.utf8)
            .write(to: URL(fileURLWithPath: gt))
        try Data(#"[{"image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "score": 0.9}]"#.utf8).write(to: URL(fileURLWithPath: dt))
        return (gt, dt)
    }

    /// A YOLO folder of two shapes images with a label each, and its classes file.
    func yoloFolder() throws -> (root: String, names: String) {
        let root = try temporaryFolder()
        let shapes = try CLI.run(["data", "shapes", "--out", root + "/shapes", "--train", "2", "--val", "0", "--size", "32"])
        XCTAssertEqual(shapes.status, 0, shapes.stderr)
        for folder in ["images", "labels"] { try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true) }
        for stem in ["000001", "000002"] {
            try FileManager.default.copyItem(atPath: root + "/shapes/images/train/\(stem).png", toPath: root + "/images/\(stem).png")
            try Data("0 0.5 0.5 0.2 0.2\n".utf8).write(to: URL(fileURLWithPath: root + "/labels/\(stem).txt"))
        }
        return (root, root + "/shapes/classes.txt")
    }

    // MARK: item 1: every reader of a user's file refuses what is not a file, and is bounded

    func testDevicesFifosAndFoldersAreRefusedWhereAFileIsExpected() throws {
        let (gt, dt) = try cocoFiles()
        let fifo = try temporaryFolder() + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let zero = try temporaryFolder() + "/zero.json"
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        assertRefused(try runBounded(["coco-eval", "--gt", gt, "--dt", "/dev/zero"]), mentions: ["/dev/zero: is a character device"], "dt /dev/zero")
        assertRefused(try runBounded(["coco-eval", "--gt", "/dev/zero", "--dt", dt]), mentions: ["/dev/zero: is a character device"], "gt /dev/zero")
        assertRefused(try runBounded(["coco-eval", "--gt", gt, "--dt", zero]), mentions: ["\(zero): is a character device"], "a link to /dev/zero")
        assertRefused(try runBounded(["coco-eval", "--gt", gt, "--dt", fifo], seconds: 20), mentions: ["\(fifo): is a FIFO"], "a FIFO")
        let inputs = ["loss", "eval", "i", "--branch", "reg", "--inputs"]
        assertRefused(try runBounded(inputs + ["/dev/zero"]), mentions: ["/dev/zero: is a character device"], "loss eval /dev/zero")
        assertRefused(try runBounded(inputs + [fifo], seconds: 20), mentions: ["\(fifo): is a FIFO"], "loss eval FIFO")
        // Still read: a regular file through a symbolic link.
        let link = try temporaryFolder() + "/dt.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dt)
        XCTAssertEqual(try runBounded(["coco-eval", "--gt", gt, "--dt", link]).status, 0)
    }

    func testEndlessOrLargeInputStopsAtItsCap() throws {
        let (gt, dt) = try cocoFiles()
        // Standard input that never ends: read up to the cap, then refused.
        assertRefused(try runBounded(["coco-eval", "--gt", gt, "--dt", "-", "--max-mb", "1"], stdin: "/dev/zero"),
                      mentions: ["standard input: larger than 1 MB, the limit of a COCO JSON file"], "endless stdin")
        assertRefused(try runBounded(["loss", "eval", "i", "--branch", "reg", "--inputs", "-"], stdin: "/dev/zero"),
                      mentions: ["standard input: larger than 256 MB, the limit of an inputs file"], "endless stdin of loss eval")
        // A regular file past the cap is refused by its size, before it is read.
        var big = Data("[".utf8) + Data(repeating: 0x20, count: 2 << 20)
        big += Data("]".utf8)
        let large = try temporaryFolder() + "/large.json"
        try big.write(to: URL(fileURLWithPath: large))
        assertRefused(try runBounded(["coco-eval", "--gt", gt, "--dt", large, "--max-mb", "1"]),
                      mentions: ["\(large): larger than 1 MB, the limit of a COCO JSON file"], "a large file")
        XCTAssertEqual(try runBounded(["coco-eval", "--gt", gt, "--dt", large, "--max-mb", "3"]).status, 0, "under the cap")
        XCTAssertEqual(try runBounded(["coco-eval", "--gt", gt, "--dt", "-"], stdin: dt).status, 0, "a file on standard input")
        let zero = try runBounded(["coco-eval", "--gt", gt, "--dt", dt, "--max-mb", "0"])
        XCTAssertEqual(zero.status, 2)
        XCTAssertTrue(zero.stderr.hasPrefix("Error: --max-mb must be from 1 to 1048576 (got 0)\n"), zero.stderr)
    }

    func testAnImageThatIsALinkToADeviceIsABadImage() throws {
        let (root, names) = try yoloFolder()
        try FileManager.default.removeItem(atPath: root + "/images/000002.png")
        try FileManager.default.createSymbolicLink(atPath: root + "/images/000002.png", withDestinationPath: "/dev/zero")
        for check in ["header", "decode"] {
            let arguments = ["data", "convert", "--yolo", root, "--names", names, "--out", root + "/gt.json", "--check", check]
            assertRefused(try runBounded(arguments), mentions: ["\(root)/images/000002.png: is a character device"], check)
            let skipped = try runBounded(arguments + ["--on-error", "skip"])
            XCTAssertEqual(skipped.status, 0, skipped.stderr)
            XCTAssertTrue(skipped.stdout.contains("1 images, 1 annotations"), skipped.stdout)
        }
    }

    /// The files of a candidate folder: candidate.json, and result.json that the user's command
    /// writes, are read as every user file is.
    func testACandidateFolderWhoseFilesAreNotFilesIsRefused() throws {
        let root = try temporaryFolder()
        let dir = CandidateFolder(URL(fileURLWithPath: root + "/candidate"))
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax, regression: try Expr.resolve("giou", branch: .reg))
        try dir.write(EvaluationRequest(pair: pair, searched: .reg, stage: .mos, seed: 3, generation: 0, slot: 0,
                                        setup: EvaluationSetup(evaluator: .external(command: "ln -s /dev/zero result.json"))))
        let evaluated = try runBounded(["evaluate", dir.url.path])
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
        let result = try String(contentsOf: dir.resultFile, encoding: .utf8)
        XCTAssertTrue(result.contains(#""status":"failed""#) && result.contains("result.json: is a character device"), result)
        try FileManager.default.removeItem(at: dir.requestFile)
        try FileManager.default.createSymbolicLink(atPath: dir.requestFile.path, withDestinationPath: "/dev/zero")
        assertRefused(try runBounded(["evaluate", dir.url.path]), mentions: ["candidate.json: is a character device"], "candidate.json")
    }

    /// check-evaluator shows the end of what the command wrote: only of regular files, and only
    /// their last 64 KB.
    func testCheckEvaluatorShowsTheEndsOfRegularFilesOnly() throws {
        let out = try temporaryFolder()
        let r = try runBounded(["check-evaluator", "--command", "cd {dir} && ln -s /dev/zero result.json", "--stage", "mos", "--out", out])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stdout.contains("FAILED: ") && r.stdout.contains("result.json: is a character device"), r.stdout)
    }

    // MARK: item 10: a label file that is not a file is a bad label file

    func testALabelFileThatIsADanglingLinkOrAFolderIsBad() throws {
        let (root, names) = try yoloFolder()
        let label = root + "/labels/000002.txt"
        let arguments = ["data", "convert", "--yolo", root, "--names", names, "--out", root + "/gt.json"]
        for (make, kind) in [({ try FileManager.default.createSymbolicLink(atPath: label, withDestinationPath: root + "/nowhere.txt") }, "is a dangling symbolic link"),
                             ({ try FileManager.default.createDirectory(atPath: label, withIntermediateDirectories: false) }, "is a folder")] {
            try FileManager.default.removeItem(atPath: label)
            try make()
            assertRefused(try runBounded(arguments), mentions: ["\(label): \(kind)"], kind)
            let skipped = try runBounded(arguments + ["--on-error", "skip"])
            XCTAssertEqual(skipped.status, 0, skipped.stderr)
            XCTAssertTrue(skipped.stderr.hasPrefix("warning: skipped: \(label): \(kind)"), skipped.stderr)
            XCTAssertTrue(skipped.stdout.contains("1 images, 1 annotations"), skipped.stdout)
        }
    }

    // MARK: item 11: the mmdet module's class name

    func testMMDetClassNameThatPythonCannotTakeIsRefused() throws {
        for name in ["class", "None", "def", "lambda", "True", "torch", "math", "loss", "super", "weight_reduce_loss"] {
            let r = try CLI.run(["export", "giou", "--branch", "reg", "--format", "mmdet", "--name", name])
            assertRefused(r, mentions: ["--name", "'\(name)'"], name)
            XCTAssertEqual(r.stdout, "", name)
        }
        let keyword = try CLI.run(["export", "giou", "--branch", "reg", "--format", "mmdet", "--name", "class"])
        XCTAssertTrue(keyword.stderr.contains("a Python keyword"), keyword.stderr)
        let shadow = try CLI.run(["export", "giou", "--branch", "reg", "--format", "mmdet", "--name", "torch"])
        XCTAssertTrue(shadow.stderr.contains("the module's"), shadow.stderr)
        XCTAssertEqual(try CLI.run(["export", "giou", "--branch", "reg", "--format", "mmdet", "--name", "Torch"]).status, 0)
    }

    // MARK: item 15: messages

    func testKnownLossesComposeInFormulasAndBuiltinsSaySo() throws {
        let composed = try CLI.run(["loss", "show", "3 * giou", "--branch", "reg"])
        XCTAssertEqual(composed.stdout, "3 * (1 - i / u + (e - u) / e)\n", composed.stderr)
        XCTAssertEqual(try CLI.run(["loss", "show", "ce + focal", "--branch", "softmax"]).status, 0)
        let other = try CLI.run(["loss", "show", "ce + giou", "--branch", "softmax"])
        assertRefused(other, mentions: ["the known loss 'giou' has no softmax form"], "ce + giou")
        for (formula, name) in [("2 * diou", "diou"), ("ciou", "ciou"), ("l1 + giou", "l1"), ("smooth-l1 - 1", "smooth-l1")] {
            assertRefused(try CLI.run(["loss", "show", formula, "--branch", "reg"]),
                          mentions: ["'\(name)' is a built-in regression loss of the detector"], formula)
        }
        let verify = try CLI.run(["verify", "smooth-l1", "--branch", "reg"])
        assertRefused(verify, mentions: ["'smooth-l1' is a built-in regression loss of the detector, not a formula"], "verify smooth-l1")
    }

    func testWrongCasingIsNamedAndControlBytesAreEscaped() throws {
        let casing = try CLI.run(["loss", "show", "nEG(Dot(Y,Log(Softmax(X))))", "--branch", "softmax"])
        XCTAssertEqual(casing.status, 2)
        XCTAssertTrue(casing.stderr.contains("'nEG'") && casing.stderr.contains("Neg("), casing.stderr)
        XCTAssertFalse(casing.stderr.contains("'Y'"), casing.stderr)
        let escape = try CLI.run(["loss", "show", "x\u{1B}[31m+y\u{7}", "--branch", "softmax"])
        XCTAssertEqual(escape.status, 2)
        XCTAssertFalse(escape.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, escape.stderr.debugDescription)
        XCTAssertTrue(escape.stderr.contains("\\u{1B}"), escape.stderr)
        // The caret stays under the escaped character.
        let lines = escape.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, escape.stderr)
        if lines.count == 3, let caret = lines[2].firstIndex(of: "^") {
            let column = lines[2].distance(from: lines[2].startIndex, to: caret)
            XCTAssertEqual(String(Array(lines[1])[column...].prefix(6)), "\\u{1B}", escape.stderr)
        }
    }

    func testOutAtAFolderSaysSo() throws {
        let folder = try temporaryFolder()
        let export = try CLI.run(["export", "giou", "--branch", "reg", "--out", folder])
        assertRefused(export, mentions: ["\(folder): is a folder"], "export --out")
        let (root, names) = try yoloFolder()
        let convert = try CLI.run(["data", "convert", "--yolo", root, "--names", names, "--out", folder])
        assertRefused(convert, mentions: ["\(folder): is a folder"], "data convert --out")
        let train = try CLI.run(["train", "--epochs", "0.01", "--out", folder])
        assertRefused(train, mentions: ["\(folder): is a folder"], "train --out")
        // report's page, where the write itself fails: named by the one place errors are mapped.
        let run = try temporaryFolder() + "/run"
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/schema1-reg-run", toPath: run)
        assertRefused(try CLI.run(["report", run, "--html", "--out", folder]), mentions: ["\(folder): is a folder"], "report --out")
    }

    func testNegativeNumbersAreReadAsNumbers() throws {
        assertRefused(try CLI.run(["train", "--lr", "-1"]), mentions: ["--lr -1.0: must be a positive number"], "train --lr -1")
        assertRefused(try CLI.run(["train", "--epochs", "-2.5"]), mentions: ["--epochs"], "train --epochs -2.5")
        assertRefused(try CLI.run(["search", "--branch", "reg", "--generations", "-3"]), mentions: ["--generations -3: must be at least 1"], "search")
        // A formula that starts with a minus is still a formula.
        XCTAssertEqual(try CLI.run(["loss", "show", "--branch", "reg", "-1"]).stdout, "-1\n")
    }

    func testAnEmptyRunStoreIsNamedAndLeftAlone() throws {
        let run = try temporaryFolder()
        XCTAssertTrue(FileManager.default.createFile(atPath: run + "/run.sqlite", contents: Data()))
        for arguments in [["search", "--resume", run], ["report", run]] {
            let r = try CLI.run(arguments)
            assertRefused(r, mentions: ["\(run)/run.sqlite", "is empty (0 bytes)"], arguments[0])
            XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: run + "/run.sqlite")[.size] as? Int), 0, arguments[0])
            XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/run.sqlite-wal"), arguments[0])
        }
    }
}
