import LossLanguage

/// Label noise in the training split: wrong classes and misplaced box edges, as a hurried
/// annotator makes them, while the pixels stay those of the clean scene.
///
/// The noise is symmetric, as in the robust-loss literature (Zhang & Sabuncu 2018, "Generalized
/// Cross Entropy Loss for Training Deep Neural Networks with Noisy Labels"; Wang et al. 2019,
/// "Symmetric Cross Entropy for Robust Learning with Noisy Labels"): with probability
/// `labelNoise` an annotation's class is replaced by one of the other five, each equally likely.
/// Each of its four edges moves by `boxJitter` times the box's side (its width for the left and
/// right edges, its height for the top and bottom) times a standard normal draw, then is clipped
/// to the image. The validation split stays clean, so its AP measures what a loss learned despite
/// the noise, as those papers score on clean test labels.
///
/// The draws come from a stream of their own (the split's layout stream + 32, indexed by the
/// scene), so the layout and the pixels are the clean scene's; and every annotation takes the
/// same draws whatever the options (one uniform for whether its class changes, one for the new
/// class, four normals for the edges), so a scene's noise at 0.3 flips a subset of the labels it
/// flips at 0.4, and changing the jitter leaves the flipped labels as they were.
///
/// The normal is `SplitMix64.normal()`, a sum of four uniforms: unit variance and bounded by
/// 2√3, so an edge moves by at most 2√3 · `boxJitter` of the side. With `boxJitter` at most 0.14
/// (`Options.boxJitterRange`) the two edges of a side never cross (2 · 2√3 · 0.14 < 1), and a box
/// entirely inside the image keeps a positive width and height after clipping.
extension ShapesScenes.Options {
    /// The fractions of labels `labelNoise` may replace: above 5/6 a given wrong class of six
    /// would be as likely as the true one, and the labels would carry no class at all.
    public static let labelNoiseRange: ClosedRange<Double> = 0...0.8
    /// The jitter `boxJitter` may have: up to 0.14 the two edges of a side never cross.
    public static let boxJitterRange: ClosedRange<Double> = 0...0.14
    /// The share of training images `emptyTrainingShare` may empty: up to 0.95, so that at least
    /// one in twenty keeps its objects.
    public static let emptyTrainingShareRange: ClosedRange<Double> = 0...0.95
}

extension ShapesScenes {
    /// `annotations` of the training scene `index` (in drawing order) with the options' label
    /// noise and box jitter applied.
    func withLabelNoise(_ annotations: [Annotation], index: Int) -> [Annotation] {
        var rng = SplitMix64(seed: seed, stream: DataSplit.train.stream + 32, index: UInt64(index))
        let classes = ShapeKind.allCases.count, side = Double(imageSize)
        let jitter = options.boxJitter
        func clipped(_ v: Double) -> Double { min(max(v, 0), side) }
        return annotations.map { a in
            let flips = rng.unit() < options.labelNoise
            // One of the other classes: 1...classes without the true one, uniformly.
            let other = 1 + rng.below(classes - 1)
            let moves = (rng.normal(), rng.normal(), rng.normal(), rng.normal())
            var noisy = a
            if flips { noisy.categoryID = other >= a.categoryID ? other + 1 : other }
            // With no jitter the box keeps its exact numbers (x + w - x need not be w).
            if jitter > 0 {
                let b = a.box
                let x0 = clipped(b.x + jitter * b.width * moves.0), x1 = clipped(b.x + b.width + jitter * b.width * moves.1)
                let y0 = clipped(b.y + jitter * b.height * moves.2), y1 = clipped(b.y + b.height + jitter * b.height * moves.3)
                noisy = Annotation(id: a.id, categoryID: noisy.categoryID, box: Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0))
            }
            return noisy
        }
    }
}
