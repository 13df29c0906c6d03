import LossLanguage

/// Softmax CPV, gradient direction: at the points of the GT-logit sweeps (see
/// `SoftmaxMonotoneCheck`), gradient descent pushes the GT logit up (dL/dx_t <= 0) and every
/// other logit down (dL/dx_j >= 0), at no less than `monotoneFraction` (99 %) of the points.
/// Signs are judged with a slack of `tolerance` times the row's largest gradient entry.
public struct SoftmaxGradientCheck: PropertyCheck {
    public let name = "softmax-gradient"
    public var branches: Set<Branch> { [.softmax] }
    public init() {}

    public func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding {
        guard let result = loss.evaluation(.convergence), let probe = loss.probes.softmax,
              let g = result.gradients[.x] else { return notEvaluable(loss) }
        let c = probe.batch.classes, p = probe.points
        var count = StepCount()
        var firstReason: String?
        for (s, sweep) in probe.sweeps.enumerated() {
            for k in p.indices {
                let row = g[(sweep.firstRow + k) * c..<(sweep.firstRow + k + 1) * c]
                let slack = options.tolerance * max(1, row.map { Swift.abs($0) }.max() ?? 0)
                var problem: String?
                for (j, d) in row.enumerated() where problem == nil {
                    if !d.isFinite {
                        problem = "dL/dx_\(j) = \(Format.number(d))"
                    } else if j == sweep.target && d > slack {
                        problem = "it pushes the GT logit down (dL/dx_t = \(Format.number(d)) > 0)"
                    } else if j != sweep.target && d < -slack {
                        problem = "it pushes the logit of class \(j) up (dL/dx_\(j) = \(Format.number(d)) < 0)"
                    }
                }
                count.record(ok: problem == nil, sweep: s, index: k)
                if let problem, firstReason == nil {
                    firstReason = "\(problem) at x_t = \(Format.number(p[k])) for \(sweep.label)"
                }
            }
        }
        if count.rightFraction < options.monotoneFraction, let firstReason {
            return fail("the gradient points the wrong way: \(firstReason), \(count.share(of: "sweep points", required: options.monotoneFraction))")
        }
        return pass("the gradient pushes the GT logit up and the others down at \(Format.percent(count.rightFraction)) of \(count.total) sweep points")
    }
}
