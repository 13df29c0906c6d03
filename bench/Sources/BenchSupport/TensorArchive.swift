import Foundation
import TensorEngine

/// Named tensors written for a Python parity check (bench/_archive.py's `load_archive` reads
/// them): `tensors.bin` holds every tensor's float32 scalars (little-endian, row-major) back to
/// back, `manifest.json` their names, shapes and offsets (in scalars), and, where one is given,
/// the network's configuration. Schema version 1.
///
/// ```swift
/// var archive = TensorArchive()
/// archive.add("input", x)
/// try archive.write(to: URL(fileURLWithPath: directory))
/// ```
public struct TensorArchive {
    private var entries: [(name: String, tensor: Tensor)] = []

    public init() {}

    public mutating func add(_ name: String, _ tensor: Tensor) {
        entries.append((name, tensor))
    }

    /// Writes `tensors.bin` and `manifest.json` into `directory` (created if missing); the
    /// manifest has a `configuration` key only when `configuration` is given.
    public func write(to directory: URL, configuration: [String: Any]? = nil) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var data = Data()
        var manifest: [[String: Any]] = []
        var offset = 0
        for (name, tensor) in entries {
            tensor.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
            manifest.append(["name": name, "shape": tensor.shape, "offset": offset])
            offset += tensor.count
        }
        try data.write(to: directory.appendingPathComponent("tensors.bin"))
        var root: [String: Any] = ["schema": 1, "tensors": manifest]
        if let configuration { root["configuration"] = configuration }
        let json = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: directory.appendingPathComponent("manifest.json"))
    }
}
