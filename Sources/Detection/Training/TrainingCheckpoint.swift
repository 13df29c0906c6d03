import Foundation
import LossLanguage
import TensorEngine

/// A proxy training's state at one of its rungs, written to a file so that a training stopped
/// after it (a search interrupted, a machine lost) continues from there instead of from the
/// start (issue 18: "checkpoints kept so that continuing costs nothing extra"): the weights,
/// SGD's momentum, the weights' moving average, the batch order's generator and place, the
/// loss curve and the rungs scored so far. Continuing gives the numbers, step for step, of a
/// training that was never stopped.
///
/// The file: a little-endian UInt64 length, a JSON header (everything but the tensors), then the
/// tensors' Float32 scalars one after another. `key` names the training (pair, schedule, seed,
/// images): a checkpoint of another training is not taken.
struct TrainingCheckpoint: Codable {
    struct Rung: Codable {
        var fraction: Double
        var step: Int
        var stats: [Double]
        var seconds: Double
    }

    var key: String
    var step: Int
    var order: UInt64
    var permutation: [Int]
    var cursor: Int
    var losses: [Float]
    var rungs: [Rung]
    /// Scalars per tensor, in the order written: parameters, velocities, then the average where kept.
    var counts: [Int]
    var hasAverage: Bool
    /// Not in the header: read from and written after it.
    var tensors: [[Float]] = []

    enum CodingKeys: String, CodingKey { case key, step, order, permutation, cursor, losses, rungs, counts, hasAverage }

    func write(to url: URL) throws {
        var data = Data()
        let header = try JSONEncoder().encode(self)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(header)
        for t in tensors { t.withUnsafeBytes { data.append(contentsOf: $0) } }
        try data.write(to: url, options: .atomic)
    }

    /// The checkpoint in `url` for the training `key`, or nil where there is none, it is another
    /// training's, or it cannot be read (the training then starts from the beginning).
    static func read(_ url: URL, key: String) -> TrainingCheckpoint? {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe), data.count >= 8 else { return nil }
        let length = Int(data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        guard length > 0, 8 + length <= data.count,
              var checkpoint = try? JSONDecoder().decode(TrainingCheckpoint.self, from: data.subdata(in: 8..<(8 + length))),
              checkpoint.key == key, 8 + length + checkpoint.counts.reduce(0, +) * 4 == data.count else { return nil }
        var offset = 8 + length
        checkpoint.tensors = checkpoint.counts.map { n in
            defer { offset += n * 4 }
            return data.subdata(in: offset..<(offset + n * 4)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        return checkpoint
    }
}
