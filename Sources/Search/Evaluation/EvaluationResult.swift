/// What one training of a candidate gave.
public struct EvaluationResult: Codable, Equatable, Sendable {
    /// How a training ended.
    public enum Status: String, Codable, Sendable {
        /// Trained to the end; `stats` holds the 12 COCO numbers (AP in [0, 1]).
        case ok
        /// The loss went non-finite: a rejected candidate, not an error.
        case diverged
        /// The evaluator itself failed (crash, missing result): rejected, with the reason.
        case failed
        /// A proxy training ended at a rung whose hurdle it did not clear (multi-fidelity
        /// training, `SearchOptions.rungs`): `stats` are that rung's, `rungs` says which.
        case pruned
    }

    /// A proxy training's score at one rung of its schedule.
    public struct Rung: Codable, Equatable, Sendable {
        /// The fraction of the schedule's steps done.
        public var fraction: Double
        /// The 12 COCO numbers there.
        public var stats: [Double]
        /// The hurdle it had to clear there (AP in percent), where it had one.
        public var hurdle: Double?

        /// A rung's score.
        public init(fraction: Double, stats: [Double], hurdle: Double? = nil) {
            self.fraction = fraction
            self.stats = stats
            self.hurdle = hurdle
        }

        /// The AP there, in percent.
        public var ap: Double { stats.first.map { $0 * 100 } ?? 0 }
    }

    /// ok, diverged, failed or pruned.
    public var status: Status
    /// The 12 COCO summary numbers in pycocotools' order; empty unless `ok`.
    public var stats: [Double]
    /// Wall-clock seconds of the training, scoring included.
    public var seconds: Double
    /// Why it diverged, failed or was pruned; empty when ok.
    public var reason: String
    /// The Slurm job that ran it, where one did.
    public var job: String?
    /// Its scores at the rungs of a multi-fidelity proxy training (nil: trained without rungs).
    public var rungs: [Rung]?

    /// A result.
    public init(status: Status, stats: [Double] = [], seconds: Double, reason: String = "") {
        self.status = status
        self.stats = stats
        self.seconds = seconds
        self.reason = reason
    }

    /// The share of a whole training this one cost: the fraction of the schedule reached where a
    /// hurdle ended it, else 1 (a diverged training is counted whole: its cost is not known here).
    public var cost: Double { status == .pruned ? rungs?.last?.fraction ?? 1 : 1 }

    /// AP@[.5:.95] in percent at rung `k`, or nil.
    public func rungAP(_ k: Int) -> Double? {
        guard let rungs, k < rungs.count else { return nil }
        return rungs[k].ap
    }

    /// AP@[.5:.95] in percent (the paper's unit), or nil.
    public var ap: Double? { status == .ok && !stats.isEmpty ? stats[0] * 100 : nil }

    /// The AP of a training that went to its end, a diverged one's being 0 (it did end, with
    /// nothing learned); nil for a failed one (no finding) or one a hurdle ended.
    public var wholeAP: Double? {
        switch status {
        case .ok: ap
        case .diverged: 0
        case .failed, .pruned: nil
        }
    }

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
