/// What one training of a candidate gave.
public struct EvaluationResult: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Trained to the end; `stats` holds the 12 COCO numbers (AP in [0, 1]).
        case ok
        /// The loss went non-finite: a rejected candidate, not an error.
        case diverged
        /// The evaluator itself failed (crash, missing result): rejected, with the reason.
        case failed
    }

    public var status: Status
    /// The 12 COCO summary numbers in pycocotools' order; empty unless `ok`.
    public var stats: [Double]
    public var seconds: Double
    public var reason: String
    /// The Slurm job that ran it, where one did.
    public var job: String?

    public init(status: Status, stats: [Double] = [], seconds: Double, reason: String = "") {
        self.status = status
        self.stats = stats
        self.seconds = seconds
        self.reason = reason
    }

    /// AP@[.5:.95] in percent (the paper's unit), or nil.
    public var ap: Double? { status == .ok && !stats.isEmpty ? stats[0] * 100 : nil }

    /// AP, AP50, AP75 in percent, for the store and the hall of fame.
    public var figures: [String: Double] {
        guard status == .ok, stats.count >= 3 else { return [:] }
        // -1 marks a number the evaluator did not give (pycocotools' convention).
        var f = ["ap": stats[0] * 100]
        if stats[1] >= 0 { f["ap50"] = stats[1] * 100 }
        if stats[2] >= 0 { f["ap75"] = stats[2] * 100 }
        return f
    }
}
