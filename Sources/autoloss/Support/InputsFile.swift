import Detection
import Foundation
import LossLanguage

/// The inputs JSON of `autoloss loss eval`, checked and turned into a batch, with the shapes
/// kept so that results print in the inputs' shapes.
struct InputsFile {
    let path: String
    let branch: Branch
    let batch: LossBatch<Double>
    /// For elementwise branches given as rows: the row length, to fold results back.
    let rowLength: Int?

    init(path: String, branch: Branch, needed: Set<Input>) throws {
        self.path = path
        self.branch = branch
        // Only a regular file, or standard input, and at most maxBytes of either (DataError).
        let data: Data
        if path == "-" {
            data = try BoundedFile.readStandardInput(role: "inputs file", maxBytes: Self.maxBytes)
        } else {
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no such file") }
            data = try BoundedFile.read(path, role: "inputs file", maxBytes: Self.maxBytes)
        }
        let top: Any
        do { top = try InputsJSON.parse(data) } catch let error as CLIError {
            throw CLIError("\(path): not valid JSON (\(error.message))")
        }
        guard let object = top as? [String: Any] else {
            throw CLIError("\(path): expected a JSON object with the inputs \(branch.inputs.map(\.name).joined(separator: ", "))")
        }
        for key in object.keys.sorted() where !branch.inputs.map(\.name).contains(key) {
            throw CLIError("\(path): unknown input '\(key)' (the \(branch.rawValue) branch's inputs: \(branch.inputs.map(\.name).joined(separator: ", ")))")
        }
        var parsed: [Input: Shaped] = [:]
        for v in branch.inputs {
            guard let raw = object[v.name] else {
                if needed.contains(v) { throw CLIError("\(path): missing input '\(v.name)', which the formula uses") }
                continue
            }
            parsed[v] = try Shaped(raw, name: v.name, path: path)
        }
        guard let first = branch.inputs.first(where: { parsed[$0] != nil }).map({ parsed[$0]! }) else {
            throw CLIError("\(path): no inputs given")
        }
        switch branch {
        case .softmax:
            var rows: Int?, classes: Int?
            for v in [Input.x, .y] {
                guard let s = parsed[v] else { continue }
                guard let width = s.rowLength else {
                    throw CLIError("\(path): '\(v.name)' must be rows of class scores, one array per sample")
                }
                if let c = classes, c != width {
                    throw CLIError("\(path): '\(v.name)' rows have \(width) classes, but 'x' and 'y' must match (\(c))")
                }
                if let r = rows, r != s.rows {
                    throw CLIError("\(path): '\(v.name)' has \(s.rows) rows, expected \(r)")
                }
                classes = width
                rows = s.rows
            }
            if let w = parsed[.w] {
                guard w.rowLength == nil else { throw CLIError("\(path): 'w' must be one number per row") }
                if let r = rows, r != w.values.count {
                    throw CLIError("\(path): 'w' has \(w.values.count) numbers, expected one per row (\(r))")
                }
                rows = rows ?? w.values.count
            }
            batch = LossBatch(rows: rows ?? 0, classes: classes ?? 1, inputs: parsed.mapValues(\.values))
            rowLength = nil
        case .sigmoid, .reg:
            for v in branch.inputs {
                guard let s = parsed[v] else { continue }
                if s.values.count != first.values.count || s.rowLength != first.rowLength {
                    throw CLIError("\(path): '\(v.name)' has shape \(s.shapeText), expected \(first.shapeText) like the other inputs")
                }
            }
            // Sigmoid rows are [N, C]: softmax acts over each; flat arrays are rows of one class.
            if branch == .sigmoid, let width = first.rowLength, width > 0 {
                batch = LossBatch(rows: first.rows, classes: width, inputs: parsed.mapValues(\.values))
            } else {
                batch = LossBatch(rows: first.values.count, classes: 1, inputs: parsed.mapValues(\.values))
            }
            rowLength = first.rowLength
        }
    }

    /// Values: one per row (softmax, reg), or the inputs' shape (sigmoid given as rows).
    func shapedValues(_ values: [Double]) -> JSON {
        if let width = rowLength, width > 0 { return Self.rows(values, width) }
        return JSON.numbers(values)
    }

    func shaped(_ gradient: [Double], like input: Input) -> JSON {
        if branch == .softmax && branch.type(of: input) == .vector { return Self.rows(gradient, batch.classes) }
        return shapedValues(gradient)
    }

    static func rows(_ flat: [Double], _ width: Int) -> JSON {
        .array(stride(from: 0, to: flat.count, by: width).map { JSON.numbers(Array(flat[$0..<min(flat.count, $0 + width)])) })
    }

    /// The largest inputs file read: 256 MB, some 20 million numbers.
    static let maxBytes = 256 << 20
}

/// A flat array of numbers, or equal-length rows of numbers.
struct Shaped {
    var values: [Double]
    var rows: Int
    var rowLength: Int?

    var shapeText: String { rowLength.map { "\(rows) x \($0)" } ?? "\(values.count)" }

    init(_ raw: Any, name: String, path: String) throws {
        guard let items = raw as? [Any] else {
            throw CLIError("\(path): '\(name)' must be an array of numbers or of rows of numbers")
        }
        if items.isEmpty {
            values = []
            rows = 0
            return
        }
        if items.allSatisfy({ $0 is [Any] }) {
            var flat: [Double] = []
            var width: Int?
            for (r, item) in items.enumerated() {
                let row = item as! [Any]
                if let w = width, w != row.count {
                    throw CLIError("\(path): '\(name)' row \(r) has \(row.count) numbers, expected \(w) like row 0")
                }
                width = row.count
                for (c, cell) in row.enumerated() {
                    flat.append(try Self.number(cell, "\(name)[\(r)][\(c)]", path))
                }
            }
            values = flat
            rows = items.count
            rowLength = width
        } else {
            values = try items.enumerated().map { try Self.number($1, "\(name)[\($0)]", path) }
            rows = values.count
        }
    }

    static func number(_ any: Any, _ place: String, _ path: String) throws -> Double {
        // Booleans read as 1 and 0, as in NumPy.
        if let n = any as? Double { return n }
        if let b = any as? Bool { return b ? 1 : 0 }
        throw CLIError("\(path): \(place) is not a number")
    }
}
