import Detection
import Foundation

/// A detector search fitted into a wall-clock budget on this machine (`--fit-minutes`, the main
/// job of `make run`). From the measured training speed: the largest fraction of the proxy
/// preset's steps (MOS keeps its preset: it is short, and shortened it stops telling losses
/// apart), then the largest population, with which the baseline's two trainings, one
/// generation's MOS trainings and its top-K proxy trainings fit in three quarters of the budget;
/// the rest is for data preparation's surprises, screening, and a machine busier than when it
/// was measured. Later generations run while the time lasts.
public struct TimeFit: Sendable {
    /// The fraction of the proxy preset's steps (`SearchOptions.scheduleScale`).
    public var scale: Double
    /// The population it chose.
    public var population: Int
    /// Predicted seconds of one MOS and one proxy training at `scale`.
    public var mosSeconds: Double
    /// Predicted seconds of one proxy training at `scale`.
    public var proxySeconds: Double
    /// Predicted seconds of preparing the stages' images, once per run.
    public var preparationSeconds: Double
    /// Predicted seconds to the end of the first generation.
    public var firstGenerationSeconds: Double
    /// The seconds it had.
    public var budgetSeconds: Double

    /// False when even the smallest plan is predicted to take longer than the budget allows.
    public var fits: Bool { firstGenerationSeconds <= Self.share * budgetSeconds }

    /// The schedule scales tried, largest first.
    public static let scales: [Double] = [1, 0.85, 0.7, 0.6, 0.5, 0.4, 0.33, 0.25, 0.2, 0.15]
    static let share = 0.75

    /// The plan for `options` (its population and top-K the largest allowed) on `data`.
    public static func plan(seconds budget: Double, speed: TrainingSpeed, data: DetectorData, options: SearchOptions) throws -> TimeFit {
        let smallest = max(options.topK, min(options.population, 6))
        var last: TimeFit?
        for f in scales {
            let mos = data.schedule(for: .mos), proxy = data.schedule(for: .proxy).scaled(f)
            let m = try data.imageCounts(.mos, schedule: mos), p = try data.imageCounts(.proxy, schedule: proxy)
            var mosSeconds = speed.seconds(.mos, schedule: mos, trainImages: m.train, evalImages: m.eval)
            var proxySeconds = speed.seconds(.proxy, schedule: proxy, trainImages: p.train, evalImages: p.eval)
            var preparation = Double(m.train + p.train + p.eval) * speed.prepareSecondsPerImage
            if let r = options.mosRungInUse {
                // MOS is the proxy training up to its rung, scored on the proxy's images; the
                // proxy training goes on from there and scores that rung again before its end.
                let training = speed.seconds(.proxy, schedule: proxy, trainImages: p.train, evalImages: 0)
                let scoring = proxySeconds - training
                mosSeconds = r * training + scoring
                proxySeconds = (1 - r) * training + 2 * scoring
                preparation = Double(p.train + p.eval) * speed.prepareSecondsPerImage
            }
            mosSeconds *= Double(options.mosSeeds ?? 1)
            for population in stride(from: options.population, through: smallest, by: -1) {
                let first = preparation + Double(1 + population) * mosSeconds + Double(1 + options.topK) * proxySeconds
                last = TimeFit(scale: f, population: population, mosSeconds: mosSeconds, proxySeconds: proxySeconds,
                               preparationSeconds: preparation, firstGenerationSeconds: first, budgetSeconds: budget)
                if last!.fits { return last! }
            }
        }
        return last!
    }

    /// The seconds it predicts a training of each stage takes, for the run to compare with
    /// what its trainings take (`SearchOptions.planned`).
    public var planned: PlannedSeconds { PlannedSeconds(mos: mosSeconds, proxy: proxySeconds) }

    /// What was chosen and why, for the terminal.
    public func explanation(topK: Int) -> String {
        let steps = scale == 1 ? "the full proxy schedule" : String(format: "%.0f%% of the proxy schedule's steps", 100 * scale)
        var text = String(format: "one MOS training ~%.0f s, one proxy training ~%.0f s at %@; the baseline, %d MOS and %d proxy trainings take ~%.1f of the %.1f minutes",
                          mosSeconds, proxySeconds, steps, population, topK, firstGenerationSeconds / 60, budgetSeconds / 60)
        if !fits { text += " (more than fits: this machine is slower than any plan allows; the time limit still holds)" }
        return text
    }
}

/// The seconds a search's plan predicts one training of each stage takes on its machine
/// (`TimeFit`): what the run compares its trainings with, and its pace before a stage's first
/// training has ended.
public struct PlannedSeconds: Codable, Equatable, Sendable {
    /// One MOS training (every MOS seed of a candidate).
    public var mos: Double
    /// One proxy training.
    public var proxy: Double

    /// The plan's seconds of one MOS and one proxy training.
    public init(mos: Double, proxy: Double) {
        self.mos = mos
        self.proxy = proxy
    }
}
