import Foundation
import XCTest

/// Issue 38, item 12: the exit codes of output that cannot be written, against the README's
/// table ("Exit codes"): a full disk is the environment's failure (3), not bad input (2); a
/// reader that leaves (`search | head`, Ctrl-C on `search | tee`) ends nothing early: the run
/// finishes its files and exits with the status it had, not by SIGPIPE (141).
final class OutputFailureTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-output-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// Runs the binary with `stdout` as its standard output; its exit status (128 + the signal
    /// where a signal ended it, as a shell says) and what it wrote on stderr.
    func run(_ arguments: [String], stdout: FileHandle) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.standardOutput = stdout
        let err = Pipe()
        process.standardError = err
        try process.run()
        let said = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (status, String(decoding: said, as: UTF8.self))
    }

    /// A pipe whose reader has left: every write to it fails (EPIPE, or SIGPIPE unless ignored).
    func closedPipe() throws -> Pipe {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        return pipe
    }

    /// A tmpfs of 64 KB, filled to the last byte (root only: skipped elsewhere).
    func fullDisk() throws -> String {
        guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
        let mount = folder.appendingPathComponent("full").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = try CLI.run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount])
        guard mounted.status == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(mounted.stderr)") }
        addTeardownBlock { _ = try? CLI.run(URL(fileURLWithPath: "/bin/umount"), [mount]) }
        let filler = try CLI.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "dd if=/dev/zero of=\(mount)/filler bs=4k 2>/dev/null; echo x > \(mount)/probe"])
        XCTAssertNotEqual(filler.status, 0, "the disk is full: \(filler.stderr)")
        return mount
    }

    /// A YOLO folder of two shapes scenes, one label file each.
    func yoloFolder() throws -> String {
        let root = folder.appendingPathComponent("yolo").path
        let shapes = try CLI.run(["data", "shapes", "--out", root + "/shapes", "--train", "2", "--val", "0", "--size", "32"])
        XCTAssertEqual(shapes.status, 0, shapes.stderr)
        for sub in ["images", "labels"] { try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true) }
        for stem in ["000001", "000002"] {
            try FileManager.default.copyItem(atPath: root + "/shapes/images/train/\(stem).png", toPath: root + "/images/\(stem).png")
            try Data("0 0.5 0.5 0.2 0.2\n".utf8).write(to: URL(fileURLWithPath: root + "/labels/\(stem).txt"))
        }
        return root
    }

    func testAFullDiskIsAnEnvironmentFailure() throws {
        let yolo = try yoloFolder()
        let convert = ["data", "convert", "--yolo", yolo, "--names", yolo + "/shapes/classes.txt"]
        let full = try fullDisk()
        let cases: [[String]] = [
            ["export", "-dot(y, log(softmax(x)))", "--branch", "softmax", "--out", full + "/loss.py"],
            ["export", "-dot(y, log(softmax(x)))", "--branch", "softmax", "--format", "mmdet", "--out", full + "/module.py"],
            ["data", "shapes", "--out", full + "/shapes", "--train", "2", "--val", "1", "--size", "64"],
            convert + ["--out", full + "/gt.json"],
        ]
        for arguments in cases {
            let r = try CLI.run(arguments)
            XCTAssertEqual(r.status, 3, "\(arguments.prefix(2)): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("error: \(full)/"), "names the file: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(": cannot write: ") && r.stderr.contains("space"), "says why: \(r.stderr)")
        }
    }

    /// Standard output on a full device (/dev/full): what the command printed is lost, so exit 3,
    /// not 0 with nothing written.
    func testAFullStandardOutputIsAnEnvironmentFailure() throws {
        let yolo = try yoloFolder()
        let full = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        for arguments in [["export", "-dot(y, log(softmax(x)))", "--branch", "softmax"], ["loss", "show", "giou", "--branch", "reg"],
                          ["data", "convert", "--yolo", yolo, "--names", yolo + "/shapes/classes.txt", "--out", "-"]] {
            let r = try run(arguments, stdout: full)
            XCTAssertEqual(r.status, 3, "\(arguments.prefix(2)): \(r.stderr)")
            // The cause where the last write says it (an earlier one's error is not kept).
            XCTAssertTrue(r.stderr.hasPrefix("error: standard output: cannot write: "), r.stderr)
        }
    }

    /// `autoloss export ... | head -0`, `data convert --out - | head -c 10`: the reader left;
    /// the command ends as it would have, quietly.
    func testAReaderThatLeavesIsNotAnError() throws {
        let yolo = try yoloFolder()
        for arguments in [["export", "-dot(y, log(softmax(x)))", "--branch", "softmax"],
                          ["data", "convert", "--yolo", yolo, "--names", yolo + "/shapes/classes.txt", "--out", "-"]] {
            let r = try run(arguments, stdout: try closedPipe().fileHandleForWriting)
            XCTAssertEqual(r.status, 0, "\(arguments.prefix(2)): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("error"), r.stderr)
        }
    }

    func search(_ out: String) -> [String] {
        ["search", "--branch", "reg", "--generations", "2", "--population", "4", "--top-k", "1", "--seed", "2",
         "--command", #"sleep 0.2; n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 90 + 10))}" > result.json"#,
         "--out", out]
    }

    /// `search | head -0`: the search runs to its end and writes its files (the hall of fame,
    /// the log's last line), exit 0, as with a reader that stays.
    func testASearchWhoseReaderLeftFinishesItsRun() throws {
        let quiet = folder.appendingPathComponent("quiet").path
        XCTAssertEqual(try CLI.run(search(quiet)).status, 0)
        let out = folder.appendingPathComponent("headless").path
        let r = try run(search(out), stdout: try closedPipe().fileHandleForWriting)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try String(contentsOfFile: out + "/hall-of-fame.json", encoding: .utf8),
                       try String(contentsOfFile: quiet + "/hall-of-fame.json", encoding: .utf8))
        XCTAssertTrue(try String(contentsOfFile: out + "/search.log", encoding: .utf8).contains("gen 2/2"), "logged to its end")
    }

    /// Ctrl-C on `search | tee`: the terminal's SIGINT ends tee and stops the search, which
    /// then prints its hall of fame into a closed pipe: it still writes it to its folder and
    /// exits 130, not 141.
    func testCtrlCOnASearchWhoseReaderLeftStopsItCleanly() throws {
        let out = folder.appendingPathComponent("teed").path
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = search(out)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A training has started (the signal handlers are in place well before): tee leaves.
        var seen = ""
        while !seen.contains("] started "), case let more = pipe.fileHandleForReading.availableData, !more.isEmpty {
            seen += String(decoding: more, as: UTF8.self)
        }
        try pipe.fileHandleForReading.close()
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        XCTAssertEqual(status, 130)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/hall-of-fame.json"), "the run's files were finished")
    }
}
