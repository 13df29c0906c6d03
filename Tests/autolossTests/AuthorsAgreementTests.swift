import Foundation
import XCTest

/// The authors' meaning (issue 16, item 3): on random trees from the CSE-Autoloss authors'
/// primitive sets (DEAP's genHalfAndHalf, depths 2-6), of the formulas their code evaluates to one
/// loss per sample, `autoloss loss eval` parses at least 99 % and agrees with their definitions in
/// values (1e-9 relative) and gradients (1e-6) on at least 99 % of those compared, per branch,
/// on inputs from ordinary to extreme. Their definitions come from a float64 NumPy port written
/// for the test (scripts/authors/, cross-checked once against their torch code with
/// `--against-torch`); disagreements one of autoloss's documented deliberate differences
/// accounts for are counted apart (Sources/LossLanguage/README.md). A smaller sample than the
/// figures in bench/RESULTS.md: 200 trees per branch, another seed.
final class AuthorsAgreementTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testAutolossComputesWhatTheAuthorsCodeComputes() throws {
        let python = ProcessInfo.processInfo.environment["PYTHON"] ?? Self.repoRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return XCTFail("no Python at \(python): run `make venv` (installs numpy and deap from scripts/requirements-test.txt) or set PYTHON")
        }
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-authors-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: report) }
        let r = try CLI.run(URL(fileURLWithPath: python), [Self.repoRoot.appendingPathComponent("scripts/authors_agreement.py").path,
                                                           "--autoloss", CLI.binary.path, "--trees", "200", "--seed", "1600", "--json", report.path])
        let (stdout, stderr) = (r.stdout, r.stderr)
        guard let data = try? Data(contentsOf: report),
              let reports = try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else {
            let hint = stderr.contains("No module named") ? " (run `make venv`: scripts/requirements-test.txt lists numpy and deap)" : ""
            return XCTFail("authors_agreement.py wrote no report (exit \(r.status))\(hint): \(stderr)")
        }
        print(stdout)
        XCTAssertEqual(Set(reports.keys), ["softmax", "sigmoid", "reg"])
        for (branch, r) in reports.sorted(by: { $0.key < $1.key }) {
            let kept = r["kept"] as? Int ?? 0, parsed = r["parsed"] as? Int ?? 0, compared = r["compared"] as? Int ?? 0
            let values = r["values_agree"] as? Int ?? 0, gradients = r["gradients_agree"] as? Int ?? 0
            // The sample must hold formulas to judge: their code keeps about 1 in 11 softmax trees.
            XCTAssertGreaterThan(kept, 10, "\(branch): too few formulas their code evaluates to one loss per sample")
            XCTAssertGreaterThanOrEqual(Double(parsed), 0.99 * Double(kept), "\(branch): parsed \(parsed) of \(kept): \(r["not_parsed"] ?? "")")
            XCTAssertGreaterThanOrEqual(Double(values), 0.99 * Double(compared), "\(branch): values agree on \(values) of \(compared): \(r["disagreements"] ?? "")")
            XCTAssertGreaterThanOrEqual(Double(gradients), 0.99 * Double(compared), "\(branch): gradients agree on \(gradients) of \(compared): \(r["disagreements"] ?? "")")
        }
        XCTAssertEqual(r.status, 0, "authors_agreement.py reports a target missed:\n\(stdout)")
    }
}
