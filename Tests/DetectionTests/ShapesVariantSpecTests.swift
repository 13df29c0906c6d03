import Detection
import Foundation
import XCTest
import _TestSupport

/// `--data shapes:VARIANT[,KEY=VALUE]...`: what each spec resolves to, the canonical name that
/// resolves back to the same data (worker processes depend on it), and bad specs refused with
/// the bad part and what is accepted there.
final class ShapesVariantSpecTests: XCTestCase {
    func options(_ spec: String, file: StaticString = #filePath, line: UInt = #line) throws -> (seed: UInt64, options: ShapesScenes.Options) {
        guard case let .shapes(seed, options) = try DetectorData.resolve(spec, searchingFrom: []) else {
            XCTFail("\(spec) is not the shapes scenes", file: file, line: line)
            throw XCTSkip("not shapes")
        }
        return (seed, options)
    }

    func testSpecsResolveToTheirVariantsOfThePresetScenes() throws {
        let base = DetectorData.proxyShapesOptions
        let cases: [(String, ShapesScenes.Variant?, String)] = [
            ("shapes", nil, "shapes"),
            ("shapes:imbalance", .imbalance(ratio: 100, objects: 3), "shapes:imbalance"),
            ("shapes:imbalance,ratio=200", .imbalance(ratio: 200, objects: 3), "shapes:imbalance,ratio=200"),
            ("shapes:imbalance,ratio=37.5", .imbalance(ratio: 37.5, objects: 3), "shapes:imbalance,ratio=37.5"),
            ("shapes:imbalance,ratio=100", .imbalance(ratio: 100, objects: 3), "shapes:imbalance"),
            ("shapes:imbalance,objects=1,ratio=1000", .imbalance(ratio: 1000, objects: 1), "shapes:imbalance,ratio=1000,objects=1"),
            ("shapes:imbalance,objects=3", .imbalance(ratio: 100, objects: 3), "shapes:imbalance"),
            ("shapes:imbalance,empty=0.6,objects=1", .imbalance(ratio: 100, objects: 1, empty: 0.6), "shapes:imbalance,objects=1,empty=0.6"),
            ("shapes:imbalance,empty=0", .imbalance(ratio: 100, objects: 3), "shapes:imbalance"),
            ("shapes:noisy", .noisy(labelNoise: 0.3, boxJitter: 0.1), "shapes:noisy"),
            ("shapes:noisy,noise=0.4,jitter=0.05", .noisy(labelNoise: 0.4, boxJitter: 0.05), "shapes:noisy,noise=0.4,jitter=0.05"),
            ("shapes:noisy,jitter=0.05,noise=0.4", .noisy(labelNoise: 0.4, boxJitter: 0.05), "shapes:noisy,noise=0.4,jitter=0.05"),
            ("shapes:noisy,jitter=0", .noisy(labelNoise: 0.3, boxJitter: 0), "shapes:noisy,jitter=0"),
            ("shapes:noisy,noise=0,jitter=0", .noisy(labelNoise: 0, boxJitter: 0), "shapes"),
            ("shapes:small", .small, "shapes:small"),
        ]
        for (spec, variant, canonical) in cases {
            let (seed, found) = try options(spec)
            XCTAssertEqual(seed, 2026, spec)
            XCTAssertEqual(found, variant?.applied(to: base) ?? base, spec)
            let data = try DetectorData.resolve(spec, searchingFrom: [])
            XCTAssertEqual(data.name, canonical, spec)
            XCTAssertNoThrow(try DetectorData.check(spec), spec)
            // The presets of the shapes scenes, not a folder's.
            XCTAssertTrue(data.isShapes, spec)
            XCTAssertEqual(data.schedule(for: .proxy), DetectorData.shapes.schedule(for: .proxy), spec)
            XCTAssertEqual(data.schedule(for: .mos), DetectorData.shapes.schedule(for: .mos), spec)
        }
        // The three variants are different scenes from each other and from the presets'.
        let all = try ["shapes", "shapes:imbalance", "shapes:noisy", "shapes:small"].map { try options($0).options }
        XCTAssertEqual(Set(all).count, 4)
    }

    /// A folder's name is its absolute path, so that it too resolves to the same data from a
    /// worker started in another folder.
    func testAFoldersNameIsItsAbsolutePath() throws {
        let root = try Fixtures.temporaryFolder(self)
        try ShapesScenes(seed: 1, imageSize: 32).export(to: root, train: 2, val: 1)
        let data = try DetectorData.resolve(root + "/../" + (root as NSString).lastPathComponent + "/.", searchingFrom: [])
        XCTAssertFalse(data.isShapes)
        XCTAssertEqual(data.name, URL(fileURLWithPath: root).standardizedFileURL.path)
        XCTAssertEqual(try DetectorData.resolve(data.name, searchingFrom: []).name, data.name)
    }

