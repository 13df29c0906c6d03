/// The bars of multi-fidelity proxy training (issue 18; AutoML-Zero's hurdles, the rungs of
/// Hyperband's successive halving): a candidate's proxy training goes on past rung k only when
/// its AP there is at least
///
///     max(the baseline's AP at rung k, the lowest rung-k AP of the current parents) - margin
///
/// The parents are the best `topP` completed trainings by final AP; until there are `topP` of
/// them, the baseline alone sets the bar. A candidate that falls short of the baseline and of
/// every parent at the same point of the same schedule would, at the measured rank
/// correlation between rungs and the final AP (bench/RESULTS.md, "Search verdicts"), rarely end
/// above either; the margin absorbs the rung's noise (the rank correlation of a rung's AP with the
/// final one was 0.69 at a quarter of the schedule and 0.73 at half of it, over 34 reg candidates). The bars are fixed when a generation's
/// proxy stage starts, so its trainings are judged alike whatever order they finish in, and a
/// resumed run judges them as the first run did.
struct Hurdles {
    /// AP points below the bar that still go on. Chosen on the reg study (bench/RESULTS.md,
    /// "Search verdicts"): with rungs at 0.25 and 0.5 of the schedule and the baseline's bar, a
    /// margin of 2 kept the best three candidates and all four above the baseline while
    /// spending 18.75 of 33 whole trainings; a margin of 1 lost one of the best three.
    static let defaultMargin = 2.0

    let rungs: Int
    let margin: Double
    let topP: Int

    /// The bars, AP in percent per rung: from the baseline's rung scores and the completed
    /// candidates' (`evaluated`: proxy results that ran to their end).
    func bars(baseline: EvaluationResult?, evaluated: [HallOfFame.Entry]) -> [Double] {
        let parents = HallOfFame(entries: evaluated).top(topP)
        return (0..<rungs).map { k in
            var bar = baseline?.rungAP(k) ?? 0
            if parents.count == topP, let weakest = parents.compactMap({ $0.result.rungAP(k) }).min() {
                bar = max(bar, weakest)
            }
            return bar - margin
        }
    }
}
