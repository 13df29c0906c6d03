import Foundation
import XCTest

/// Paths and scratch folders shared by the data tests.
enum Fixtures {
    /// The repository root (this file is Tests/DetectionTests/_Fixtures.swift).
    static let repoRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// coco128 lives beside the repository, never inside it (../shared/data/coco128).
    static let coco128 = repoRoot + "/../shared/data/coco128"

    /// Fails the test with a message that says where coco128 was looked for.
    static func requireCoco128(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard FileManager.default.fileExists(atPath: coco128 + "/classes.txt") else {
            XCTFail("coco128 not found at \(coco128): the tests expect ../shared/data/coco128 beside the repository", file: file, line: line)
            throw XCTSkip("coco128 missing")
        }
        return coco128
    }

    /// A fresh empty folder, removed when the test ends.
    static func temporaryFolder(_ test: XCTestCase) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func copy(_ source: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: path)
    }
}
