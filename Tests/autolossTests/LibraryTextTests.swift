import Foundation
import XCTest

/// The libraries word their errors and messages without the command line's options (issue 33):
/// they name a setting by a type (`SearchSetting`, `TrainingSetting`) and in words, and the
/// command line says its option (`Flags`). Every string literal of every library source file is
/// read; none may hold an option (`--size`), but sbatch's own arguments (SlurmJob*.swift).
final class LibraryTextTests: XCTestCase {
    static let libraries = ["LossLanguage", "Verification", "Detection", "Search", "Report", "Export"]
    /// Files whose strings are another program's arguments: sbatch's `--parsable`, `--wrap`.
    static let exempt: Set<String> = ["SlurmJob.swift", "SlurmJob+Array.swift"]
    static let option = "--[a-z]"

    private let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    func testNoLibraryStringNamesAnOption() throws {
        var found: [String] = []
        var files = 0
        for library in Self.libraries {
            let folder = sources.appendingPathComponent(library)
            let enumerator = try XCTUnwrap(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil), folder.path)
            for case let url as URL in enumerator where url.pathExtension == "swift" && !Self.exempt.contains(url.lastPathComponent) {
                files += 1
                let relative = url.path.dropFirst(sources.path.count + 1)
                for literal in SwiftStrings.literals(in: try String(contentsOf: url, encoding: .utf8))
                where literal.text.range(of: Self.option, options: .regularExpression) != nil {
                    found.append("\(relative):\(literal.line): \"\(literal.text)\"")
                }
            }
        }
        XCTAssertGreaterThan(files, 100, "the libraries' sources were not found under \(sources.path)")
        XCTAssertTrue(found.isEmpty, "\(found.count) library strings name a command-line option (word them, and let the CLI name the option):\n"
                      + found.joined(separator: "\n"))
    }

    /// The scan finds an option in a string literal of each kind, and none in comments or code.
    func testTheScanFindsOptionsInStringsOnly() {
        let source = ##"""
        // "--size" in a comment
        /* "--batch" /* nested */ "--lr" */
        let a = "no option -- here", b = x--y
        let c = "\(list.map { "--nested" }.joined()) then \(y)"
        let d = "in words, \(value) --out after an interpolation"
        let e = #"raw "--raw" \(z)"#
        let f = """
            multi-line "quoted" \
            --line
            """
        let g = "escaped \"--quoted\""
        """##
        let hits = SwiftStrings.literals(in: source).filter { $0.text.range(of: Self.option, options: .regularExpression) != nil }
        XCTAssertEqual(hits.map(\.line), [4, 5, 6, 7, 11])
        XCTAssertEqual(hits.map(\.text), ["--nested", "in words, (…) --out after an interpolation", #"raw "--raw" \(z)"#,
                                          "\n    multi-line \"quoted\"     --line\n    ", "escaped \"--quoted\""])
    }
}

/// The string literals of Swift source: their text (an interpolation as "(…)", the strings
/// inside it as literals of their own) and the line each starts on; comments skipped.
enum SwiftStrings {
    struct Literal: Equatable {
        var line: Int
        var text: String
    }

    /// An open string, or the code of an interpolation (`depth`: its open parentheses).
    private struct Frame {
        var isString: Bool
        var text = ""
        var line = 0
        var hashes = 0
        var multiline = false
        var depth = 0
    }

    static func literals(in source: String) -> [Literal] {
        let c = Array(source.unicodeScalars)
        func at(_ k: Int) -> Unicode.Scalar? { k < c.count ? c[k] : nil }
        func starts(_ s: String, _ k: Int) -> Bool { s.unicodeScalars.enumerated().allSatisfy { at(k + $0.offset) == $0.element } }
        func hashes(_ n: Int, _ k: Int) -> Bool { (0..<n).allSatisfy { at(k + $0) == "#" } }
        var found: [Literal] = []
        var stack = [Frame(isString: false)]
        var i = 0, line = 1
        while i < c.count {
            let ch = c[i]
            var top = stack[stack.count - 1]
            if !top.isString {
                if ch == "\n" { line += 1; i += 1; continue }
                if starts("//", i) {
                    while i < c.count && c[i] != "\n" { i += 1 }
                    continue
                }
                if starts("/*", i) {
                    var nesting = 0
                    repeat {
                        if starts("/*", i) { nesting += 1; i += 2 } else if starts("*/", i) { nesting -= 1; i += 2 } else {
                            if c[i] == "\n" { line += 1 }
                            i += 1
                        }
                    } while nesting > 0 && i < c.count
                    continue
                }
                var k = i
                while at(k) == "#" { k += 1 }
                if at(k) == "\"" {
                    let multiline = starts("\"\"\"", k)
                    stack.append(Frame(isString: true, line: line, hashes: k - i, multiline: multiline))
                    i = k + (multiline ? 3 : 1)
                    continue
                }
                if top.depth > 0 && ch == "(" { top.depth += 1 }
                if top.depth > 0 && ch == ")" { top.depth -= 1 }
                if top.depth == 0 && stack.count > 1 {
                    stack.removeLast()  // the interpolation's closing parenthesis
                } else {
                    stack[stack.count - 1] = top
                }
                i = max(i + 1, k)
                continue
            }
            // In a string: an escape (a backslash and the string's hashes), its end, or its text.
            if ch == "\\" && hashes(top.hashes, i + 1) {
                let k = i + 1 + top.hashes
                if at(k) == "(" {
                    top.text += "(…)"
                    stack[stack.count - 1] = top
                    stack.append(Frame(isString: false, depth: 1))
                } else if let escaped = at(k) {
                    if escaped == "\n" { line += 1 } else { top.text.unicodeScalars.append(escaped == "n" ? "\n" : escaped) }
                    stack[stack.count - 1] = top
                }
                i = k + 1
                continue
            }
            let close = top.multiline ? "\"\"\"" : "\""
            if starts(close, i) && hashes(top.hashes, i + close.unicodeScalars.count) {
                found.append(Literal(line: top.line, text: top.text))
                stack.removeLast()
                i += close.unicodeScalars.count + top.hashes
                continue
            }
            if ch == "\n" { line += 1 }
            top.text.unicodeScalars.append(ch)
            stack[stack.count - 1] = top
            i += 1
        }
        return found
    }
}
