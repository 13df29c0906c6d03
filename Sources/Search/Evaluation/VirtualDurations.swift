import Foundation
import LossLanguage

/// An evaluator whose trainings take the seconds a search on the proxy detector measured, on a
/// virtual clock (`--virtual-clock`): the simulation's results, each with its seconds drawn from
/// the measured distribution instead of the milliseconds it took. So the real scheduler can be
/// run at 1 to 256 workers in seconds and say how busy the workers were and when the best AP
/// came (bench/RESULTS.md, "A one-hour search on 4, 16 and 64 nodes": a MOS training about
/// 8.6 s, a proxy training about 146 s, 124-160 s seen, each Slurm job about 1 s more).
///
/// The draws are log-normal, a function of the candidate, stage and seed (a resumed or repeated
/// run draws the same); the real seconds the evaluator spent are summed, so that the search can
/// tell the scheduler's own share apart.
public final class VirtualDurations: CandidateEvaluator, @unchecked Sendable {
    /// Median seconds and the log-normal's sigma, per stage.
    public struct Model: Sendable, Equatable {
        /// A MOS training's: about 8.6 s, measured.
        public var mos: (median: Double, sigma: Double) = (8.6, 0.15)
        /// A whole proxy training's: about 146 s (124-160 s seen), measured.
        public var proxy: (median: Double, sigma: Double) = (146, 0.12)
        /// Added to each training: a Slurm job's start and end.
        public var overhead = 1.0

        /// The measured model.
        public init() {}

        /// Equal medians, sigmas and overheads.
        public static func == (a: Model, b: Model) -> Bool {
            a.mos == b.mos && a.proxy == b.proxy && a.overhead == b.overhead
        }
    }

    /// The evaluator whose results it times (the simulation).
    public let inner: any CandidateEvaluator
    /// The durations it draws from.
    public let model: Model
    private var computeSeconds = 0.0
    private let lock = NSLock()

    /// Times `inner`'s trainings by `model`.
    public init(_ inner: any CandidateEvaluator, model: Model = Model()) {
        self.inner = inner
        self.model = model
    }

    /// Real seconds the wrapped evaluator spent so far.
    public var realSeconds: Double {
        lock.lock()
        defer { lock.unlock() }
        return computeSeconds
    }

    public func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
        let start = DispatchTime.now().uptimeNanoseconds
        var result = inner.evaluate(request, context: context)
        let spent = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.lock()
        computeSeconds += spent
        lock.unlock()
        result.seconds = seconds(request) * result.cost
        return result
    }

    /// The seconds a training of `request` takes: drawn from its stage's log-normal by a
    /// generator seeded with its candidate, stage and seed.
    func seconds(_ request: EvaluationRequest) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(request.candidateKey)|\(request.stage.rawValue)|\(request.seed)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        var rng = SplitMix64(seed: hash)
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
        let z = (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
        let (median, sigma) = request.stage == .mos ? model.mos : model.proxy
        return median * Foundation.exp(sigma * z) + model.overhead
    }
}
