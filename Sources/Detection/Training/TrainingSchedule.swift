import TensorEngine

/// How the proxy detector is trained: input size, batches, length, optimiser and learning-rate
/// schedule. The fixed presets (`TrainingSchedule+Presets.swift`) are what a search compares
/// candidates under; every field can be changed for a single training (`autoloss train`).
///
/// ```swift
/// var schedule = TrainingSchedule.preset(.proxy, isShapes: true)
/// schedule.epochs = 2
/// let iterations = schedule.iterations(trainImages: 800)   // ⌈2 · 800 / batch⌉
/// ```
///
/// The rate follows detectron2's recipe: linear warm-up from a third of the base rate, then ×0.1
/// at each of `decayFractions` of the run (FCOS: at 2/3 and 8/9 of its 90k iterations).
public struct TrainingSchedule: Hashable, Sendable {
    /// Side of the square input, a multiple of 32.
    public var size: Int
    /// Images per step.
    public var batchSize: Int
    /// Passes over the training images (fractions allowed: 0.5 is half of them, once).
    public var epochs: Double
    /// The base learning rate (SGD).
    public var learningRate: Float
    /// SGD's momentum.
    public var momentum: Float = 0.9
    /// SGD's weight decay.
    public var weightDecay: Float = 1e-4
    /// Warm-up iterations, at most a fifth of the run.
    public var warmupIterations = 200
    /// Where the rate drops ×0.1, as fractions of the run.
    public var decayFractions: [Double] = [2.0 / 3.0, 8.0 / 9.0]
    /// Largest global gradient norm (larger ones are scaled down to it).
    public var clipNorm: Float = 10
    /// λ, the regression loss's weight.
    public var regressionWeight: Float = 1
    /// Random horizontal flips during training.
    public var flip = true
    /// Training images: the number of scenes drawn for `shapes`; for a folder the first N of the
    /// training split (nil: all).
    public var trainImages: Int?
    /// Evaluation images: the number of validation scenes for `shapes`; for a folder the first
    /// N of the split scored (nil: all).
    public var evalImages: Int?
    /// Which images are scored after training: the validation split (generalisation, the proxy
    /// task) or the training images themselves (how well the loss optimises, MOS).
    public var evaluateOn: DataSplit = .val
    /// The distances' positive map (exp as in FCOS, or softplus).
    public var boxActivation: Activation.Function = .exp
    /// The sigmoid mode's focal-style alpha_t weighting: the positives' alpha (the negatives'
    /// is 1 - alpha); nil: none. 0.25 as in focal loss's paper, unless tuned (`tune-baseline`).
    public var focalAlpha: Float? = 0.25
    /// The seed of the initial weights; nil: the training seed. The presets fix it, so that every
    /// candidate of a search starts from the same weights (common random numbers: measured, the
    /// initial draw moved proxy AP by up to 2 points, for every loss alike, while the batch order
    /// and flips moved it by a few tenths), and the training seed varies order and flips.
    public var networkSeed: UInt64?
    /// Scores the exponential moving average of the weights instead of the last ones, with
    /// this decay per step (nil: the last weights). See `ProxyTrainer`.
    public var averageDecay: Float?
    /// The convolutions' number format: float32 (the presets), bfloat16 inputs with float32
    /// weights and outputs, or `auto`, bfloat16 where the processor has it (see `Precision`).
    public var precision: Precision = .fp32

    /// A schedule with the defaults above for everything else.
    public init(size: Int, batchSize: Int, epochs: Double, learningRate: Float) {
        self.size = size
        self.batchSize = batchSize
        self.epochs = epochs
        self.learningRate = learningRate
    }

    /// The number of steps for `trainImages` training images: ⌈epochs · images / batch⌉, at least 1.
    public func iterations(trainImages: Int) -> Int {
        max(1, Int((epochs * Double(trainImages) / Double(batchSize)).rounded(.up)))
    }

