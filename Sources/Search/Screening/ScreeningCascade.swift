import Dispatch
import LossLanguage
import Verification

/// Where one candidate's screening ended.
public enum ScreeningOutcome: Sendable, Equatable {
    /// Removed at one of `Stage.screening`, by `check` (validity and CPV stages) for `reason`.
    case rejected(Stage, check: String?, reason: String)
    /// Passed every stage; its fingerprint is new.
    case accepted(Fingerprint)
}

/// Runs candidates of one branch through validity -> dedup -> CPV -> equivalence and counts
/// what each stage removes. The sets of seen canonical forms and fingerprints may be shared by
/// several cascades (one per thread) screening the same search.
///
///     var cascade = ScreeningCascade(verifier: .standard, branch: .reg)
///     cascade.screen(try Expr.resolve("giou", branch: .reg))   // .accepted(...)
///     cascade.screen(try Expr.parse("1 - i/u + (e - u)/e", branch: .reg))   // .rejected(.dedup, ...)
public struct ScreeningCascade {
    /// Runs validity and CPV.
    public let verifier: Verifier
    /// The branch it screens.
    public let branch: Branch
    /// Canonical forms seen, shared by the cascades of one search.
    public let canonicalForms: SeenSet<String>
    /// Fingerprints seen, shared likewise.
    public let fingerprints: SeenSet<Fingerprint>
    /// What each stage removed so far.
    public private(set) var counts = ScreeningCounts()
    /// Off for the filter ablation's "no CPV" arm: candidates then pass the CPV stage unchecked.
    public var usesCPV = true
    let cpvChecks: [any PropertyCheck]

    /// A cascade; pass sets to share what was seen with other cascades.
    public init(verifier: Verifier, branch: Branch, canonicalForms: SeenSet<String> = SeenSet(),
                fingerprints: SeenSet<Fingerprint> = SeenSet()) {
        self.verifier = verifier
        self.branch = branch
        self.canonicalForms = canonicalForms
        self.fingerprints = fingerprints
        cpvChecks = Verifier.convergenceChecks.filter { $0.branches.contains(branch) }
    }

    /// Screens one candidate, recording its outcome and the time each stage took.
    @discardableResult
    public mutating func screen(_ expr: Expr) -> ScreeningOutcome {
        var clock = StageClock()
        let outcome = run(expr, &clock)
        counts.record(outcome, nanoseconds: clock.spent)
        return outcome
    }

    private func run(_ expr: Expr, _ clock: inout StageClock) -> ScreeningOutcome {
        let loss = verifier.prepare(expr, branch: branch)
        if let failure = verifier.firstFailure(Verifier.validityChecks, on: loss) {
            clock.lap(.validity)
            return .rejected(.validity, check: failure.check, reason: failure.reason)
        }
        clock.lap(.validity)
        let canonical = expr.canonicalString(in: branch)
        let fresh = canonicalForms.insert(canonical)
        clock.lap(.dedup)
        if !fresh { return .rejected(.dedup, check: nil, reason: "canonical form \(canonical) already seen") }
        if usesCPV, let failure = verifier.firstFailure(cpvChecks, on: loss) {
            clock.lap(.cpv)
            return .rejected(.cpv, check: failure.check, reason: failure.reason)
        }
        clock.lap(.cpv)
        defer { clock.lap(.equivalence) }
        guard let fingerprint = verifier.fingerprint(loss) else {
            return .rejected(.equivalence, check: nil, reason: "no fingerprint: the formula cannot be evaluated")
        }
        if !fingerprints.insert(fingerprint) {
            return .rejected(.equivalence, check: nil, reason: "fingerprint \(fingerprint.hex) already seen")
        }
        return .accepted(fingerprint)
    }
}

/// Wall time per stage of one candidate.
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var spent: [UInt64] = Array(repeating: 0, count: Stage.screening.count)

    /// `stage` is one of `Stage.screening`, whose positions are their `order`.
    mutating func lap(_ stage: Stage) {
        let now = DispatchTime.now().uptimeNanoseconds
        spent[stage.order] += now - last
        last = now
    }
}
