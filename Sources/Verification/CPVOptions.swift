/// Every threshold and probe setting of validity, convergence property verification (CPV) and
/// the behavioural fingerprint, in one place (DESIGN.md, "Convergence property verification").
///
///     var options = CPVOptions()
///     options.spearmanMaximum = -0.95   // a stricter regression ranking
///     let report = Verifier(options: options).verify(expr, branch: .reg)
///
/// Probe settings change the probe batches, so they change fingerprints: fingerprints are only
/// comparable under equal options.
public struct CPVOptions: Sendable, Hashable {
    // MARK: Numerical tolerance

    /// Two losses values a and b count as equal when |a - b| <= tolerance * max(1, |a|, |b|):
    /// what separates a real rise of the loss from rounding noise.
    public var tolerance: Double = 1e-9

    // MARK: Validity

    /// The extreme logit of the validity probes (DESIGN.md: ±30).
    public var extremeLogit: Double = 30
    /// Box scales in pixels for every regression probe (DESIGN.md: 16, 128 and 800 px).
    public var boxScales: [Double] = [16, 128, 800]

    // MARK: Softmax branch

    /// The number of classes of the softmax probes, background (the last) included.
    public var classes: Int = 5
    /// The GT logit is swept over [-sweepLimit, sweepLimit] (DESIGN.md: [-10, 10]).
    public var sweepLimit: Double = 10
    /// Points per softmax sweep.
    public var softmaxSweepPoints: Int = 21
    /// Random vectors of the other logits, each swept for every IoU and for a background row.
    public var softmaxBaseVectors: Int = 3
    /// IoUs of the foreground sweeps (DESIGN.md: 0.1, 0.5, 0.9, 1); background rows use w = 1.
    public var softmaxIoUs: [Double] = [0.1, 0.5, 0.9, 1]
    /// The share of adjacent sweep steps (softmax and sigmoid) that must move the loss the right
    /// way, and of sweep points where the gradient must point the right way (DESIGN.md: 99 %).
    public var monotoneFraction: Double = 0.99
    /// "Clearly lower": the loss at the right end of a sweep must lie at least this much below
    /// the loss at the wrong end.
    public var minimumDrop: Double = 1e-3

    // MARK: Sigmoid branch

    /// Points of the sigmoid sweeps over [-sweepLimit, sweepLimit]; their spacing is the
    /// resolution at which the positives' minimiser x*(w) is located.
    public var sigmoidSweepPoints: Int = 81
    /// IoUs of the positive sweeps: the minimiser x*(w) must not decrease along them, and at
    /// w = 1 (the last) the loss must keep falling as x grows.
    public var sigmoidIoUs: [Double] = [0.1, 0.3, 0.5, 0.7, 0.9, 1]

    // MARK: Regression branch

    /// Spearman rho(loss, IoU) over the ranked box pairs must be at most this, at every scale.
    public var spearmanMaximum: Double = -0.9
    /// Box pairs per IoU bin (bins: exactly 0, then (0, 0.1], ..., (0.9, 1)) per GT box.
    public var pairsPerIoUBin: Int = 2
    /// GT boxes per scale in the ranking probe.
    public var groundTruthsPerScale: Int = 4
    /// Paths per scale moving a box from far away onto its GT, and points along each.
    public var pathsPerScale: Int = 8
    /// Points along each path.
    public var pathPoints: Int = 25
    /// The share of path steps along which the loss must not rise (DESIGN.md: 95 %).
    public var pathMonotoneFraction: Double = 0.95
    /// The share of non-overlapping pairs with a zero box gradient that raises a warning.
    public var zeroGradientWarningFraction: Double = 0.5

    // MARK: Fingerprint

    /// Significant digits the fingerprint keeps of every value and gradient.
    public var fingerprintDigits: Int = 6
    /// Magnitudes below this count as zero in the fingerprint (rounding noise of cancellations).
    public var fingerprintZeroFloor: Double = 1e-12
    /// Rows of the fingerprint probe (softmax rows; sigmoid elements; regression box pairs).
    public var fingerprintRows: Int = 32

    /// The seed of every probe batch.
    public var seed: UInt64 = 20_210_204

    /// The default thresholds (DESIGN.md, "Convergence property verification").
    public init() {}

    /// The equality threshold for two loss values (see `tolerance`).
    @inline(__always)
    func slack(_ a: Double, _ b: Double) -> Double {
        tolerance * Swift.max(1, Swift.abs(a), Swift.abs(b))
    }

    /// Says what is wrong with the settings, or nil when they can build probes.
    public var problem: String? {
        if classes < 2 { return "classes must be at least 2 (one foreground class and the background)" }
        if softmaxSweepPoints < 3 || sigmoidSweepPoints < 3 || pathPoints < 3 { return "sweeps and paths need at least 3 points" }
        if softmaxBaseVectors < 1 || pathsPerScale < 1 || groundTruthsPerScale < 1 || pairsPerIoUBin < 1 {
            return "probe counts must be at least 1"
        }
        if softmaxIoUs.isEmpty || sigmoidIoUs.isEmpty || boxScales.isEmpty { return "IoU and scale lists must not be empty" }
        if !(sweepLimit > 0) || !(extremeLogit > 0) { return "sweepLimit and extremeLogit must be positive" }
        if sigmoidIoUs.last != 1 { return "the last sigmoid IoU must be 1 (the convergence check uses it)" }
        if zip(sigmoidIoUs, sigmoidIoUs.dropFirst()).contains(where: { $0 >= $1 }) { return "sigmoidIoUs must increase" }
        if (sigmoidIoUs + softmaxIoUs).contains(where: { !($0 > 0 && $0 <= 1) }) { return "IoUs must lie in (0, 1]" }
        if boxScales.contains(where: { !($0 > 0 && $0.isFinite) }) { return "box scales must be positive" }
        if fingerprintDigits < 1 || fingerprintDigits > 15 { return "fingerprintDigits must be in 1...15" }
        if fingerprintRows < 1 { return "fingerprintRows must be at least 1" }
        return nil
    }
}
