import Foundation
import XCTest

/// Issue 38's second hostile-user audit (bench/RESULTS.md, "Second audit"), through the built
/// binary: output paths that are devices, links or empty, a run store with a value of the wrong
/// type, a candidate.json with an impossible schema.
final class SecondAuditTests: XCTestCase {
    var folders: [String] = []
    override func tearDown() { for f in folders { try? FileManager.default.removeItem(atPath: f) } }

    func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-audit2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        folders.append(path)
        return path
    }

    func assertRefused(_ r: CLIResult, status: Int32, mentions: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, "\(what): \(r.stderr.prefix(400))", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(mentions), "\(what): '\(mentions)' not in: \(r.stderr.prefix(400))", file: file, line: line)
    }

    /// A small simulation search's run folder (under a second).
    func simulationRun() throws -> String {
        let run = try temporaryFolder() + "/run"
        let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "simulation", "--generations", "1", "--population", "4",
                             "--top-k", "2", "--top-p", "1", "--out", run])
        XCTAssertEqual(r.status, 0, r.stderr)
        return run
    }

    /// `--out /dev/full` (or /dev/null, /dev/stdout) is written into, as `>` would: the atomic
    /// write's rename put a regular file in the device's place (as root, /dev/full itself was
    /// replaced) and said nothing, exit 0. Now a full device is a full disk: exit 3, the node
    /// stays. A link is written through, not replaced.
    func testAnOutputThatIsADeviceOrALinkIsWrittenIntoNotReplaced() throws {
        let root = try temporaryFolder()
        let device = root + "/full"
        guard mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 7)) == 0 else { throw XCTSkip("mknod needs root") }
        let run = try simulationRun()
        try Data("a\n".utf8).write(to: URL(fileURLWithPath: root + "/classes.txt"))
        let commands: [(String, [String])] = [
            ("export", ["export", "giou", "--branch", "reg", "--out", device]),
            ("report --html", ["report", run, "--html", "--out", device]),
            ("data convert", ["data", "convert", "--yolo", try yoloFolder(), "--names", root + "/classes.txt", "--out", device]),
        ]
        for (what, arguments) in commands {
            let r = try CLI.run(arguments)
            assertRefused(r, status: 3, mentions: "No space left on device", what)
            var info = stat()
            XCTAssertEqual(lstat(device, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "\(what): the device was replaced by a file")
        }
        let target = root + "/target.py", link = root + "/link.py"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        XCTAssertEqual(try CLI.run(["export", "giou", "--branch", "reg", "--out", link]).status, 0)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), target, "the link was replaced")
        XCTAssertTrue(try String(contentsOfFile: target, encoding: .utf8).contains("import torch"))
    }

    /// A YOLO folder of one background image, and its class names.
    func yoloFolder() throws -> String {
        let root = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/labels", withIntermediateDirectories: true)
        let r = try CLI.run(["data", "shapes", "--out", root + "/shapes", "--train", "1", "--val", "0", "--size", "16"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let image = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: root + "/shapes/images/train").first)
        try FileManager.default.copyItem(atPath: root + "/shapes/images/train/" + image, toPath: root + "/images/a.png")
        return root
    }

    /// An empty path: `data shapes --out ''` wrote its scenes into the root folder (/images,
    /// /annotations, /classes.txt) and said "wrote :", exit 0; export and report failed as the
    /// environment's (exit 3, "/here: Is a directory"); search said "/here exists".
    func testAnEmptyOutputPathIsBadInput() throws {
        let run = try simulationRun()
        let cases: [(String, [String], String)] = [
            ("data shapes", ["data", "shapes", "--out", "", "--train", "1", "--val", "0", "--size", "16"], "--out '': give the folder"),
            ("export", ["export", "giou", "--branch", "reg", "--out", ""], "--out '': give the file"),
            ("report --html", ["report", run, "--html", "--out", ""], "--out '': give the file"),
            ("search", ["search", "--branch", "reg", "--evaluator", "simulation", "--out", ""], "--out '': give the run folder"),
            ("search --resume", ["search", "--resume", ""], "--resume '': give the run folder"),
        ]
        for (what, arguments, message) in cases { assertRefused(try CLI.run(arguments), status: 2, mentions: message, what) }
    }

    /// `data shapes --out FILE`: exit 3 ("A file with the same name already exists", as if the
    /// disk had failed); it is the user's path to fix: exit 2, saying so.
    func testShapesIntoAFileIsBadInput() throws {
        let file = try temporaryFolder() + "/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["data", "shapes", "--out", file, "--train", "1", "--val", "0", "--size", "16"])
        assertRefused(r, status: 2, mentions: "is a file, not a folder", "data shapes --out FILE")
    }

    /// A simulation run whose store `sql` damaged: each of `commands` (RUN stands for the run)
    /// ends with exit 3 and one line that mentions `mentions`.
    func assertDamagedStoreIsCorrupt(_ sql: String, mentions: String, commands: [[String]]) throws {
        let sqlite = "/usr/bin/sqlite3"
        guard FileManager.default.isExecutableFile(atPath: sqlite) else { throw XCTSkip("no sqlite3 to edit the store") }
        let run = try simulationRun()
        let edit = try CLI.run(URL(fileURLWithPath: sqlite), [run + "/run.sqlite", sql])
        XCTAssertEqual(edit.status, 0, edit.stderr)
        for command in commands {
            let arguments = command.map { $0 == "RUN" ? run : $0 }
            let r = try CLI.run(arguments)
            assertRefused(r, status: 3, mentions: mentions, arguments.joined(separator: " "))
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }

    /// A run store whose REAL column holds text (edited by hand, or damaged): `report` stopped on
    /// GRDB's `try!` (signal 4, a backtrace, exit 132). Now a corrupt store: exit 3, the column.
    func testAWronglyTypedValueInTheRunStoreIsACorruptStore() throws {
        try assertDamagedStoreIsCorrupt("UPDATE stages SET seconds = 'NaN'", mentions: "column 'seconds' holds a value of the wrong type",
                                        commands: [["report", "RUN"], ["report", "RUN", "--json"], ["search", "--resume", "RUN"]])
    }

    /// A meta value stored as bytes that are not text: opening the store stopped the program
    /// (GRDB's subscript, as above). Now a corrupt store.
    func testAMetaValueOfTheWrongTypeIsACorruptStore() throws {
        try assertDamagedStoreIsCorrupt("UPDATE meta SET value = x'80ff' WHERE key = 'tool'", mentions: "column 'value' holds a value of the wrong type",
                                        commands: [["report", "RUN"], ["search", "--resume", "RUN"]])
    }

    /// A stored result whose JSON does not read was taken as no result (a `try?`): `report`
    /// showed the training as never run, and a resume trained it again. Now a corrupt store.
    func testAStoredResultThatDoesNotReadIsACorruptStore() throws {
        try assertDamagedStoreIsCorrupt(#"UPDATE stages SET result = '{"status": 7' WHERE result IS NOT NULL"#,
                                        mentions: "column 'result' holds a value that does not read",
                                        commands: [["report", "RUN"], ["search", "--resume", "RUN"]])
    }

    /// run.sqlite deleted while the search runs (here by the evaluator's command, during the
    /// baseline's first training): SQLite wrote on into the deleted file and the search ended
    /// with exit 0 and no store (the first audit's item 15). Now exit 3, naming the store.
    func testARunStoreDeletedDuringTheSearchIsAnError() throws {
        let run = try temporaryFolder() + "/run"
        let command = #"echo '{"status": "ok", "ap": 0.4}' > {dir}/result.json; rm -f {dir}/../../run.sqlite"#
        let r = try CLI.run(["search", "--branch", "reg", "--evaluator", "external", "--command", command, "--generations", "1",
                             "--population", "2", "--top-k", "1", "--top-p", "1", "--out", run])
        assertRefused(r, status: 3, mentions: "run.sqlite: the run store was removed or replaced while the search ran", "search")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/run.sqlite"))
    }

    /// candidate.json with schema -1 was refused as "newer than this autoloss reads".
    func testAnImpossibleCandidateSchemaIsNotCalledNewer() throws {
        let folder = try temporaryFolder()
        try Data(#"{"schema": -1}"#.utf8).write(to: URL(fileURLWithPath: folder + "/candidate.json"))
        let r = try CLI.run(["evaluate", folder])
        assertRefused(r, status: 2, mentions: "its schema -1 is not one any autoloss wrote", "evaluate, schema -1")
        XCTAssertFalse(r.stderr.contains("newer"), r.stderr)
    }
}
