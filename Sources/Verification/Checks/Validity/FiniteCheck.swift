import LossLanguage

/// Validity: the loss and its gradient with respect to the prediction are finite (no NaN, no
/// infinity) on every row of the validity probe: logits at ±`extremeLogit` (30) and ordinary
/// ones, IoU from 1e-7 to 1, background rows; boxes identical, nested, touching and far apart,
/// 1 px and 8000 px, at every scale of `boxScales`. Any non-finite number fails.
public struct FiniteCheck: PropertyCheck {
    public let name = "finite"
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let result = loss.evaluation(.validity) else { return notEvaluable(loss) }
        let probe = loss.probes.validity
        guard let row = result.firstNonFiniteRow(classes: probe.batch.classes, branch: loss.branch) else {
            return pass("values and gradients finite on all \(probe.batch.rows) validity probe rows, extremes included")
        }
        let place = probe.descriptions[row]
        let value = result.values[row]
        if !value.isFinite {
            return fail("the loss is \(Format.number(value)) for \(place) (\(result.nonFiniteCount) non-finite numbers on the validity probe)")
        }
        let c = probe.batch.classes
        for input in loss.branch.predictionInputs.sorted() {
            guard let g = result.gradients[input] else { continue }
            let width = loss.branch.type(of: input) == .vector ? c : 1
            if let bad = g[row * width..<(row + 1) * width].first(where: { !$0.isFinite }) {
                return fail("the gradient with respect to \(input.name) is \(Format.number(bad)) for \(place) (\(result.nonFiniteCount) non-finite numbers on the validity probe)")
            }
        }
        return fail("the loss is not finite for \(place)")
    }
}
