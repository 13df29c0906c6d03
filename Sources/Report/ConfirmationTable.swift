import Foundation
import Search
import Verification

/// A confirmation's verdicts as a table (markdown, which reads as text on a terminal): per loss
/// and horizon, its tuned setting, AP mean ± sd over the seeds, and the difference to the tuned
/// baseline with Welch's 95 % interval and the verdict. `confirm` prints it; `report` shows it.
public struct ConfirmationTable {
    public let summary: ConfirmationSummary

    public init(_ summary: ConfirmationSummary) { self.summary = summary }

    public var text: String {
        let plan = summary.plan
        var lines = [String(format: "confirmation of the %@ slot beside %@ (%@ mode): seeds %@; horizons %@; %.2f trainings spent",
                            plan.branch.rawValue, plan.partner, plan.mode.rawValue, plan.seeds.map(String.init).joined(separator: ", "),
                            plan.horizons.map { "x" + Self.number($0) }.joined(separator: ", "), summary.trainingsSpent),
                     "",
                     "| loss | tuned at | horizon | AP mean ± sd | seeds | difference to the baseline [95 % CI] | verdict |",
                     "|---|---|---|---:|---:|---:|---|"]
        for c in summary.contenders {
            let name = c.contender.isBaseline ? "\(c.contender.loss) (baseline)" : c.contender.loss
            guard let setting = c.setting else {
                lines.append("| \(name) | no setting trained to its end (\(c.tuningTrainings) tried) | | | | | |")
                continue
            }
            for h in c.horizons {
                let ap = h.aps.isEmpty ? "-" : String(format: "%.2f ± %.2f", h.mean, h.sd)
                let versus: String, verdict: String
                if c.contender.isBaseline {
                    (versus, verdict) = ("", "")
                } else if let i = h.interval {
                    versus = String(format: "%+.2f [%+.2f, %+.2f]", i.difference, i.low, i.high)
                    verdict = i.verdict.rawValue
                } else {
                    (versus, verdict) = ("-", "too few seeds")
                }
                lines.append("| \(name) | \(setting.label) | x\(Self.number(h.horizon)) | \(ap) | \(h.aps.count) | \(versus) | \(verdict) |")
            }
        }
        lines += tuningLines
        return lines.joined(separator: "\n")
    }

    /// How each contender's setting was chosen: its whole trainings on the first seed, best
    /// first, how many a hurdle ended, and the finalists' means over the seeds, so that a reader
    /// sees how close the choice was.
    var tuningLines: [String] {
        let tuned = summary.contenders.filter { !$0.whole.isEmpty }
        guard !tuned.isEmpty else { return [] }
        let plan = summary.plan
        var lines = ["", "tuning (AP of seed \(plan.seeds[0]) at the whole schedule, best first\(plan.finalists > 1 ? "; then the finalists' mean over the seeds" : "")):"]
        for c in tuned {
            var line = "- \(c.contender.loss): " + Confirmation.ranked(c.whole)
                .map { (c.diverged.contains($0.setting) ? "diverged" : String(format: "%.2f", $0.ap)) + " at \($0.setting.label)" }
                .joined(separator: "; ")
            if c.pruned > 0 { line += "; \(c.pruned) more ended at a rung" }
            if !c.finalists.isEmpty {
                line += ". Finalists: " + c.finalists.sorted { sampleMean($0.aps) > sampleMean($1.aps) }.map { f in
                    String(format: "%.2f ± %.2f", sampleMean(f.aps), sampleDeviation(f.aps)) + " at \(f.setting.label) (\(f.aps.count) seed\(f.aps.count == 1 ? "" : "s"))"
                }.joined(separator: "; ")
            }
            if let setting = c.setting { line += ". Tuned at \(setting.label)" }
            lines.append(line)
        }
        return lines
    }

    /// 2 as "2", 0.5 as "0.5".
    public static func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%g", v) }
}
