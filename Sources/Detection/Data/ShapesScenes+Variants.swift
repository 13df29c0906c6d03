import Foundation

extension ShapesScenes {
    /// A task where the choice of loss decides the result (DESIGN.md, "Data"): the scenes with one
    /// difficulty turned up, as a change to the options of a base (the presets' scenes for
    /// `--data shapes:VARIANT`, `DetectorData.proxyShapesOptions`).
    ///
    /// ```swift
    /// let noisy = ShapesScenes.Variant.noisy(labelNoise: 0.4, boxJitter: 0.05)
    /// let harsher = ShapesScenes.Variant.imbalance(ratio: 100, objects: 1, empty: 0.6)   // 80 % of the training images empty
    /// let scenes = ShapesScenes(seed: 2026, imageSize: 128, options: noisy.applied(to: DetectorData.proxyShapesOptions))
    /// ```
    ///
    /// | variant | what changes | the specialist loss it calls for |
    /// |---|---|---|
    /// | `imbalance` | class weights geometric, the rarest `ratio` times rarer than the commonest; 0 to `objects` (3) objects an image; `empty` of the training images without their objects | focal loss (Lin et al. 2017) |
    /// | `noisy` | training labels: `labelNoise` of the classes wrong, box edges jittered | `gce`, `sce`, `mae` |
    /// | `small` | 10-30 objects an image, sides 8 to 16 px at 128 px, more overlap | DIoU, CIoU (built-in `--reg`) |
    public enum Variant: Hashable, Sendable {
        /// Heavy class imbalance among many easy negatives: class k (in `ShapeKind` order) has
        /// weight ratio^((5 - k) / 5), so each class is the same factor rarer than the one before
        /// and the commonest (rectangles) is `ratio` times the rarest (diamonds); 0 to `objects`
        /// objects an image (a whole number, 3 by default: a quarter of the images hold none and
        /// most of every image is background; 1: half of them hold none, and the negatives per
        /// positive triple); and `empty` (0 by default) of the training split's images drawn
        /// without their objects: background images beside the scenes, as detection training
        /// sets add them, so that the easy negatives per positive grow while the validation
        /// split, and its AP's noise, stay as they were.
        case imbalance(ratio: Double, objects: Double, empty: Double = 0)
        /// Label noise in the training split (`Options.labelNoise`, `Options.boxJitter`); the
        /// layout, the pixels and the validation split are the base's.
        case noisy(labelNoise: Double, boxJitter: Double)
        /// Small and crowded objects, where the box loss matters most: sides from 8 px to 1/8 of
        /// the image (16 px at 128 px), 10 to 30 objects an image, and a later object may cover
        /// half of an earlier one's box (0.4 by default).
        ///
        /// Not smaller than 8 px: the detector's finest stride is 8 (`FCOSAssigner`), and a box
        /// narrower than a stride can fall between location centres and never be a positive, a
        /// miss whatever the loss.
        case small

        /// The variants by name, in the order help texts list them.
        public static let names = ["imbalance", "noisy", "small"]

        /// The variant named `name`, with the defaults of its parameters.
        public init?(name: String) {
            switch name {
            case "imbalance":
                self = .imbalance(ratio: Parameter.ratio.defaultValue, objects: Parameter.objects.defaultValue, empty: Parameter.empty.defaultValue)
            case "noisy": self = .noisy(labelNoise: Parameter.noise.defaultValue, boxJitter: Parameter.jitter.defaultValue)
            case "small": self = .small
            default: return nil
            }
        }

        /// Its name in `--data shapes:NAME` and `autoloss data shapes --variant NAME`.
        public var name: String {
            switch self {
            case .imbalance: return "imbalance"
            case .noisy: return "noisy"
            case .small: return "small"
            }
        }

        /// The parameters of the variant with their values, in the order a spec writes them.
        public var settings: [(parameter: Parameter, value: Double)] {
            switch self {
            case let .imbalance(ratio, objects, empty): return [(.ratio, ratio), (.objects, objects), (.empty, empty)]
            case let .noisy(labelNoise, boxJitter): return [(.noise, labelNoise), (.jitter, boxJitter)]
            case .small: return []
            }
        }

        /// The same variant with `parameter`, one of its own (see `settings`), set to `value`.
        public func setting(_ parameter: Parameter, to value: Double) -> Variant {
            switch (self, parameter) {
            case let (.imbalance(_, objects, empty), .ratio): return .imbalance(ratio: value, objects: objects, empty: empty)
            case let (.imbalance(ratio, _, empty), .objects): return .imbalance(ratio: ratio, objects: value, empty: empty)
            case let (.imbalance(ratio, objects, _), .empty): return .imbalance(ratio: ratio, objects: objects, empty: value)
            case let (.noisy(_, jitter), .noise): return .noisy(labelNoise: value, boxJitter: jitter)
            case let (.noisy(noise, _), .jitter): return .noisy(labelNoise: noise, boxJitter: value)
            default: preconditionFailure("\(parameter.rawValue) is not a parameter of \(name)")
            }
        }

