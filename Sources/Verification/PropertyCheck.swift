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
    func check(_ loss: LossUnderTest, options: CPVOptions) -> Finding
}

extension PropertyCheck {
    public var branches: Set<Branch> { Set(Branch.allCases) }

    func pass(_ reason: String) -> Finding { Finding(check: name, verdict: .pass, reason: reason) }
    func warn(_ reason: String) -> Finding { Finding(check: name, verdict: .warning, reason: reason) }
    func fail(_ reason: String) -> Finding { Finding(check: name, verdict: .failure, reason: reason) }

    /// The finding when the probe could not be evaluated at all (the formula is not well typed).
    func notEvaluable(_ loss: LossUnderTest) -> Finding {
        fail("the formula cannot be evaluated: \(loss.compileError ?? "unknown error")")
    }
}

/// A formula under verification: compiled once (Double precision, gradients for the branch's
/// prediction inputs), with each probe batch evaluated at most once and shared by the checks.
public final class LossUnderTest {
    public let expr: Expr
    public let branch: Branch
    /// Nil when the formula does not compile (not well typed); `compileError` says why.
    public let compiled: CompiledLoss<Double>?
    public let compileError: String?
    let probes: ProbeSet
    private var cache: [LossEvaluation<Double>?] = Array(repeating: nil, count: ProbeKind.allCases.count)

    init(expr: Expr, branch: Branch, probes: ProbeSet) {
        self.expr = expr
        self.branch = branch
        self.probes = probes
        do {
            compiled = try CompiledLoss<Double>(expr, branch: branch, gradientsFor: Set(branch.predictionInputs))
            compileError = nil
        } catch {
            compiled = nil
            compileError = "\(error)"
        }
    }

    /// The loss's values and prediction gradients on one of the branch's probe batches, or nil
    /// when the formula does not compile.
    public func evaluation(_ kind: ProbeKind) -> LossEvaluation<Double>? {
        if let done = cache[kind.rawValue] { return done }
        guard let compiled, let result = try? compiled.evaluate(probes.batch(kind).lossBatch) else { return nil }
        cache[kind.rawValue] = result
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
