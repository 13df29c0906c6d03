import ArgumentParser
import Detection
import Foundation

/// `autoloss data ...`: datasets in and out (DESIGN.md, "Data").
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Convert datasets and generate the synthetic shapes scenes.",
        subcommands: [DataConvert.self, DataShapes.self])
}

struct DataConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a YOLO folder (images/, labels/, class names) to a COCO instances JSON file.",
        discussion: """
        Image sizes come from the image headers. An image without a label file is a background \
        image; a label file without an image, an unreadable image or a bad label line is an error \
        naming the file and line (--on-error skip leaves that image out and warns instead). \
        Example: autoloss data convert --yolo ../shared/data/coco128 --split train2017 \
        --names ../shared/data/coco128/classes.txt --out gt.json
        """)

    @Option(help: "The YOLO folder, holding images/ and labels/ (or images/SPLIT and labels/SPLIT with --split).")
    var yolo: String

    @Option(help: "The split subfolder of images/ and labels/ to convert (train2017, val, ...).")
    var split: String?

    @Option(help: "The class names: a text file with one name a line (line k = class k), or a data.yaml.")
    var names: String

    @Option(help: "The COCO JSON file to write ('-' for standard output).")
    var out: String

    @Option(help: "fail: stop at the first bad image or label line; skip: leave that image out, warn and go on.")
    var onError: DataLoadOptions.OnError = .fail

    @Option(help: "header: read image headers and check that files are complete; decode: decode every image fully.")
    var check: DataLoadOptions.ImageCheck = .header

    @Option(name: .customLong("max-pixels"), help: "The most pixels an image may have, checked from its header before any decode (a larger image is a bad image).")
    var maxPixels = ImageHeader.defaultMaxPixels

    @Option(help: "Category ids: one-based (class k -> k + 1), zero-based, or coco91 (COCO's own ids for the 80 COCO classes).")
    var categoryIds: CategoryNumbering = .oneBased

    /// --max-pixels up to 1 gigapixel (3 GB decoded).
    static let maxPixelBudget = 1 << 30

    func validate() throws {
        if maxPixels < 1 || maxPixels > Self.maxPixelBudget {
            throw ValidationError("--max-pixels must be from 1 to \(Self.maxPixelBudget) (got \(maxPixels))")
        }
    }

    func run() throws {
        if out != "-" { try CLIError.refuseFolder(out, option: "--out") }
        let classNames = try ClassNames(contentsOfFile: names)
        let folder = try YOLOFolder(root: yolo, split: split)
        let loaded = try folder.load(names: classNames, numbering: categoryIds, options: DataLoadOptions(onError: onError, imageCheck: check, maxPixels: maxPixels))
        for problem in loaded.skipped { printError("warning: skipped: \(problem)") }
        let dataset = loaded.dataset
        if out == "-" {
            try StandardOutput.write(dataset.cocoJSON())
        } else {
            try OutputFile.write(dataset.cocoJSON(), to: out) { try dataset.writeCOCOJSON(toFile: out) }
        }
        let summary = "wrote \(out == "-" ? "standard output" : out): \(dataset.images.count) images, "
            + "\(dataset.annotationCount) annotations, \(dataset.categories.count) categories"
            + (loaded.skipped.isEmpty ? "" : " (\(loaded.skipped.count) problem\(loaded.skipped.count == 1 ? "" : "s") skipped: see the warnings)")
        if out == "-" { printError(summary) } else { print(summary) }
    }
}

