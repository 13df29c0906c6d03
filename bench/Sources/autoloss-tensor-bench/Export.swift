import Foundation
import TensorEngine

/// Writes named tensors for tensor_bench.py's parity check: `tensors.bin` holds every tensor's
/// float32 scalars (little-endian, row-major) back to back, `manifest.json` their names, shapes
/// and offsets (in scalars). Schema version 1.
struct TensorArchive {
    private var entries: [(name: String, tensor: Tensor)] = []

    mutating func add(_ name: String, _ tensor: Tensor) {
        entries.append((name, tensor))
    }

    func write(to directory: URL) throws {
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
        let json = try JSONSerialization.data(withJSONObject: ["schema": 1, "tensors": manifest], options: [.prettyPrinted, .sortedKeys])
        try json.write(to: directory.appendingPathComponent("manifest.json"))
    }
}
