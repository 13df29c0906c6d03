import LossLanguage

/// One property a loss must have, tested numerically on fixed probe batches.
///
/// Each conforming type documents the property it tests and its thresholds (all in
/// `CPVOptions`); `check` never throws: a numeric failure is a finding, not an error.
///
///     let finding = FiniteCheck().check(loss, options: CPVOptions())
///     if finding.verdict == .failure { print(finding.reason) }
public protocol PropertyCheck: Sendable {
    /// A stable identifier for reports, JSON and tests: `finite`, `softmax-monotone`, ...
    var name: String { get }
    /// The branches the property is defined for.
    var branches: Set<Branch> { get }
    /// Tests the property on `loss`'s probes with the thresholds of `options`.
    func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding
    /// The failure that the formula's text alone shows (no evaluation), or nil; `check`
    /// includes it. Screening runs every precheck before any evaluation.
    func precheck(_ expr: Expr, branch: Branch) -> Finding?
}

extension PropertyCheck {
    public var branches: Set<Branch> { Set(Branch.allCases) }
    public func precheck(_ expr: Expr, branch: Branch) -> Finding? { nil }

    func pass(_ reason: String) -> Finding { Finding(check: name, verdict: .pass, reason: reason) }
    func warn(_ reason: String) -> Finding { Finding(check: name, verdict: .warning, reason: reason) }
    func fail(_ reason: String) -> Finding { Finding(check: name, verdict: .failure, reason: reason) }

    /// The finding when the probe could not be evaluated at all (the formula is not well typed).
    func notEvaluable(_ loss: LossUnderTest) -> Finding {
        fail("the formula cannot be evaluated: \(loss.compileError ?? "unknown error")")
    }
}

/// A formula under verification: compiled once, on first need (Double precision, gradients
/// for the branch's prediction inputs), each probe batch evaluated at most once and shared by
/// the checks. A probe may be evaluated in stages, first rows first, so that a check can reject
/// on a prefix of its probe (most candidates fail at once) and pay for the rest only if needed.
public final class LossUnderTest {
    /// The formula under verification.
    public let expr: Expr
    /// Its branch.
    public let branch: Branch
    let probes: ProbeSet
    private var compiledState: CompiledLoss<Double>??
    private var compileErrorText: String?
    /// Per probe kind, the evaluation of its first rows (all of them once complete).
    private var cache: [(rows: Int, result: LossEvaluation<Double>)?] = Array(repeating: nil, count: ProbeKind.allCases.count)

    init(expr: Expr, branch: Branch, probes: ProbeSet) {
        self.expr = expr
        self.branch = branch
        self.probes = probes
    }

    /// The compiled formula; nil when it does not compile (not well typed), and then
    /// `compileError` says why.
    public var compiled: CompiledLoss<Double>? {
        if let done = compiledState { return done }
        do {
            compiledState = .some(try CompiledLoss<Double>(expr, branch: branch, gradientsFor: Set(branch.predictionInputs)))
        } catch {
            compiledState = .some(nil)
            compileErrorText = "\(error)"
        }
        return compiledState!
    }

    /// Why the formula could not be compiled for the probes, or nil when it compiled.
    public var compileError: String? {
        _ = compiled
        return compileErrorText
    }

    /// The loss's values and prediction gradients on one of the branch's probe batches, or nil
    /// when the formula does not compile.
    public func evaluation(_ kind: ProbeKind) -> LossEvaluation<Double>? {
        evaluation(kind, rows: probes.batch(kind).rows)
    }

    /// The evaluation of at least the first `rows` rows of a probe batch (rows beyond them may
    /// be missing): evaluates only the rows not done yet.
    func evaluation(_ kind: ProbeKind, rows wanted: Int) -> LossEvaluation<Double>? {
        let done = cache[kind.rawValue]
        if let done, done.rows >= wanted { return done.result }
        guard let compiled else { return nil }
        let batch = probes.batch(kind)
        let from = done?.rows ?? 0, to = min(max(wanted, from), batch.rows)
        let slice = from == 0 && to == batch.rows ? batch : batch.rows(from..<to, branch: branch)
        guard let part = try? compiled.evaluate(slice.lossBatch) else { return nil }
        var result = part
        if let done {
            result = done.result
            result.values += part.values
            for (input, g) in part.gradients { result.gradients[input, default: []] += g }
            result.nonFiniteCount += part.nonFiniteCount
        }
        cache[kind.rawValue] = (to, result)
        return result
    }
}

extension LossEvaluation where T == Double {
    /// The first row whose value, or one of whose gradient entries, is not finite.
    func firstNonFiniteRow(classes: Int, branch: Branch) -> Int? {
        var first: Int?
        func note(_ row: Int) { if first == nil || row < first! { first = row } }
        if let k = values.firstIndex(where: { !$0.isFinite }) { note(k) }
        for (input, g) in gradients {
            let width = branch.type(of: input) == .vector ? classes : 1
            if let k = g.firstIndex(where: { !$0.isFinite }) { note(k / width) }
        }
        return first
    }
}
