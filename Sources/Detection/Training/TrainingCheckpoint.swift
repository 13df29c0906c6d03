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
    var key: String
    var step: Int
    var order: UInt64
    var permutation: [Int]
    var cursor: Int
    var losses: [Float]
    var rungs: [RungResult]
    /// Scalars per tensor, in the order written: parameters, velocities, then the average where kept.
    var counts: [Int]
    /// Not in the header: read from and written after it.
    var tensors: [[Float]] = []

    enum CodingKeys: String, CodingKey { case key, step, order, permutation, cursor, losses, rungs, counts }

    /// The state of a training after `step`: `parameters`' values, `sgd`'s momentum, `average`.
    init(key: String, step: Int, order: SplitMix64, permutation: [Int], cursor: Int, losses: [Float], rungs: [RungResult],
         parameters: [Parameter], sgd: SGD, average: [Tensor]?) {
        (self.key, self.step, self.order, self.permutation, self.cursor) = (key, step, order.currentState, permutation, cursor)
        (self.losses, self.rungs) = (losses, rungs)
        tensors = parameters.map(\.value.scalars) + parameters.indices.map { sgd.velocity(of: $0).scalars } + (average ?? []).map(\.scalars)
        counts = tensors.map(\.count)
    }

    /// Puts the weights, the momentum and the average back; false (nothing changed) where the
    /// tensors are not those of `parameters` (and of an average where one is kept).
    func restore(_ parameters: [Parameter], sgd: SGD, average: inout [Tensor]?) -> Bool {
        let n = parameters.count
        guard tensors.count == n * (average == nil ? 2 : 3),
              parameters.indices.allSatisfy({ k in (0..<(tensors.count / n)).allSatisfy { tensors[$0 * n + k].count == parameters[k].count } })
        else { return false }
        for (k, p) in parameters.enumerated() {
            p.value = Tensor(shape: p.value.shape, scalars: tensors[k])
            sgd.setVelocity(Tensor(shape: p.value.shape, scalars: tensors[n + k]), of: k)
            if average != nil { average![k] = Tensor(shape: p.value.shape, scalars: tensors[2 * n + k]) }
        }
        return true
    }

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
