import LossLanguage
import Foundation

/// The built-in synthetic detection data: scenes of flat-coloured shapes (six classes, see
/// `ShapeKind`) on gradient backgrounds, with clutter that is not an object (thin strokes, soft
/// blobs) and pixel noise. Unlimited, needs no files, and deterministic: scene i of a split is a
/// pure function of (seed, split, i), so any scene can be generated alone, in any order, on any
/// thread.
///
/// ```swift
/// let scenes = ShapesScenes(seed: 7, imageSize: 256)
/// let (image, record) = scenes.scene(0, split: .train)
/// let val = scenes.dataset(split: .val, count: 500)   // boxes only, no pixels drawn
/// ```
///
/// What makes it a proxy worth training on (DESIGN.md, "Data"): long-tailed class frequencies
/// (the default weights fall as 1 / (k + 1)^1.3: about 49 % rectangles, 5 % diamonds), object
/// sizes log-uniform from `minObjectSize` (6 px) to half the image, so small, medium and large
/// all occur; objects may overlap (a later one may cover up to `maxOcclusion` of an earlier
/// one's box); distractors a detector must learn to ignore. Its task variants (heavy class
/// imbalance, label noise, small crowded objects) are options too: `ShapesScenes.Variant`.
///
/// Reproducibility: bit for bit on one platform and Swift version; across platforms, only the
/// sizes' `pow` may differ in the last bit.
public struct ShapesScenes: Hashable, Sendable {
    /// The seed every scene is drawn from.
    public var seed: UInt64
    /// Width and height of every image, in pixels.
    public var imageSize: Int
    /// What the scenes hold: classes, counts, sizes, clutter, noise, label noise.
    public var options: Options

    /// The scenes' contents; the defaults are the built-in proxy's (task variants change them).
    public struct Options: Hashable, Sendable {
        /// Relative frequency of each class, indexed by `ShapeKind.rawValue`.
        public var classWeights: [Double] = ShapeKind.allCases.map { 1 / pow(Double($0.rawValue + 1), 1.3) }
        /// Objects per image, drawn uniformly.
        public var objectsPerImage: ClosedRange<Int> = 1...8
        /// The smallest box side, in pixels.
        public var minObjectSize: Double = 6
        /// The largest box side, as a fraction of the image size.
        public var maxObjectFraction: Double = 0.5
        /// The largest fraction of an earlier object's box that a later object may cover.
        public var maxOcclusion: Double = 0.4
        /// Distractor strokes (1-2 px polylines) and soft blobs per image.
        public var strokesPerImage: ClosedRange<Int> = 2...6
        /// Soft blobs per image (clutter that is not an object).
        public var blobsPerImage: ClosedRange<Int> = 1...4
        /// Standard deviation of the per-pixel noise, in 8-bit levels.
        public var noise: Double = 6
        /// The fraction of the training split's class labels replaced by another class, drawn
        /// uniformly among the others (symmetric label noise); the validation split stays clean.
        /// 0: none. See `ShapesScenes+LabelNoise.swift`.
        public var labelNoise: Double = 0
        /// The standard deviation of the move of each box edge of the training split, as a
        /// fraction of the box's side; 0: none. See `ShapesScenes+LabelNoise.swift`.
        public var boxJitter: Double = 0
        /// The share of the training split's images drawn without their objects (background
        /// images: their strokes, blobs and noise stay); 0: none. The validation split keeps its
        /// objects. Which images is drawn from a stream of its own (the layout stream + 33), so
        /// that the other images are the scenes they would be without it.
        public var emptyTrainingShare: Double = 0

        /// The default scenes.
        public init() {}
    }

    /// Scenes of `imageSize` px from `seed`.
    public init(seed: UInt64 = 0, imageSize: Int = 256, options: Options = Options()) {
        precondition(imageSize >= 16, "shapes scenes need images of at least 16 px")
        precondition(options.classWeights.count == ShapeKind.allCases.count && options.classWeights.allSatisfy { $0 >= 0 }
                     && options.classWeights.contains { $0 > 0 }, "one non-negative class weight per ShapeKind, not all zero")
        precondition(options.minObjectSize > 0 && options.minObjectSize <= Double(imageSize)
                     && options.maxObjectFraction > 0 && options.maxObjectFraction <= 1, "object sizes must fit the image")
        precondition([options.objectsPerImage, options.strokesPerImage, options.blobsPerImage].allSatisfy { $0.lowerBound >= 0 },
                     "counts per image must not be negative")
        precondition(Options.labelNoiseRange.contains(options.labelNoise) && Options.boxJitterRange.contains(options.boxJitter),
                     "label noise from 0 to \(Options.labelNoiseRange.upperBound), box jitter from 0 to \(Options.boxJitterRange.upperBound)")
        precondition(Options.emptyTrainingShareRange.contains(options.emptyTrainingShare),
                     "the empty training share from 0 to \(Options.emptyTrainingShareRange.upperBound)")
        self.seed = seed
        self.imageSize = imageSize
        self.options = options
    }

