import Foundation

/// The class names of a YOLO dataset: name k belongs to class id k.
///
/// Read from a text file with one name a line (`classes.txt`, `coco.names`), or from the `names:`
/// entry of an Ultralytics `data.yaml`, in either of its forms:
/// ```yaml
/// names: [person, bicycle, car]      # a list, inline or as "- name" lines
/// names:
///   0: person                        # a map from id to name; ids must be 0, 1, 2, ...
///   1: bicycle
/// ```
public struct ClassNames: Hashable, Sendable {
    /// The class names, in class-index order.
    public var names: [String]
    /// Where the names came from, for error messages.
    public var source: String

    /// Names read from `source` (named in error messages).
    public init(_ names: [String], source: String = "<class names>") {
        self.names = names
        self.source = source
    }

    /// Reads a names file; `.yaml` / `.yml` files are read as data.yaml, all else as one name a
    /// line. Throws `DataError` for a missing file, an empty name in the middle, or no names.
    public init(contentsOfFile path: String) throws {
        let data = try _FileIO.read(path, role: "class names file", maxBytes: _FileIO.maxNamesFileBytes)
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.badNames(file: path, line: 0, reason: "not UTF-8 text")
        }
        source = path
        let lower = path.lowercased()
        names = lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")
            ? try Self.parseYAML(text, path: path)
            : try Self.parseLines(text, path: path)
        if names.isEmpty { throw DataError.badNames(file: path, line: 0, reason: "no class names in the file") }
    }

    /// The categories of a dataset with these classes, under a numbering of the ids.
    public func categories(numbering: CategoryNumbering) throws -> [Category] {
        if numbering == .coco91 && names.count != CategoryNumbering.coco80To91.count {
            throw DataError.badNames(file: source, line: 0, reason: "coco91 numbering needs the 80 COCO classes, found \(names.count)")
        }
        return names.indices.map { Category(id: numbering.id(forClass: $0), name: names[$0]) }
    }

    static func parseLines(_ text: String, path: String) throws -> [String] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if let blank = lines.firstIndex(of: "") {
            throw DataError.badNames(file: path, line: blank + 1, reason: "empty class name (a blank line would shift every later class id)")
        }
        return lines
    }

    static func parseYAML(_ text: String, path: String) throws -> [String] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("names:") }) else {
            throw DataError.badNames(file: path, line: 0, reason: "no \"names:\" entry")
        }
        let rest = lines[start].dropFirst("names:".count).trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("[") {
            guard rest.hasSuffix("]") else {
                throw DataError.badNames(file: path, line: start + 1, reason: "an inline list must end on the same line with ]")
            }
            return rest.dropFirst().dropLast().split(separator: ",").map { unquote(String($0)) }.filter { !$0.isEmpty }
        }
        var names: [String] = []
        for k in (start + 1)..<lines.count {
            let line = lines[k]
            let body = line.trimmingCharacters(in: .whitespaces)
            if body.isEmpty || body.hasPrefix("#") { continue }
            guard line.first == " " || line.first == "\t" else { break }
            if body.hasPrefix("- ") {
                names.append(unquote(String(body.dropFirst(2))))
            } else if let colon = body.firstIndex(of: ":"), let id = Int(body[..<colon].trimmingCharacters(in: .whitespaces)) {
                guard id == names.count else {
                    throw DataError.badNames(file: path, line: k + 1, reason: "class id \(id) where \(names.count) was expected (ids must run 0, 1, 2, ...)")
                }
                names.append(unquote(String(body[body.index(after: colon)...])))
            } else {
                throw DataError.badNames(file: path, line: k + 1, reason: "expected \"ID: name\" or \"- name\"")
            }
        }
        return names
    }

    private static func unquote(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespaces)
        if let hash = s.range(of: " #") { s = String(s[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces) }
        if s.count >= 2, let first = s.first, first == s.last, first == "'" || first == "\"" {
            s = String(s.dropFirst().dropLast())
        }
        return s
    }
}

/// How YOLO class indices (0, 1, 2, ...) become COCO category ids.
public enum CategoryNumbering: String, Hashable, Sendable, CaseIterable {
    /// id = index + 1: COCO files count categories from 1, and some tools take 0 for background.
    case oneBased = "one-based"
    /// id = index.
    case zeroBased = "zero-based"
    /// The 80 COCO classes in YOLO order mapped to COCO's own ids (1-90, with gaps), so that a
    /// converted coco128 or COCO subset lines up with the original `instances_*.json`.
    case coco91 = "coco91"

    /// The category id of class `index` (for `.coco91`, `index` must be below 80).
    public func id(forClass index: Int) -> Int {
        switch self {
        case .oneBased: return index + 1
        case .zeroBased: return index
        case .coco91: return Self.coco80To91[index]
        }
    }

    /// COCO's category ids of the 80 classes in the order of the YOLO/Darknet class list.
    static let coco80To91: [Int] = [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32,
        33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58,
        59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88,
        89, 90,
    ]
}
