import ArgumentParser
import Detection
import Foundation

/// `autoloss coco-eval --gt GT.json --dt DETECTIONS.json [--json] [--per-class]`: pycocotools'
/// bbox evaluation, printed as its `summarize()` prints it.
struct CocoEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coco-eval",
        abstract: "Score detections against COCO ground truth (pycocotools' bbox evaluation, exactly).",
        discussion: """
        Prints the twelve numbers of pycocotools' COCOeval summarize() in its format; --json prints \
        {"stats": [12 numbers in pycocotools' order, full precision, -1 where undefined]} instead. \
        A detection naming an unknown image or category, or a box of negative size, is an error \
        (exit 2) unless --skip-bad is given.
        """)

    @Option(help: ArgumentHelp("The ground truth: a COCO instances JSON file.", valueName: "GT.json"))
    var gt: String

    @Option(help: ArgumentHelp("The detections: a COCO results JSON file, an array of {image_id, category_id, bbox, score} ('-' for standard input).", valueName: "DETECTIONS.json"))
    var dt: String

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Flag(name: .customLong("per-class"), help: "Also give each category's AP, AP50 and AP75 (area all, maxDets 100).")
    var perClass = false

    @Option(name: .customLong("max-mb"), help: ArgumentHelp("The largest ground truth or detections read, in MB (files and standard input; something that is not a regular file is refused).", valueName: "MB"))
    var maxMB = COCOJSON.defaultMaxBytes >> 20

    @Flag(name: .customLong("skip-bad"), help: "Leave out bad annotations and detections (unknown image or category, negative box, missing field) with a warning, instead of failing.")
    var skipBad = false

    func validate() throws {
        if maxMB < 1 || maxMB > 1 << 20 { throw ValidationError("--max-mb must be from 1 to \(1 << 20) (got \(maxMB))") }
    }

    func run() throws {
        let maxBytes = maxMB << 20
        let policy: BadItemPolicy = skipBad ? .skip : .fail
        var skippedItems: [DetectionError] = []
        let note: (DetectionError) -> Void = { skippedItems.append($0) }
        let dataset = try COCOJSON.readInstances(path: gt, policy: policy, skipped: note, maxBytes: maxBytes)
        let detections: [ScoredBox]
        if dt == "-" {
            let input = try BoundedFile.readStandardInput(role: COCOJSON.fileRole, maxBytes: maxBytes)
            detections = try COCOJSON.readResults(data: input, source: "standard input", policy: policy, skipped: note)
        } else {
            detections = try COCOJSON.readResults(path: dt, policy: policy, skipped: note, maxBytes: maxBytes)
        }
        let evaluator = try COCOEvaluator(groundTruth: dataset, options: .init(policy: policy), source: gt, skipped: note)
        let metrics = try evaluator.evaluate(detections, source: dt == "-" ? "standard input" : dt, skipped: note)
        if !skippedItems.isEmpty {
            for e in skippedItems.prefix(5) { printError("warning: skipped: \(e)") }
            if skippedItems.count > 5 { printError("warning: skipped \(skippedItems.count) items in all") }
        }
        if json {
            print(Self.json(metrics, perClass: perClass).text)
        } else {
            print(Self.text(metrics, perClass: perClass))
        }
    }

    /// The summary lines, and with `perClass` the per-category table after a blank line.
    static func text(_ metrics: DetectionMetrics, perClass: Bool) -> String {
        var lines = metrics.summaryLines
        if perClass {
            lines.append("")
            lines.append("Per category, area=all, maxDets=100:")
            lines.append(contentsOf: metrics.perCategoryLines)
        }
        return lines.joined(separator: "\n")
    }

    /// `{"stats": [...]}`, with `perClass` also `"per_class": [{"id", "name", "ap", "ap50", "ap75"}]`.
    static func json(_ metrics: DetectionMetrics, perClass: Bool) -> JSON {
        var fields: [(String, JSON)] = [("stats", .array(metrics.stats.map { .number($0) }))]
        if perClass {
            fields.append(("per_class", .array(metrics.perCategory.map { c in
                .object([
                    ("id", .number(Double(c.categoryID))), ("name", .string(c.name)),
                    ("ap", .number(c.ap)), ("ap50", .number(c.ap50)), ("ap75", .number(c.ap75)),
                ])
            })))
        }
        return .object(fields)
    }
}