struct DataShapes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shapes",
        abstract: "Write the synthetic shapes scenes as PNG images and COCO JSON.",
        discussion: """
        Writes DIR/images/{train,val}/NNNNNN.png, DIR/annotations/instances_{train,val}.json and \
        DIR/classes.txt. The same seed and size always give the same files. --variant writes a \
        task variant, built on the scenes the training presets use: with --seed 2026 and --size \
        128, exactly the scenes of --data shapes:VARIANT (with the same --ratio, --label-noise, \
        --box-jitter as its ratio=, noise=, jitter= keys); it prints what the scenes hold: \
        images without objects, objects per image, box sides, class counts, and for noisy the \
        labels changed and the edges' jitter as measured.
        """)

    @Option(help: "The folder to write into (created if needed).")
    var out: String

    @Option(help: "Number of training images.")
    var train: Int = 100

    @Option(help: "Number of validation images.")
    var val: Int = 20

    @Option(help: "Image width and height in pixels (at least 16).")
    var size: Int = 256

    @Option(help: "The random seed.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("A task variant: heavy class imbalance, label noise in the training split, or small crowded objects.", valueName: "imbalance|noisy|small"))
    var variant: VariantName?

    @Option(help: "imbalance: the commonest class's frequency over the rarest's (default 100, for 1:100).")
    var ratio: Double?

    @Option(name: .customLong("max-objects"), help: "imbalance: the most objects an image, each image holding 0 to that many (default 3; 1 leaves half the images empty).")
    var maxObjects: Int?

    @Option(name: .customLong("empty-share"), help: "imbalance: the share of the training images drawn without their objects, background images that add easy negatives (default 0; the validation split keeps its objects).")
    var emptyShare: Double?

    @Option(help: "noisy: the fraction of training labels given a wrong class (default 0.3).")
    var labelNoise: Double?

    @Option(help: "noisy: the standard deviation of each training box edge's move, as a fraction of the side (default 0.1).")
    var boxJitter: Double?

    enum VariantName: String, CaseIterable, ExpressibleByArgument {
        case imbalance, noisy, small
    }

    /// The largest scenes and counts: 4096 px (48 MB a scene in memory), a million images.
    static let maxSize = 4096, maxImages = 1_000_000

    func validate() throws {
        if size < 16 { throw ValidationError("--size must be at least 16 (got \(size))") }
        if size > Self.maxSize { throw ValidationError("--size must be at most \(Self.maxSize) pixels (got \(size))") }
        if train < 0 || val < 0 { throw ValidationError("--train and --val must not be negative") }
        if train > Self.maxImages || val > Self.maxImages {
            throw ValidationError("--train and --val must be at most \(Self.maxImages) images each (got \(max(train, val)))")
        }
        if train + val == 0 { throw ValidationError("nothing to write: give --train or --val a positive count") }
        _ = try chosenVariant()
    }

    /// The variant with the settings given, each checked against the variant and its range.
    func chosenVariant() throws -> ShapesScenes.Variant? {
        let given: [(ShapesScenes.Variant.Parameter, Double?)] = [(.ratio, ratio), (.objects, maxObjects.map(Double.init)), (.empty, emptyShare), (.noise, labelNoise), (.jitter, boxJitter)]
        guard let variant else {
            if let (parameter, _) = given.first(where: { $0.1 != nil }) {
                let owner = ShapesScenes.Variant.names.first { ShapesScenes.Variant(name: $0)!.settings.contains { $0.parameter == parameter } }!
                throw ValidationError("\(Flags.flag(for: parameter)) is a setting of a variant: give --variant \(owner) too")
            }
            return nil
        }
        var chosen = ShapesScenes.Variant(name: variant.rawValue)!
        for case let (parameter, value?) in given {
            guard chosen.settings.contains(where: { $0.parameter == parameter }) else {
                throw ValidationError("\(Flags.flag(for: parameter)) is not a setting of --variant \(variant.rawValue)")
            }
            guard parameter.accepts(value) else { throw ValidationError("\(Flags.flag(for: parameter)) \(ShapesScenes.Variant.Parameter.text(value)): give \(parameter.requirement)") }
            chosen = chosen.setting(parameter, to: value)
        }
        return chosen
    }

    func run() throws {
        // An empty path would write into the root folder; a file would fail late, as a full disk.
        if out.isEmpty { throw CLIError("--out '': give the folder to write into") }
        if FileManager.default.fileExists(atPath: out) && !CLIError.isFolder(out) {
            throw CLIError("--out \(out): is a file, not a folder: name a folder (it is created if needed)")
        }
        let variant = try chosenVariant()
        let scenes = ShapesScenes(seed: seed, imageSize: size, options: variant?.applied(to: DetectorData.proxyShapesOptions) ?? ShapesScenes.Options())
        let written = try scenes.export(to: out, train: train, val: val)
        let boxes = DataSplit.allCases.compactMap { split in written[split].map { "\($0.annotationCount) \(split.rawValue)" } }
        let spec = variant.map { ", " + DetectorData.shapes(variant: $0).name } ?? ""
        print("wrote \(out): \(train) train and \(val) val images of \(size) px (seed \(seed)\(spec)); boxes: \(boxes.joined(separator: ", "))")
        if let variant {
            for line in Self.describe(variant, scenes, counts: [(.train, train), (.val, val)]) { print(line) }
        }
    }

    /// What the written scenes of a variant hold, measured: a line of settings, then per split
    /// its images, classes and (noisy) the realised noise.
    static func describe(_ variant: ShapesScenes.Variant, _ scenes: ShapesScenes, counts: [(DataSplit, Int)]) -> [String] {
        let spec = DetectorData.shapes(variant: variant).name
        let settings = variant.settings.map { "\($0.parameter.rawValue)=\(ShapesScenes.Variant.Parameter.text($0.value))" }
        var lines = ["\(variant.name)\(settings.isEmpty ? "" : " (" + settings.joined(separator: ", ") + ")"): "
            + "the scenes of --data \(spec) at --seed \(DetectorData.shapesSeed) --size \(DetectorData.shapes.schedule(for: .proxy).size)"]
        for (split, count) in counts where count > 0 {
            let s = scenes.statistics(split: split, count: count)
            let name = split.rawValue
            lines.append(String(format: "%@: %d images, %d without objects, %d-%d objects an image, box sides %.1f-%.1f px",
                                name, s.images, s.emptyImages, s.objectsPerImage.lowerBound, s.objectsPerImage.upperBound,
                                s.sides.lowerBound, s.sides.upperBound))
            let classes = zip(ShapeKind.allCases, s.classCounts).map { "\($0.name) \($1)" }.joined(separator: ", ")
            let (most, least) = (s.classCounts.max()!, s.classCounts.min()!)
            let ratio = least > 0 ? String(format: " (commonest/rarest %.1f)", Double(most) / Double(least)) : ""
            lines.append("\(name) classes: \(classes)\(ratio)")
            guard case .noisy = variant else { continue }
            lines.append(split == .train
                ? String(format: "%@ noise: %d of %d labels changed (%.3f), box edges moved by %.3f of the side (rms)",
                         name, s.changedLabels, s.annotations, s.changedLabelFraction, s.edgeJitter)
                : "\(name) noise: none (the validation split is clean)")
        }
        return lines
    }
}

extension DataLoadOptions.OnError: ExpressibleByArgument {}
extension DataLoadOptions.ImageCheck: ExpressibleByArgument {}
extension CategoryNumbering: ExpressibleByArgument {}