    /// The categories: id = `ShapeKind.rawValue + 1`.
    public static let categories: [Category] = ShapeKind.allCases.map { Category(id: $0.rawValue + 1, name: $0.name) }

    /// Scene `index` (from 0) of a split: its pixels and its record (image id `index + 1`, file
    /// name `NNNNNN.png`, annotation ids 1, 2, ... within the image).
    public func scene(_ index: Int, split: DataSplit = .train) -> (image: RGBImage, record: ImageRecord) {
        let layout = layout(index, split: split)
        return (render(layout, index: index, split: split), record(layout, index: index, split: split))
    }

    /// The first `count` records of a split as a dataset, without drawing any pixels; annotation
    /// ids run through the whole dataset.
    public func dataset(split: DataSplit, count: Int) -> DetectionDataset {
        var images: [ImageRecord] = []
        var next = 1
        for index in 0..<count {
            var r = record(layout(index, split: split), index: index, split: split)
            for k in r.annotations.indices {
                r.annotations[k].id = next
                next += 1
            }
            images.append(r)
        }
        return DetectionDataset(images: images, categories: Self.categories)
    }

    /// The file name of scene `index` (from 0) in an exported folder.
    public static func fileName(_ index: Int) -> String {
        let digits = String(index + 1)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".png"
    }

    /// The scene's annotations: the drawn objects, with the label noise and box jitter of the
    /// options in the training split.
    func record(_ layout: _SceneLayout, index: Int, split: DataSplit) -> ImageRecord {
        var annotations = layout.objects.enumerated().map { k, o in
            Annotation(id: k + 1, categoryID: o.kind.rawValue + 1, box: o.box)
        }
        if split == .train && (options.labelNoise > 0 || options.boxJitter > 0) {
            annotations = withLabelNoise(annotations, index: index)
        }
        return ImageRecord(id: index + 1, fileName: Self.fileName(index), width: imageSize, height: imageSize, annotations: annotations)
    }

    /// Everything random about a scene except the pixel noise.
    func layout(_ index: Int, split: DataSplit) -> _SceneLayout {
        var rng = SplitMix64(seed: seed, stream: split.stream, index: UInt64(index))
        let s = Double(imageSize)
        var layout = _SceneLayout(
            top: _SceneLayout.randomColor(&rng), bottom: _SceneLayout.randomColor(&rng),
            direction: { let a = rng.uniform(0, 2 * Double.pi); return SIMD2(cos(a), sin(a)) }())
        func count(_ range: ClosedRange<Int>) -> Int { range.lowerBound + rng.below(range.count) }

        for _ in 0..<count(options.strokesPerImage) {
            let points = (0..<(2 + rng.below(3))).map { _ in SIMD2(rng.uniform(0, s), rng.uniform(0, s)) }
            layout.strokes.append(.init(points: points, thickness: rng.uniform(1, 2), color: _SceneLayout.randomColor(&rng), onTop: rng.below(2) == 0))
        }
        for _ in 0..<count(options.blobsPerImage) {
            layout.blobs.append(.init(center: SIMD2(rng.uniform(0, s), rng.uniform(0, s)), sigma: rng.uniform(3, s / 12 + 3),
                                      strength: rng.uniform(0.3, 0.6), color: _SceneLayout.randomColor(&rng)))
        }

        if split == .train && options.emptyTrainingShare > 0 {
            var draw = SplitMix64(seed: seed, stream: split.stream + 33, index: UInt64(index))
            if draw.unit() < options.emptyTrainingShare { return layout }
        }
        let largest = max(options.minObjectSize, s * options.maxObjectFraction)
        for _ in 0..<count(options.objectsPerImage) {
            let kind = ShapeKind(rawValue: rng.pick(weights: options.classWeights))!
            let outline = _ShapeOutline.random(kind, using: &rng)
            // Longer side log-uniform over [min, max]; the shorter 50-100 % of it, never below min.
            let long = options.minObjectSize * pow(largest / options.minObjectSize, rng.unit())
            let short = max(options.minObjectSize, long * rng.uniform(0.5, 1))
            let (w, h) = rng.below(2) == 0 ? (long, short) : (short, long)
            var placed: Box?
            for _ in 0..<20 {
                let box = Box(x: rng.uniform(0, s - w), y: rng.uniform(0, s - h), width: w, height: h)
                if layout.objects.allSatisfy({ Self.intersection($0.box, box) <= options.maxOcclusion * $0.box.area }) {
                    placed = box
                    break
                }
            }
            guard let box = placed else { continue }
            let backdrop = layout.background(at: SIMD2(box.x + w / 2, box.y + h / 2), size: s)
            layout.objects.append(.init(kind: kind, outline: outline, box: box, color: _SceneLayout.contrastingColor(to: backdrop, &rng)))
        }
        return layout
    }