        /// `base` with this variant's changes. Parameters must lie in their ranges.
        public func applied(to base: Options) -> Options {
            var o = base
            for (parameter, value) in settings {
                precondition(parameter.accepts(value), "\(parameter.rawValue) \(value): give \(parameter.requirement)")
            }
            switch self {
            case let .imbalance(ratio, objects, empty):
                let last = Double(ShapeKind.allCases.count - 1)
                // Weight 1 for the rarest class and pow(ratio, 1) = ratio, exactly, for the
                // commonest, so that `recognising` reads the ratio back bit for bit.
                o.classWeights = ShapeKind.allCases.map { pow(ratio, (last - Double($0.rawValue)) / last) }
                o.objectsPerImage = 0...Int(objects)
                o.emptyTrainingShare = empty
            case let .noisy(labelNoise, boxJitter):
                o.labelNoise = labelNoise
                o.boxJitter = boxJitter
            case .small:
                o.minObjectSize = 8
                o.maxObjectFraction = 0.125
                o.objectsPerImage = 10...30
                o.maxOcclusion = 0.5
            }
            return o
        }

        /// The variant whose `applied(to: base)` gives exactly `options`, if any: the inverse that
        /// names data by the spec that makes it. Nil for `base` itself.
        public static func recognising(_ options: Options, base: Options) -> Variant? {
            guard options != base else { return nil }
            var candidates: [Variant] = [.noisy(labelNoise: options.labelNoise, boxJitter: options.boxJitter), .small]
            if let first = options.classWeights.first, let last = options.classWeights.last, last > 0 {
                candidates.append(.imbalance(ratio: first / last, objects: Double(options.objectsPerImage.upperBound), empty: options.emptyTrainingShare))
            }
            return candidates.first { v in v.settings.allSatisfy { $0.parameter.accepts($0.value) } && v.applied(to: base) == options }
        }
    }
}

extension ShapesScenes.Variant {
    /// A number that sets a variant: its key in a `--data` spec (the raw value), its default and
    /// the values it may take.
    public enum Parameter: String, CaseIterable, Sendable {
        /// The commonest class's frequency over the rarest's, of `imbalance`.
        case ratio
        /// The fraction of wrong class labels, of `noisy`.
        case noise
        /// The box edges' jitter as a fraction of the side, of `noisy`.
        case jitter
        /// The most objects an image, of `imbalance`.
        case objects
        /// The share of the training images drawn without their objects, of `imbalance`.
        case empty

        /// 1:100 as in long-tailed benchmarks' head-to-tail ratios; 30 % symmetric noise and
        /// edges moved by a tenth of the side, middling settings of the robust-loss papers.
        public var defaultValue: Double {
            switch self {
            case .ratio: return 100
            case .noise: return 0.3
            case .jitter: return 0.1
            case .objects: return 3
            case .empty: return 0
            }
        }

        /// The ratio stops at 10000: beyond, the rarest class hardly occurs in any split the
        /// presets use (1 object in 10^4 of about 12000 training objects).
        public var range: ClosedRange<Double> {
            switch self {
            case .ratio: return 1...10_000
            case .noise: return ShapesScenes.Options.labelNoiseRange
            case .jitter: return ShapesScenes.Options.boxJitterRange
            case .objects: return 1...30
            case .empty: return ShapesScenes.Options.emptyTrainingShareRange
            }
        }

        /// Whether `value` may set it: inside `range`, and whole for `objects`.
        public func accepts(_ value: Double) -> Bool {
            range.contains(value) && (self != .objects || value == value.rounded())
        }

        /// What a value must be, for messages ("give " + requirement).
        public var requirement: String {
            let low = Self.text(range.lowerBound), high = Self.text(range.upperBound)
            switch self {
            case .ratio:
                return "the commonest class's frequency over the rarest's, a number from \(low) to \(high) (\(high) is 1:\(high))"
            case .noise:
                return "the fraction of wrong class labels, from \(low) to \(high) (beyond 5/6 a wrong class is likelier than the true one)"
            case .jitter:
                return "the box edges' jitter as a fraction of the side, from \(low) to \(high) (beyond, the two edges of a side may cross)"
            case .objects:
                return "the most objects an image, a whole number from \(low) to \(high) (each image holds 0 to that many)"
            case .empty:
                return "the share of the training images without their objects, from \(low) to \(high) (beyond, too few objects are left to learn from)"
            }
        }

        /// A value as a spec writes it: whole numbers without a decimal point, others in the
        /// shortest form that reads back to the same Double.
        public static func text(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        }
    }
}