    /// name -> resolve -> the same seed and options, for random settings in range: the values
    /// print in the shortest form that reads back to the same Double.
    func testNamesRoundTripThroughResolve() throws {
        for seed in 0..<200 as Range<UInt64> {
            var rng = SeededGenerator(seed: seed)
            let variant: ShapesScenes.Variant
            switch seed % 3 {
            case 0: variant = .imbalance(ratio: seed % 2 == 0 ? Double(Int.random(in: 1...10_000, using: &rng)) : Double.random(in: 1...10_000, using: &rng),
                                         objects: Double(Int.random(in: 1...30, using: &rng)))
            case 1: variant = .noisy(labelNoise: Double.random(in: 0...0.8, using: &rng), boxJitter: Double.random(in: 0...0.14, using: &rng))
            default: variant = .small
            }
            let data = DetectorData.shapes(variant: variant)
            guard case let .shapes(_, options) = data else { return XCTFail("shapes") }
            let back = try self.options(data.name)
            XCTAssertEqual(back.seed, 2026, "seed \(seed): \(data.name)")
            XCTAssertEqual(back.options, options, "seed \(seed): \(data.name)")
            XCTAssertEqual(try DetectorData.resolve(data.name, searchingFrom: []).name, data.name, "seed \(seed)")
        }
        // Scenes no spec gives keep the name they had, for messages.
        XCTAssertEqual(DetectorData.shapes(seed: 7, options: ShapesScenes.Options()).name, "shapes")
        XCTAssertEqual(DetectorData.shapes(seed: 7, options: ShapesScenes.Variant.small.applied(to: DetectorData.proxyShapesOptions)).name, "shapes")
    }

    func testBadSpecsNameTheBadPartAndWhatIsAccepted() {
        let cases: [(String, String)] = [
            ("shapes:", "unknown variant '': give shapes, shapes:imbalance, shapes:noisy, shapes:small"),
            ("shapes:big", "unknown variant 'big': give shapes, shapes:imbalance, shapes:noisy, shapes:small"),
            ("shapes:Noisy", "unknown variant 'Noisy'"),
            ("shapes:noisy,ratio=2", "'ratio' is not a key of noisy (the keys of noisy: noise, jitter)"),
            ("shapes:noisy,seed=3", "'seed' is not a key of noisy (the keys of noisy: noise, jitter)"),
            ("shapes:small,ratio=2", "'ratio' is not a key of small (small takes no keys)"),
            ("shapes:imbalance,noise=0.1", "'noise' is not a key of imbalance (the keys of imbalance: ratio, objects, empty)"),
            ("shapes:imbalance,empty=0.99", "empty=0.99: give the share of the training images without their objects, from 0 to 0.95"),
            ("shapes:imbalance,objects=1.5", "objects=1.5: give the most objects an image, a whole number from 1 to 30 (each image holds 0 to that many)"),
            ("shapes:imbalance,objects=0", "objects=0: give the most objects an image, a whole number from 1 to 30"),
            ("shapes:noisy,noise", "'noise': give KEY=VALUE after each comma (the keys of noisy: noise, jitter)"),
            ("shapes:noisy,", "'': give KEY=VALUE after each comma"),
            ("shapes:noisy,noise=abc", "noise=abc: give the fraction of wrong class labels, from 0 to 0.8"),
            ("shapes:noisy,noise=0.9", "noise=0.9: give the fraction of wrong class labels, from 0 to 0.8"),
            ("shapes:noisy,noise=nan", "noise=nan: give the fraction"),
            ("shapes:noisy,jitter=0.2", "jitter=0.2: give the box edges' jitter as a fraction of the side, from 0 to 0.14"),
            ("shapes:imbalance,ratio=0.5", "ratio=0.5: give the commonest class's frequency over the rarest's, a number from 1 to 10000"),
            ("shapes:imbalance,ratio=1:200", "ratio=1:200: give the commonest"),
            ("shapes:noisy,noise=0.1,noise=0.2", "noise is given twice"),
        ]
        for (spec, message) in cases {
            for call in [{ _ = try DetectorData.resolve(spec, searchingFrom: []) }, { try DetectorData.check(spec) }] {
                XCTAssertThrowsError(try call(), spec) { error in
                    guard case let TrainingError.badData(source, reason)? = error as? TrainingError else { return XCTFail("\(spec): \(error)") }
                    XCTAssertEqual(source, spec)
                    XCTAssertTrue(reason.hasPrefix(message), "\(spec): \(reason)")
                }
            }
        }
        // Not a shapes spec: a folder's path, as before.
        XCTAssertThrowsError(try DetectorData.check("./shapes:noisy")) { XCTAssertTrue("\($0)".contains("no such dataset folder (give shapes, a variant such as shapes:noisy"), "\($0)") }
        XCTAssertThrowsError(try DetectorData.check("shapesX")) { XCTAssertTrue("\($0)".contains("no such dataset folder"), "\($0)") }
    }
}