    static func intersection(_ a: Box, _ b: Box) -> Double {
        let w = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
        let h = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
        return w > 0 && h > 0 ? w * h : 0
    }
}

/// The drawn content of one scene, before pixels.
struct _SceneLayout: Hashable, Sendable {
    struct Object: Hashable, Sendable {
        var kind: ShapeKind
        var outline: _ShapeOutline
        var box: Box
        var color: SIMD3<Double>
    }

    struct Stroke: Hashable, Sendable {
        var points: [SIMD2<Double>]
        var thickness: Double
        var color: SIMD3<Double>
        var onTop: Bool
    }

    struct Blob: Hashable, Sendable {
        var center: SIMD2<Double>
        var sigma: Double
        var strength: Double
        var color: SIMD3<Double>
    }

    /// A linear gradient from `top` to `bottom` along `direction` (a unit vector).
    var top: SIMD3<Double>
    var bottom: SIMD3<Double>
    var direction: SIMD2<Double>
    var objects: [Object] = []
    var strokes: [Stroke] = []
    var blobs: [Blob] = []

    func background(at p: SIMD2<Double>, size: Double) -> SIMD3<Double> {
        let d = direction
        let reach = (abs(d.x) + abs(d.y)) * size
        let t = ((p - SIMD2(size / 2, size / 2)) * d).sum() / reach + 0.5
        return top + (bottom - top) * t
    }

    static func randomColor(_ rng: inout SplitMix64) -> SIMD3<Double> {
        SIMD3(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255))
    }

    static func luminance(_ c: SIMD3<Double>) -> Double { 0.299 * c.x + 0.587 * c.y + 0.114 * c.z }

    /// A saturated colour whose luminance differs from the backdrop's by at least 60 levels, so
    /// that every object is visible; after 8 tries, black or white, whichever stands out more.
    static func contrastingColor(to backdrop: SIMD3<Double>, _ rng: inout SplitMix64) -> SIMD3<Double> {
        for _ in 0..<8 {
            let c = hsv(hue: rng.unit(), saturation: rng.uniform(0.45, 1), value: rng.uniform(0.25, 1))
            if abs(luminance(c) - luminance(backdrop)) >= 60 { return c }
        }
        return luminance(backdrop) > 128 ? SIMD3(0, 0, 0) : SIMD3(255, 255, 255)
    }

    static func hsv(hue: Double, saturation: Double, value: Double) -> SIMD3<Double> {
        let h = hue * 6, sector = Int(h) % 6, f = h - Double(Int(h))
        let v = value * 255, p = v * (1 - saturation), q = v * (1 - saturation * f), t = v * (1 - saturation * (1 - f))
        switch sector {
        case 0: return SIMD3(v, t, p)
        case 1: return SIMD3(q, v, p)
        case 2: return SIMD3(p, v, t)
        case 3: return SIMD3(p, q, v)
        case 4: return SIMD3(t, p, v)
        default: return SIMD3(v, p, q)
        }
    }
}

extension DataSplit {
    /// The split's random stream in the shapes scenes (layouts; rendering adds 16, label noise 32).
    var stream: UInt64 { self == .train ? 1 : 2 }
}
