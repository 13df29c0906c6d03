import LossLanguage

/// A fixed batch of loss inputs: what every probe of a check is made of.
struct ProbeBatch: Sendable {
    var rows: Int
    var classes: Int
    var inputs: [Input: [Double]]

    var lossBatch: LossBatch<Double> { LossBatch(rows: rows, classes: classes, inputs: inputs) }

    /// The batch of rows `range` only.
    func rows(_ range: Range<Int>, branch: Branch) -> ProbeBatch {
        var sliced: [Input: [Double]] = [:]
        for (input, data) in inputs {
            let width = branch.type(of: input) == .vector ? classes : 1
            sliced[input] = Array(data[range.lowerBound * width..<range.upperBound * width])
        }
        return ProbeBatch(rows: range.count, classes: classes, inputs: sliced)
    }
}

/// Which of a branch's probe batches an evaluation is for (`LossUnderTest` caches one
/// evaluation per kind).
public enum ProbeKind: Int, Sendable, CaseIterable {
    /// Extremes and ordinary points: finiteness, constancy, dependence on the prediction.
    case validity
    /// The branch's convergence property sweeps (CPV).
    case convergence
    /// The fixed seeded random batch of the behavioural fingerprint.
    case fingerprint
}

/// The validity probe: rows in groups that share the labels (y, w) and differ only in the
/// prediction, so that a loss ignoring the prediction is constant within every group. Each row
/// has a description for reasons.
struct ValidityProbe: Sendable {
    var batch: ProbeBatch
    var groups: [Range<Int>]
    var descriptions: [String]
}

/// Every probe batch of one branch, built once from the options and the seed.
struct ProbeSet: Sendable {
    let branch: Branch
    let validity: ValidityProbe
    let fingerprint: ProbeBatch
    let softmax: SoftmaxSweep?
    let sigmoid: SigmoidSweep?
    let regression: RegressionProbe?

    init(branch: Branch, options: CPVOptions) {
        self.branch = branch
        switch branch {
        case .softmax:
            validity = ClassificationProbes.softmaxValidity(options)
            fingerprint = ClassificationProbes.softmaxFingerprint(options)
            softmax = SoftmaxSweep(options)
            sigmoid = nil
            regression = nil
        case .sigmoid:
            validity = ClassificationProbes.sigmoidValidity(options)
            fingerprint = ClassificationProbes.sigmoidFingerprint(options)
            softmax = nil
            sigmoid = SigmoidSweep(options)
            regression = nil
        case .reg:
            validity = RegressionProbes.validity(options)
            fingerprint = RegressionProbes.fingerprint(options)
            softmax = nil
            sigmoid = nil
            regression = RegressionProbe(options)
        }
    }

    func batch(_ kind: ProbeKind) -> ProbeBatch {
        switch kind {
        case .validity: return validity.batch
        case .fingerprint: return fingerprint
        case .convergence:
            if let s = softmax { return s.batch }
            if let s = sigmoid { return s.batch }
            return regression!.batch
        }
    }
}

/// `count` evenly spaced points from a to b, both ends included.
func linspace(_ a: Double, _ b: Double, _ count: Int) -> [Double] {
    (0..<count).map { a + (b - a) * Double($0) / Double(count - 1) }
}
