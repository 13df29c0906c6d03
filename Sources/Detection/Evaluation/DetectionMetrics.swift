import Foundation

/// The result of a COCO bbox evaluation: pycocotools' twelve summary numbers (`COCOeval.stats`),
/// per-category AP, and the accumulated precision and recall arrays they come from.
///
/// ```
/// let metrics = try COCOEvaluator(groundTruth: gt).evaluate(detections)
/// metrics.ap        // AP @[ IoU=0.50:0.95 | area=all | maxDets=100 ], stats[0]
/// metrics.stats     // the twelve numbers, in pycocotools' order; -1 where undefined
/// ```
public struct DetectionMetrics: Sendable, Equatable {
    /// One line of the summary: AP or AR, at one IoU threshold or averaged over all, one area
    /// range, one maxDets. `summaries[i]` describes `stats[i]`.
    public struct Summary: Sendable, Equatable {
        /// AP (true) or AR (false).
        public var isPrecision: Bool
        /// nil: averaged over IoU 0.50:0.95.
        public var iouThreshold: Double?
        /// The area range: all, small, medium or large.
        public var area: String
        /// The most detections per image counted.
        public var maxDetections: Int
    }

    /// AP of one category (area all, maxDets 100); -1 where the category has no ground truth.
    public struct CategoryAP: Sendable, Equatable {
        /// The category's id.
        public var categoryID: Int
        /// The category's name.
        public var name: String
        /// AP averaged over IoU 0.50:0.95.
        public var ap: Double
        /// AP at IoU 0.5.
        public var ap50: Double
        /// AP at IoU 0.75.
        public var ap75: Double
    }

    /// pycocotools' `_summarizeDets` list, in its order.
    public static let summaries: [Summary] = [
        Summary(isPrecision: true, iouThreshold: nil, area: "all", maxDetections: 100),
        Summary(isPrecision: true, iouThreshold: 0.5, area: "all", maxDetections: 100),
        Summary(isPrecision: true, iouThreshold: 0.75, area: "all", maxDetections: 100),
        Summary(isPrecision: true, iouThreshold: nil, area: "small", maxDetections: 100),
        Summary(isPrecision: true, iouThreshold: nil, area: "medium", maxDetections: 100),
        Summary(isPrecision: true, iouThreshold: nil, area: "large", maxDetections: 100),
        Summary(isPrecision: false, iouThreshold: nil, area: "all", maxDetections: 1),
        Summary(isPrecision: false, iouThreshold: nil, area: "all", maxDetections: 10),
        Summary(isPrecision: false, iouThreshold: nil, area: "all", maxDetections: 100),
        Summary(isPrecision: false, iouThreshold: nil, area: "small", maxDetections: 100),
        Summary(isPrecision: false, iouThreshold: nil, area: "medium", maxDetections: 100),
        Summary(isPrecision: false, iouThreshold: nil, area: "large", maxDetections: 100),
    ]

    /// The twelve numbers: AP, AP50, AP75, AP small, medium, large, AR@1, AR@10, AR@100,
    /// AR small, medium, large; -1 where no category has ground truth for it.
    public let stats: [Double]
    /// Per category, in ascending id order.
    public let perCategory: [CategoryAP]
    /// pycocotools' `eval['precision']`, flat in its [T][R][K][A][M] layout (IoU thresholds,
    /// recall thresholds, categories, area ranges, maxDets); -1 where undefined.
    public let precision: [Double]
    /// pycocotools' `eval['recall']`, flat in its [T][K][A][M] layout.
    public let recall: [Double]

    /// AP averaged over IoU 0.50:0.95, all areas, 100 detections (stats[0]).
    public var ap: Double { stats[0] }
    /// AP at IoU 0.50 (stats[1]).
    public var ap50: Double { stats[1] }
    /// AP at IoU 0.75 (stats[2]).
    public var ap75: Double { stats[2] }
    /// AP of small objects (stats[3]).
    public var apSmall: Double { stats[3] }
    /// AP of medium objects (stats[4]).
    public var apMedium: Double { stats[4] }
    /// AP of large objects (stats[5]).
    public var apLarge: Double { stats[5] }
    /// AR with 1 detection per image (stats[6]).
    public var ar1: Double { stats[6] }
    /// AR with 10 detections per image (stats[7]).
    public var ar10: Double { stats[7] }
    /// AR with 100 detections per image (stats[8]).
    public var ar100: Double { stats[8] }
    /// AR of small objects (stats[9]).
    public var arSmall: Double { stats[9] }
    /// AR of medium objects (stats[10]).
    public var arMedium: Double { stats[10] }
    /// AR of large objects (stats[11]).
    public var arLarge: Double { stats[11] }

