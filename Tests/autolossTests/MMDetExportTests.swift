import Foundation
import XCTest

/// `autoloss export --format mmdet` against mmdetection itself: every known loss's module is
/// registered in mmdet 3.3's real `MODELS` registry (mmengine), built through it, and agrees with
/// `loss eval` (scripts/check_mmdet_export.py). mmdet's weight_reduce_loss stays a stand-in:
/// `mmdet.models` imports mmcv's compiled ops, which mmcv-lite (the only mmcv that installs here
/// without a C++ toolchain for torch) does not have.
final class MMDetExportTests: XCTestCase {
    func testModulesRegisterInMMDetsRegistryAndAgreeWithLossEval() throws {
        let python = ProcessInfo.processInfo.environment["PYTHON"] ?? ExportParityTests.repoRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return XCTFail("no Python at \(python): run `make venv` (installs mmdet from scripts/requirements-test.txt) or set PYTHON")
        }
        let r = try CLI.run(URL(fileURLWithPath: python), [ExportParityTests.repoRoot.appendingPathComponent("scripts/check_mmdet_export.py").path,
                                                           CLI.binary.path])
        let text = r.stdout
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(text.hasPrefix("registry: mmdet.registry.MODELS (mmengine)"), "mmdet's own registry, not the stand-in: \(text)")
        XCTAssertGreaterThanOrEqual(text.components(separatedBy: "max relative difference").count - 1, 13, text)
    }
}
