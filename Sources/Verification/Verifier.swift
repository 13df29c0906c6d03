import LossLanguage

/// The entry point of verification: validity checks, then the branch's convergence property
/// checks (CPV), then the behavioural fingerprint (DESIGN.md, "The pipeline").
///
///     let report = Verifier.verify(try Expr.resolve("giou", branch: .reg), branch: .reg)
///     report.accepted                          // true
///     report.findings.map(\.check)             // ["well-typed", "finite", ..., "reg-nonoverlap-gradient"]
///
/// A verifier builds its probe batches once, in its initialiser; it is immutable and may be
/// shared between threads (each `LossUnderTest` belongs to one thread).
public struct Verifier: Sendable {
    /// The thresholds every check reads.
    public let options: CPVOptions
    let probes: [Branch: ProbeSet]

    /// Validity: typing, finiteness, constancy, use of the prediction (the last three share one
    /// evaluation of the validity probe; screening runs their text-only prechecks first).
    public static let validityChecks: [any PropertyCheck] = [
        WellTypedCheck(), FiniteCheck(), NotConstantCheck(), UsesPredictionCheck(),
    ]

    /// Convergence properties, all branches' (each check knows its branch), per branch in the
    /// order of their cost: those reading a prefix of the probe first.
    public static let convergenceChecks: [any PropertyCheck] = [
        SoftmaxMonotoneCheck(), SoftmaxConvergenceCheck(), SoftmaxGradientCheck(),
        SigmoidNegativesCheck(), SigmoidPositiveConvergenceCheck(), SigmoidQualityRankingCheck(),
        RegressionRankCheck(), RegressionPathCheck(), RegressionPerfectMatchCheck(), RegressionGradientCheck(),
    ]

    /// Builds every branch's probes; a settings problem (see `CPVOptions.problem`) traps, since
    /// options come from code, not from users.
    public init(options: CPVOptions = CPVOptions()) {
        if let problem = options.problem { preconditionFailure("CPVOptions: \(problem)") }
        self.options = options
        var probes: [Branch: ProbeSet] = [:]
        for b in Branch.allCases { probes[b] = ProbeSet(branch: b, options: options) }
        self.probes = probes
    }

    /// A verifier with the default options, built once.
    public static let standard = Verifier()

    /// Verifies with `options` (the shared standard verifier when they are the defaults).
    public static func verify(_ expr: Expr, branch: Branch, options: CPVOptions = CPVOptions()) -> VerificationReport {
        let verifier = options == standard.options ? standard : Verifier(options: options)
        return verifier.verify(expr, branch: branch)
    }

    /// The checks of `branch`, validity first.
    public func checks(for branch: Branch) -> [any PropertyCheck] {
        Self.validityChecks + Self.convergenceChecks.filter { $0.branches.contains(branch) }
    }

    /// The formula compiled against this verifier's probes, ready for checks.
    public func prepare(_ expr: Expr, branch: Branch) -> LossUnderTest {
        LossUnderTest(expr: expr, branch: branch, probes: probes[branch]!)
    }

    /// Runs every check. A validity failure stops the run (the properties need a valid loss);
    /// the convergence checks all run, so that a report lists every property that fails.
    /// With `stopAtFirstFailure` the run ends at the first failure of any check.
    public func verify(_ expr: Expr, branch: Branch, stopAtFirstFailure: Bool = false) -> VerificationReport {
        let loss = prepare(expr, branch: branch)
        var findings = run(Self.validityChecks, on: loss, stopAtFirstFailure: true)
        if !findings.contains(where: { $0.verdict == .failure }) {
            let cpv = Self.convergenceChecks.filter { $0.branches.contains(branch) }
            findings += run(cpv, on: loss, stopAtFirstFailure: stopAtFirstFailure)
        }
        return VerificationReport(formula: expr.infix, branch: branch, findings: findings, fingerprint: fingerprint(loss))
    }

    /// Runs `checks` in order on `loss`, skipping those of other branches.
    public func run(_ checks: [any PropertyCheck], on loss: LossUnderTest, stopAtFirstFailure: Bool) -> [Finding] {
        var findings: [Finding] = []
        for check in checks where check.branches.contains(loss.branch) {
            let finding = check.check(loss, options: options)
            findings.append(finding)
            if stopAtFirstFailure && finding.verdict == .failure { break }
        }
        return findings
    }

    /// The first failure among `checks`, or nil: the screening fast path. Every check's
    /// precheck (the formula's text alone) runs before any check evaluates the formula.
    public func firstFailure(_ checks: [any PropertyCheck], on loss: LossUnderTest) -> Finding? {
        for check in checks where check.branches.contains(loss.branch) {
            if let failure = check.precheck(loss.expr, branch: loss.branch) { return failure }
        }
        for check in checks where check.branches.contains(loss.branch) {
            let finding = check.check(loss, options: options)
            if finding.verdict == .failure { return finding }
        }
        return nil
    }

    /// The behavioural fingerprint of `loss` on its branch's fingerprint probe; nil when the
    /// formula cannot be evaluated.
    public func fingerprint(_ loss: LossUnderTest) -> Fingerprint? {
        guard let result = loss.evaluation(.fingerprint) else { return nil }
        return Fingerprint(branch: loss.branch, evaluation: result, options: options)
    }
}
