import LossLanguage

/// The outcome of verifying one formula: every check's finding in the order run, the overall
/// verdict and the behavioural fingerprint.
public struct VerificationReport: Sendable {
    /// The formula as verified, in infix.
    public var formula: String
    /// The branch it was verified in.
    public var branch: Branch
    /// Every check's finding, in the order the checks ran.
    public var findings: [Finding]
    /// Nil when the formula cannot be evaluated (not well typed).
    public var fingerprint: Fingerprint?

    /// Accepted unless a check failed; warnings do not reject.
    public var accepted: Bool { !findings.contains { $0.verdict == .failure } }

    /// The worst verdict among the findings.
    public var verdict: Verdict { findings.map(\.verdict).max() ?? .pass }

    /// The first failing finding, if any.
    public var firstFailure: Finding? { findings.first { $0.verdict == .failure } }

    /// A report of `findings`.
    public init(formula: String, branch: Branch, findings: [Finding], fingerprint: Fingerprint?) {
        self.formula = formula
        self.branch = branch
        self.findings = findings
        self.fingerprint = fingerprint
    }
}
