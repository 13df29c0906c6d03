import ArgumentParser
import LossLanguage
import Verification

/// `autoloss verify FORMULA --branch B [--json]`: validity and convergence property checks.
/// Exit 0 when the loss passes, 1 when it is rejected (after printing why), 2 on bad input.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a loss is well behaved: validity and convergence properties (CPV).",
        discussion: """
        Prints each check with its verdict (pass, warning, failure) and reason, the overall \
        verdict and the behavioural fingerprint (equal fingerprints: equivalent for training). \
        Exit status: 0 pass, 1 rejected, 2 bad input. Warnings do not reject.
        """)

    @OptionGroup var options: FormulaOptions

    @Flag(help: "Print one JSON object: schema, formula, branch, checks, verdict, fingerprint.")
    var json = false

    func run() throws {
        let expr = try options.expr()
        let report = Verifier.verify(expr, branch: options.branch)
        print(json ? Self.json(report).text : Self.text(report))
        if !report.accepted { throw ExitCode(1) }
    }

    /// The JSON form; its keys are stable (schema 1).
    static func json(_ report: VerificationReport) -> JSON {
        .object([
            ("schema", .number(1)),
            ("formula", .string(report.formula)),
            ("branch", .string(report.branch.rawValue)),
            ("checks", .array(report.findings.map {
                .object([("name", .string($0.check)), ("verdict", .string($0.verdict.rawValue)), ("reason", .string($0.reason))])
            })),
            ("verdict", .string(report.accepted ? "pass" : "fail")),
            ("fingerprint", report.fingerprint.map { .string($0.hex) } ?? .null),
        ])
    }

    /// One line per check, then the verdict and the fingerprint.
    static func text(_ report: VerificationReport) -> String {
        let width = report.findings.map(\.check.count).max() ?? 0
        var lines = ["formula      \(report.formula)", "branch       \(report.branch.rawValue)"]
        for f in report.findings {
            let verdict = f.verdict.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append("\(verdict) \(f.check.padding(toLength: width, withPad: " ", startingAt: 0))  \(f.reason)")
        }
        lines.append("verdict      \(report.accepted ? "pass" : "fail")")
        lines.append("fingerprint  \(report.fingerprint?.hex ?? "none")")
        return lines.joined(separator: "\n")
    }
}
