import Foundation
import XCTest

/// Issue 16's findings, each through the built binary: hostile but fair input ends with exit 2
/// and one clear message naming the limit, never a signal; the numbers come out right.
final class HostileInputTests: XCTestCase {
    /// Exit 2, a message that contains `mentions`, and (for a signal would give 128+) nothing else.
    func assertRefused(_ arguments: [String], mentions: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(arguments)
        XCTAssertEqual(r.status, 2, "\(arguments.prefix(4)): \(r.stderr.prefix(300))", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(mentions), "\(arguments.prefix(4)): \(r.stderr.prefix(300))", file: file, line: line)
        XCTAssertLessThan(r.stderr.count, 1000, "a short message, not the formula", file: file, line: line)
    }

    func testLongChainsAreRefusedByEveryCommand() throws {
        // 'i+' x 25,000 + 'i' overflowed the stack in Expr.valueType (SIGSEGV).
        let chain = String(repeating: "i+", count: 25_000) + "i"
        try assertRefused(["loss", "show", chain, "--branch", "reg"], mentions: "more than 4096 nodes")
        try assertRefused(["verify", chain, "--branch", "reg"], mentions: "more than 4096 nodes")
        let inputs = try CLI.temporaryFile(#"{"i": [1], "u": [2], "e": [3]}"#)
        defer { try? FileManager.default.removeItem(at: inputs) }
        try assertRefused(["loss", "eval", chain, "--branch", "reg", "--inputs", inputs.path], mentions: "more than 4096 nodes")
        try assertRefused(["search", "--branch", "softmax", "--evaluator", "simulation", "--partner", chain], mentions: "more than 4096 nodes")
    }

    func testNumericFlagsAreBounded() throws {
        let cases: [([String], String)] = [
            (["search", "--branch", "reg", "--generations", "9223372036854775807"], "at most 100000"),
            (["search", "--branch", "reg", "--population", "100000000"], "at most 10000"),
            (["train", "--epochs", "1e18"], "at most 100000"),
            (["train", "--epochs", "1e300"], "at most 100000"),
            (["train", "--size", "1048576"], "at most 2048"),
            (["train", "--size", "9223372036854775776"], "at most 2048"),
            (["train", "--images", "100000000"], "at most 1000000"),
            (["train", "--eval-images", "100000000"], "at most 1000000"),
            (["train", "--batch", "100000000"], "at most 1024"),
            (["train", "--images", "1000000", "--size", "256"], "above the limit of 8192 MB"),
            (["data", "shapes", "--out", NSTemporaryDirectory() + "autoloss-never", "--train", "9223372036854775807"], "at most 1000000"),
            (["data", "shapes", "--out", NSTemporaryDirectory() + "autoloss-never", "--size", "4611686018427387904"], "at most 4096"),
        ]
        for (arguments, bound) in cases { try assertRefused(arguments, mentions: bound) }
    }

    /// A real JPEG whose frame header is changed to claim 65500 x 65500: refused from the header
    /// by every check, before a decode (which grew to 11 GB) or a training (a 12.9 GB allocation).
    func testAnImageBombIsRefusedFromItsHeader() throws {
        let coco = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path + "/../shared/data/coco128/images/train2017"
        guard let name = try FileManager.default.contentsOfDirectory(atPath: coco).sorted().first(where: { $0.hasSuffix(".jpg") }) else {
            return XCTFail("coco128 not found at \(coco)")
        }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: coco + "/" + name)))
        guard let sof = (0..<(bytes.count - 9)).first(where: { bytes[$0] == 0xFF && (bytes[$0 + 1] == 0xC0 || bytes[$0 + 1] == 0xC2) }) else {
            return XCTFail("no frame header in \(name)")
        }
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFF, 0xDC, 0xFF, 0xDC])  // 65500 x 65500
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-bomb-\(UUID().uuidString)").path
        for folder in ["images", "labels"] { try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/images/bomb.jpg"))
        try Data("0 0.5 0.5 0.1 0.1\n".utf8).write(to: URL(fileURLWithPath: root + "/labels/bomb.txt"))
        try Data("thing\n".utf8).write(to: URL(fileURLWithPath: root + "/classes.txt"))
        for check in ["header", "decode"] {
            try assertRefused(["data", "convert", "--yolo", root, "--names", root + "/classes.txt", "--out", root + "/gt.json", "--check", check],
                              mentions: "65500 x 65500 pixels, above the budget of 64000000 pixels")
        }
        try assertRefused(["train", "--data", root, "--epochs", "1"], mentions: "above the budget of 64000000 pixels")
        // The budget is a flag: a smaller one refuses the real image too.
        try assertRefused(["data", "convert", "--yolo", coco + "/../..", "--split", "train2017", "--names", coco + "/../../classes.txt",
                           "--out", root + "/gt.json", "--max-pixels", "1000"], mentions: "above the budget of 1000 pixels")
    }

    func testNumbersAreRight() throws {
        // CE at huge equal logits is log 2 (it was 0 at 1e16), its y gradient too; inputs read
        // correctly rounded (0.7609477375418205 was read as 0.7609477375418207).
        let ce = try CLI.temporaryFile(#"{"x": [[1e16, 1e16]], "y": [[1, 0]]}"#)
        let reg = try CLI.temporaryFile(#"{"i": [0.7609477375418205], "u": [1], "e": [2]}"#)
        defer { for f in [ce, reg] { try? FileManager.default.removeItem(at: f) } }
        let r = try CLI.run(["loss", "eval", "ce", "--branch", "softmax", "--inputs", ce.path])
        XCTAssertEqual(r.stdout, #"{"values": [0.6931471805599453], "gradients": {"x": [[-0.5, 0.5]], "y": [[0.6931471805599453, 0.6931471805599453]]}, "finite": true}"# + "\n", r.stderr)
        let i = try CLI.run(["loss", "eval", "i", "--branch", "reg", "--inputs", reg.path])
        XCTAssertTrue(i.stdout.hasPrefix(#"{"values": [0.7609477375418205]"#), i.stdout + i.stderr)
        // `--` ends the options; the formula after it is read as written.
        let verify = try CLI.run(["verify", "--branch", "reg", "--", "1 - i/u"])
        XCTAssertTrue(verify.stdout.hasPrefix("formula      1 - i / u\n"), verify.stdout + verify.stderr)
        let show = try CLI.run(["loss", "show", "--branch", "softmax", "--", "ce"])
        XCTAssertEqual(show.stdout, "-dot(y, log(softmax(x)))\n", show.stderr)
        XCTAssertEqual(try CLI.run(["loss", "show", "--branch", "reg", "--", "--", "i"]).stdout, "-(-i)\n", "a later -- is the formula's")
    }
}
