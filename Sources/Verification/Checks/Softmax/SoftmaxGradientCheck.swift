import LossLanguage

/// Softmax CPV, gradient direction: at the points of the GT-logit sweeps (see
/// `SoftmaxMonotoneCheck`), gradient descent pushes the GT logit up (dL/dx_t <= 0) and every
/// other logit down (dL/dx_j >= 0), at no less than `monotoneFraction` (99 %) of the points.
/// Signs are judged with a slack of `tolerance` times the row's largest gradient entry.
public struct SoftmaxGradientCheck: PropertyCheck {
    public let name = "softmax-gradient"
    public var branches: Set<Branch> { [.softmax] }
    /// The check; its thresholds come from the `CPVOptions` given to `check`.
    public init() {}

    /// Tests the property on the loss's probes: a pass, a warning or a failure with the reason.
    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let probe = loss.probes.softmax else { return notEvaluable(loss) }
        let c = probe.batch.classes, p = probe.points
        var count = StepCount(expected: probe.sweeps.count * p.count, required: options.monotoneFraction)
        for stage in probe.stages {
            guard let result = loss.evaluation(.convergence, rows: stage.rows), let g = result.gradients[.x] else { return notEvaluable(loss) }
            count = StepCount(expected: count.expected, required: count.required)
            var firstReason: String?
            for (s, sweep) in probe.sweeps[..<stage.sweeps].enumerated() {
                for k in p.indices {
                    let problem = Self.problem(g[(sweep.firstRow + k) * c..<(sweep.firstRow + k + 1) * c], target: sweep.target, options: options)
                    count.record(ok: problem == nil, sweep: s, index: k)
                    if let problem, firstReason == nil {
                        firstReason = "\(problem) at x_t = \(Format.number(p[k])) for \(sweep.label)"
                    }
                }
            }
            if count.failed, let firstReason {
                return fail("the gradient points the wrong way: \(firstReason), \(count.share(of: "sweep points"))")
            }
        }
        return pass("the gradient pushes the GT logit up and the others down at \(Format.percent(count.rightFraction)) of \(count.expected) sweep points")
    }

    /// What is wrong with one row's gradient, or nil.
    static func problem(_ row: ArraySlice<Double>, target: Int, options: CPVOptions) -> String? {
        var largest = 0.0
        for d in row { largest = max(largest, Swift.abs(d)) }
        let slack = options.tolerance * max(1, largest)
        for (j, d) in zip(0..., row) {
            if !d.isFinite { return "dL/dx_\(j) = \(Format.number(d))" }
            if j == target && d > slack { return "it pushes the GT logit down (dL/dx_t = \(Format.number(d)) > 0)" }
            if j != target && d < -slack { return "it pushes the logit of class \(j) up (dL/dx_\(j) = \(Format.number(d)) < 0)" }
        }
        return nil
    }
}