    /// The learning-rate schedule of a run of `iterations` steps.
    public func rateSchedule(iterations: Int) -> LearningRateSchedule {
        let milestones = decayFractions.map { Int(($0 * Double(iterations)).rounded()) }.filter { $0 > 0 && $0 < iterations }
        return LearningRateSchedule(baseRate: learningRate, warmupIterations: min(warmupIterations, iterations / 5),
                                    milestones: milestones.sorted())
    }

    /// The largest settings `validate` accepts: each far above any preset (128-256 px, batches
    /// of 6-16, 200-8000 images, 7-110 epochs), and low enough that memory and the step count
    /// stay bounded on bad input (an input size of 1048576 asked for terabytes).
    public enum Limits {
        /// The largest input side.
        public static let size = 2048
        /// The largest batch.
        public static let batch = 1024
        /// Input pixels a batch: 64 images of 256 px (8 times the presets' largest batch).
        public static let batchPixels = 64 * 256 * 256
        /// The most epochs.
        public static let epochs = 100_000.0
        /// The most images of a split.
        public static let images = 1_000_000
        /// The images held in memory (training and scored, at the input size).
        public static let heldBytes = 8 << 30
    }

    /// Says what is wrong with the settings, before anything is loaded.
    public func validate() throws {
        func bad(_ setting: TrainingSetting, _ value: Any, _ reason: String) -> TrainingError {
            .badSetting(setting, value: "\(value)", reason: reason)
        }
        let l = Self.Limits.self
        if size < 32 || size % 32 != 0 || size > l.size {
            throw bad(.size, size, "must be a positive multiple of 32 (the coarsest level's stride) and at most \(l.size), e.g. 256")
        }
        if batchSize < 1 { throw bad(.batch, batchSize, "the batch needs at least one image") }
        if batchSize > l.batch { throw bad(.batch, batchSize, "the batch takes at most \(l.batch) images") }
        if batchSize * size * size > l.batchPixels {
            throw bad(.batch, batchSize, "a batch of \(batchSize) images of \(size) px is above the limit of \(l.batchPixels) input pixels a batch (\(l.batchPixels / (size * size)) images at \(size) px)")
        }
        if !(epochs > 0) || !(epochs <= l.epochs) { throw bad(.epochs, epochs, "train for a positive number of epochs, at most \(Int(l.epochs))") }
        if !(learningRate > 0) || !learningRate.isFinite { throw bad(.learningRate, learningRate, "must be a positive number") }
        if let n = trainImages, n < 1 { throw bad(.trainImages, n, "train on at least one image") }
        if let n = trainImages, n > l.images { throw bad(.trainImages, n, "train on at most \(l.images) images") }
        if let n = evalImages, n < 1 { throw bad(.evalImages, n, "evaluate on at least one image") }
        if let n = evalImages, n > l.images { throw bad(.evalImages, n, "evaluate on at most \(l.images) images") }
        // The images are held in memory at the input size, 3 bytes a pixel.
        let held = ((trainImages ?? 0) + (evalImages ?? 0)) * size * size * 3
        if held > l.heldBytes {
            throw bad(.trainImages, trainImages ?? evalImages ?? 0, "\(trainImages ?? 0) training and \(evalImages ?? 0) scored images of \(size) px would take \(held >> 20) MB in memory, above the limit of \(l.heldBytes >> 20) MB")
        }
        if let d = averageDecay, !(d >= 0 && d < 1) { throw bad(.averageDecay, d, "must lie in [0, 1)") }
        if let a = focalAlpha, !(a >= 0 && a <= 1) { throw bad(.focalAlpha, a, "focal's alpha lies in [0, 1]") }
        if !regressionWeight.isFinite || regressionWeight > 1000 { throw bad(.regressionWeight, regressionWeight, "give a weight of at most 1000") }
        if !(clipNorm > 0) || !(regressionWeight >= 0) || momentum < 0 || weightDecay < 0 || warmupIterations < 0 {
            throw bad(.schedule, "", "clip norm must be positive; regression weight, momentum, weight decay and warm-up not negative")
        }
    }
}