    init(categories: [Category], precision: [Double], recall: [Double]) {
        self.precision = precision
        self.recall = recall
        let K = categories.count
        stats = Self.summaries.map { Self.summarize($0, precision: precision, recall: recall, categories: 0..<K, K: K) }
        perCategory = categories.enumerated().map { k, category in
            func ap(_ iou: Double?) -> Double {
                Self.summarize(Summary(isPrecision: true, iouThreshold: iou, area: "all", maxDetections: 100),
                          precision: precision, recall: recall, categories: k..<(k + 1), K: K)
            }
            return CategoryAP(categoryID: category.id, name: category.name, ap: ap(nil), ap50: ap(0.5), ap75: ap(0.75))
        }
    }

    /// pycocotools' `_summarize`: the mean of the selected entries that are > -1 (in the arrays'
    /// C order, summed as NumPy sums), or -1 when there are none. The IoU threshold is looked up
    /// by exact equality, as `np.where(iouThr == p.iouThrs)` does.
    static func summarize(_ s: Summary, precision: [Double], recall: [Double], categories: Range<Int>, K: Int) -> Double {
        let T = COCOEvaluator.iouThresholds.count, R = COCOEvaluator.recallThresholds.count
        let A = COCOEvaluator.areaRanges.count, M = COCOEvaluator.maxDetections.count
        guard let a = COCOEvaluator.areaRanges.firstIndex(where: { $0.label == s.area }),
              let m = COCOEvaluator.maxDetections.firstIndex(of: s.maxDetections) else { return -1 }
        let thresholds: [Int]
        if let iou = s.iouThreshold {
            thresholds = COCOEvaluator.iouThresholds.indices.filter { COCOEvaluator.iouThresholds[$0] == iou }
        } else {
            thresholds = Array(0..<T)
        }
        var values: [Double] = []
        for t in thresholds {
            if s.isPrecision {
                for r in 0..<R {
                    for k in categories {
                        let v = precision[(((t * R + r) * K + k) * A + a) * M + m]
                        if v > -1 { values.append(v) }
                    }
                }
            } else {
                for k in categories {
                    let v = recall[((t * K + k) * A + a) * M + m]
                    if v > -1 { values.append(v) }
                }
            }
        }
        return values.isEmpty ? -1 : _numpyMean(values)
    }

    /// The summary as pycocotools' `summarize()` prints it, twelve lines:
    /// ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.372`.
    public var summaryLines: [String] {
        zip(Self.summaries, stats).map { Self.summaryLine($0, value: $1) }
    }

    /// One line of `summarize()`: `' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'`.
    public static func summaryLine(_ s: Summary, value: Double) -> String {
        let title = s.isPrecision ? "Average Precision" : "Average Recall"
        let kind = s.isPrecision ? "(AP)" : "(AR)"
        let thresholds = COCOEvaluator.iouThresholds
        let iou = s.iouThreshold.map { String(format: "%0.2f", $0) }
            ?? String(format: "%0.2f:%0.2f", thresholds[0], thresholds[thresholds.count - 1])
        return " \(pad(title, 18)) \(kind) @[ IoU=\(pad(iou, 9)) | area=\(padLeft(s.area, 6)) | maxDets=\(padLeft(String(s.maxDetections), 3)) ] = \(String(format: "%0.3f", value))"
    }

    /// The per-category table: id, AP, AP50, AP75 (area all, maxDets 100) and the name; "-" where
    /// a category has no ground truth.
    public var perCategoryLines: [String] {
        let idWidth = max(2, perCategory.map { String($0.categoryID).count }.max() ?? 2)
        var lines = ["\(padLeft("id", idWidth))  \(padLeft("AP", 6))  \(padLeft("AP50", 6))  \(padLeft("AP75", 6))  category"]
        for c in perCategory {
            func f(_ v: Double) -> String { padLeft(v > -1 ? String(format: "%0.3f", v) : "-", 6) }
            lines.append("\(padLeft(String(c.categoryID), idWidth))  \(f(c.ap))  \(f(c.ap50))  \(f(c.ap75))  \(c.name)")
        }
        return lines
    }
}

private func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

private func padLeft(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
