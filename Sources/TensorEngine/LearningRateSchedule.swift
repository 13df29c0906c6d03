/// Linear warm-up followed by step decay, detectron2's `WarmupMultiStepLR` (the FCOS recipe:
/// warm-up over the first 500 iterations from a third of the rate, then ×0.1 at two milestones).
///
///     rate(t) = base · w(t) · γ^(number of milestones ≤ t)
///     w(t) = f + (1 - f)·t / T  for t < T (T warm-up iterations, f the starting factor), else 1
///
/// Warm-up keeps the first, large, gradients of a freshly initialised detector from throwing
/// its weights far away; the decays settle it.
///
/// ```swift
/// let schedule = LearningRateSchedule(baseRate: 0.01, warmupIterations: 500, milestones: [6000, 8000])
/// schedule.rate(at: 0)      // 0.00333
/// schedule.rate(at: 7000)   // 0.001
/// ```
public struct LearningRateSchedule: Sendable, Equatable {
    public var baseRate: Float
    public var warmupIterations: Int
    /// f: the fraction of the base rate at iteration 0.
    public var warmupFactor: Float
    /// Iterations at which the rate is multiplied by `decayFactor`, ascending.
    public var milestones: [Int]
    /// γ.
    public var decayFactor: Float

    public init(baseRate: Float, warmupIterations: Int = 0, warmupFactor: Float = 1.0 / 3.0,
                milestones: [Int] = [], decayFactor: Float = 0.1) {
        precondition(warmupIterations >= 0, "LearningRateSchedule: negative warm-up")
        precondition(milestones == milestones.sorted(), "LearningRateSchedule: milestones must ascend, got \(milestones)")
        self.baseRate = baseRate
        self.warmupIterations = warmupIterations
        self.warmupFactor = warmupFactor
        self.milestones = milestones
        self.decayFactor = decayFactor
    }

    /// The rate for iteration `iteration` (counting from 0).
    public func rate(at iteration: Int) -> Float {
        var factor: Float = 1
        if iteration < warmupIterations {
            let alpha = Float(iteration) / Float(warmupIterations)
            factor = warmupFactor * (1 - alpha) + alpha
        }
        let decays = milestones.filter { $0 <= iteration }.count
        var decay: Float = 1
        for _ in 0..<decays { decay *= decayFactor }
        return baseRate * factor * decay
    }
}
