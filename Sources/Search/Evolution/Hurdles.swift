/// The bars of multi-fidelity proxy training (issue 18; AutoML-Zero's hurdles, the rungs of
/// Hyperband's successive halving): a candidate's proxy training goes on past rung k only when
/// its AP there is at least
///
///     max(the baseline's AP at rung k, the lowest rung-k AP of the current parents) - margin
///
/// The parents are the best `topP` completed trainings by final AP; until there are `topP` of
/// them, the baseline alone sets the bar. A candidate that falls short of the baseline and of
/// every parent at the same point of the same schedule would, at the measured rank
/// correlation between rungs and the final AP (bench/RESULTS.md, "Multi-fidelity"), rarely end
/// above either; the margin absorbs the rung's noise. The bars are fixed when a generation's
/// proxy stage starts, so its trainings are judged alike whatever order they finish in, and a
/// resumed run judges them as the first run did.
struct Hurdles {
    /// AP points below the bar that still go on: the spread of a rung's AP between seeds is a
    /// few tenths (bench/RESULTS.md), a training's gain after a rung often more.
    static let defaultMargin = 1.0

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
