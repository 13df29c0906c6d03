import Foundation
import LossLanguage
import Search
import XCTest

/// Export parity (issue 14, item 4): every formula's PyTorch export runs, and agrees with the
/// evaluator (`CompiledLoss<Double>`, what `autoloss loss eval` prints) in values and gradients.
///
/// 1,000 random well-typed formulas per branch (`FormulaGenerator`, seeded SplitMix64), the known
/// losses and a few hand-made edge cases (operators on constants, a 90-deep chain) are exported,
/// run by one Python process in float64 with autograd (scripts/export_parity.py), and compared
/// with the evaluator in process, on inputs in ordinary ranges and extreme ones (logits ±30,
/// IoU 1e-7, disjoint boxes, 800 px boxes), as the verifier's probes use.
///
/// "Agree": where both numbers are finite, |a - b| <= rtol * max(|a|, |b|) with rtol = 1e-9 for
/// values and 1e-6 for gradients, or, beyond that, within 1024 ulps of the magnitude of the terms
/// the number is a difference of (`ParityComparison`, `GradientMagnitude`: about 60 of 419,000
/// numbers, gradients like w/w's at w = 1e-7, which neither side determines to 1e-6); where one
/// is not finite, the other must not be either (NaN and ±inf are not told apart: both sides
/// report the loss as failed). No export may raise.
final class ExportParityTests: XCTestCase {
    static let formulasPerBranch = 1000
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testExportedPyTorchRunsAndMatchesTheEvaluator() throws {
        let python = ProcessInfo.processInfo.environment["PYTHON"] ?? Self.repoRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return XCTFail("no Python at \(python): run `make venv` (installs torch from scripts/requirements-test.txt) or set PYTHON")
        }
        var cases: [(branch: Branch, expr: Expr)] = []
        for (k, branch) in Branch.allCases.enumerated() {
            var rng = SplitMix64(seed: 14_004 + UInt64(k))
            let generator = try FormulaGenerator(branch: branch)
            for _ in 0..<Self.formulasPerBranch { cases.append((branch, generator.generate(using: &rng))) }
            for text in KnownLoss.all.filter({ $0.branches.contains(branch) }).map(\.name) + Self.edgeCases(branch) {
                cases.append((branch, try Expr.resolve(text, branch: branch)))
            }
        }
        let batches = Dictionary(uniqueKeysWithValues: Branch.allCases.map { ($0, ParityInputs.batch($0)) })
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var inputsJSON: [String: Any] = [:]
        for (branch, batch) in batches {
            var spec: [String: Any] = ["rows": batch.rows, "classes": batch.classes]
            for (input, data) in batch.inputs { spec[input.name] = data }
            inputsJSON[branch.rawValue] = spec
        }
        let formulas = cases.map { ["branch": $0.branch.rawValue, "code": $0.expr.pytorch(branch: $0.branch)] }
        let casesURL = folder.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: ["inputs": inputsJSON, "formulas": formulas]).write(to: casesURL)

        let started = Date()
        let outURL = folder.appendingPathComponent("out.f64"), errorsURL = folder.appendingPathComponent("errors.json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.repoRoot.appendingPathComponent("scripts/export_parity.py").path, casesURL.path, outURL.path, errorsURL.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1"]) { $1 }
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let hint = stderr.contains("No module named") ? " (run `make venv`: scripts/requirements-test.txt lists torch)" : ""
            return XCTFail("export_parity.py failed (\(process.terminationStatus))\(hint): \(stderr)")
        }
        let pythonSeconds = Date().timeIntervalSince(started)

        let errors = try JSONSerialization.jsonObject(with: Data(contentsOf: errorsURL)) as? [[String: Any]] ?? []
        for e in errors.prefix(10) {
            let k = e["index"] as? Int ?? 0
            XCTFail("export of \(cases[k].expr.infix) (\(cases[k].branch.rawValue)) raised: \(e["error"] ?? "")")
        }
        XCTAssertEqual(errors.count, 0, "exports that raised")

        let torch: [Double] = try Data(contentsOf: outURL).withUnsafeBytes { raw in
            Array(raw.bindMemory(to: Double.self))
        }
        var comparison = ParityComparison()
        var offset = 0
        let failed = Set(errors.compactMap { $0["index"] as? Int })
        for (k, c) in cases.enumerated() {
            let batch = batches[c.branch]!
            let loss = try CompiledLoss<Double>(c.expr, branch: c.branch)
            let swift = try loss.evaluate(batch)
            let series = [swift.values] + c.branch.inputs.map { swift.gradients[$0]! }
            let names = ["value"] + c.branch.inputs.map { "d/d\($0.name)" }
            guard offset + series.map(\.count).reduce(0, +) <= torch.count else { return XCTFail("export_parity.py wrote too few numbers") }
            var theirs: [[Double]] = []
            for s in series {
                theirs.append(Array(torch[offset..<offset + s.count]))
                offset += s.count
            }
            if failed.contains(k) { continue }
            let tolerances = series.indices.map { $0 == 0 ? 1e-9 : 1e-6 }
            for s in series.indices {
                let input = s == 0 ? nil : c.branch.inputs[s - 1]
                let width = input.map { c.branch.type(of: $0) == .vector ? batch.classes : 1 } ?? 1
                try comparison.compare(series[s], theirs[s], rtol: tolerances[s], magnitude: { k in
                    let sample = GradientMagnitude.sample(batch, row: k / width, branch: c.branch)
                    guard let input else { return try GradientMagnitude.valueScale(c.expr, sample: sample) }
                    let m = try GradientMagnitude.of(c.expr, sample: sample)
                    switch m[input] {
                    case .scalar(let v)?: return v
                    case .vector(let v)?: return v[k % width]
                    case nil: return 0
                    }
                }, label: "\(c.branch.rawValue) \(c.expr.infix) \(names[s])")
            }
        }
        XCTAssertEqual(offset, torch.count, "export_parity.py wrote \(torch.count) numbers, expected \(offset)")
        for line in comparison.mismatches.prefix(20) { XCTFail(line) }
        XCTAssertEqual(comparison.mismatches.count, 0, "numbers that disagree")
        print("export parity: \(cases.count) formulas (\(Self.formulasPerBranch) random per branch), \(comparison.finite) finite numbers within tolerance, "
              + "\(comparison.illConditioned) beyond it but within 1024 ulps of their terms' magnitude, \(comparison.bothNonFinite) non-finite on both sides, \(comparison.mismatches.count) disagreements, \(errors.count) exports raised; "
              + "Python \(String(format: "%.1f", pythonSeconds)) s")
    }

    /// Formulas the random draw may miss: operators on constants (a TypeError before), exp's
    /// clamp and underflow, gd's far tail, a chain deeper than Python's parser nests.
    static func edgeCases(_ branch: Branch) -> [String] {
        let p = branch == .reg ? "i" : "x"
        var cases = [
            "\(p) * sigmoid(1)", "\(p) * exp(log(2)) + softplus(3) - relu(-1) + abs(-2) * sqrt(2) + tanh(1) + sin(3) * cos(2)",
            "exp(\(p) * \(p)) + exp(-(\(p) * \(p)) * 3)", "sqrt(exp(-(\(p) * \(p)) * 40))", "relu(sqrt(-\(p)))", "\(p) / (1 - 1)",
            "softplus(\(p)) - relu(\(p))", "sqrt(-1) + \(p)",
            String(repeating: "sin(", count: 90) + p + String(repeating: ")", count: 90),
            Array(repeating: p, count: 300).joined(separator: " + "),
        ]
        if branch != .reg { cases += ["gd(\(p)) + alf(\(p) * 1e16) + erf(\(p)) + erfc(\(p))", "gd(\(p) * 40) * alf(\(p) * \(p) * \(p))"] }
        if branch == .softmax {
            cases = cases.map { "dot(y, \($0)) + w" }
            cases += ["-dot(y, log(softmax(x * 3)))", "dot(softmax(x), log(softmax(-x))) * w", "dot(y, x) / w",
                      // The authors' broadcasts: w and constants over the classes (issue 16).
                      "dot(w, x) + dot(w, w) * dot(2, x) + dot(softmax(w), x) + dot(2, 3) * w - dot(y, log(softmax(w * 2)))"]
        }
        return cases
    }
}
