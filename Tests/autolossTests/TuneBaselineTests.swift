import Foundation
import Search
import TensorEngine
import XCTest

/// `tune-baseline` and `search --tuned-baseline`, on the shapes proxy at a tiny schedule: the
/// sweeps train what they say (each training's AP is what `train` gives with the same settings),
/// a rerun trains nothing again, and a search measured against the tuning trains its baseline
/// with the tuned settings and labels its gain so.
final class TuneBaselineTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-tune-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    static let scale = "0.005"  // 18 of the proxy's 3500 steps

    func testTuneThenSearchAgainstTheTunedBaseline() throws {
        let out = folder.appendingPathComponent("tuned").path
        let arguments = ["tune-baseline", "--mode", "sigmoid", "--weights", "1,2", "--alphas", "0.25,0.5", "--gammas", "2", "--seeds", "1,2",
                         "--schedule-scale", Self.scale, "--fixed-grid", "--out", out]
        let first = try CLI.run(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        let tuning = try TunedBaseline.read(out)
        // The weights at focal's published settings, then alpha at the best weight (0.25 there
        // already), then, where alpha 0.5 came out best, the other weight at alpha 0.5.
        let number = BaselineTuning.Setting.number
        let firstBest = try XCTUnwrap(BaselineTuning.best(Array(tuning.outcomes.prefix(2)))).setting.weight
        var expected = ["λ 1, alpha 0.25, gamma 2", "λ 2, alpha 0.25, gamma 2", "λ \(number(firstBest)), alpha 0.5, gamma 2"]
        let afterFocal = try XCTUnwrap(BaselineTuning.best(Array(tuning.outcomes.prefix(3)))).setting
        if afterFocal.alpha == 0.5 { expected.append("λ \(number(firstBest == 1 ? 2 : 1)), alpha 0.5, gamma 2") }
        XCTAssertEqual(tuning.outcomes.map(\.setting.label), expected)
        XCTAssertEqual(tuning.best.mean, tuning.outcomes.map(\.mean).max())
        XCTAssertTrue(tuning.outcomes.allSatisfy { $0.aps.count == 2 })
        XCTAssertTrue(first.stdout.contains("tuned baseline: focal + giou at \(tuning.best.setting.label)"), first.stdout)
        let trainings = folder.appendingPathComponent("tuned/trainings")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: trainings.path).count, 2 * expected.count)

        // A training of the sweep is what `train` gives with the same settings.
        let steps = String(7 * Double(Self.scale)!)
        let w2 = tuning.outcomes[1]
        let trained = try CLI.run(["train", "--quiet", "--mode", "sigmoid", "--cls", "focal", "--reg", "giou", "--reg-weight", "2",
                                   "--alpha", "0.25", "--epochs", steps, "--eval-images", "1000", "--seed", "2", "--out", folder.appendingPathComponent("t.json").path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let stats = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("t.json"))) as? [String: Any])["stats"] as? [Double]
        XCTAssertEqual(try XCTUnwrap(stats?.first) * 100, try XCTUnwrap(w2.aps["2"]), accuracy: 1e-12)

        // Again: nothing is trained twice, the same table comes out.
        let modified = try FileManager.default.attributesOfItem(atPath: trainings.appendingPathComponent("w1-a0.25-g2-s1.json").path)[.modificationDate] as? Date
        let again = try CLI.run(arguments)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout, first.stdout)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: trainings.appendingPathComponent("w1-a0.25-g2-s1.json").path)[.modificationDate] as? Date, modified)

        // The search trains its baseline with the tuned settings (seed 1: the tuning's own number).
        let run = folder.appendingPathComponent("search").path
        let search = try CLI.run(["search", "--branch", "sigmoid", "--tuned-baseline", out, "--schedule-scale", Self.scale, "--generations", "1",
                                  "--population", "2", "--top-k", "1", "--out", run])
        XCTAssertEqual(search.status, 0, search.stderr)
        XCTAssertTrue(search.stdout.contains("gain over the tuned baseline focal (\(tuning.best.setting.label):"), search.stdout)
        let report = try CLI.run(["report", run, "--json"])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(json["baseline_ap"] as? Double), try XCTUnwrap(tuning.best.aps["1"]), accuracy: 1e-9)
        XCTAssertTrue((json["gain_label"] as? String)?.hasPrefix("gain over the tuned baseline") ?? false)
        let untuned = try CLI.run(["report", run])
        XCTAssertTrue(untuned.stdout.contains("gain: gain over the tuned baseline"), untuned.stdout)

        // Another pair, or another schedule, is refused before anything runs.
        let reg = try CLI.run(["search", "--branch", "reg", "--tuned-baseline", out, "--schedule-scale", Self.scale, "--out", folder.appendingPathComponent("r").path])
        XCTAssertEqual(reg.status, 2)
        XCTAssertTrue(reg.stderr.contains("it tuned focal + giou in sigmoid mode"), reg.stderr)
        let scale = try CLI.run(["search", "--branch", "sigmoid", "--tuned-baseline", out, "--out", folder.appendingPathComponent("s").path])
        XCTAssertEqual(scale.status, 2)
        XCTAssertTrue(scale.stderr.contains("schedule scale"), scale.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("s").path))
    }

    /// λ is swept again only where focal's sweep moved alpha or gamma off the published 0.25
    /// and 2 the weights were swept at, and only for focal.
    func testTheWeightsAreSweptAgainWhereFocalsSettingsMoved() {
        let focal = BaselineTuning(mode: .sigmoid, classification: "focal", regression: "giou")
        XCTAssertFalse(focal.sweepsWeightsAgain(after: .init(weight: 3, alpha: 0.25, gamma: 2)))
        XCTAssertTrue(focal.sweepsWeightsAgain(after: .init(weight: 3, alpha: 0.25, gamma: 0)))
        XCTAssertTrue(focal.sweepsWeightsAgain(after: .init(weight: 2, alpha: 0.5, gamma: 2)))
        XCTAssertFalse(BaselineTuning(mode: .softmax, classification: "ce", regression: "giou").sweepsWeightsAgain(after: .init(weight: 3)))
    }

    /// A folder's trainings made in one precision are not mixed with another's: the tuning is
    /// refused before it trains, naming the folder and what it holds.
    func testTrainingsOfAnotherPrecisionAreRefused() throws {
        guard Precision.nativeBF16 else { throw XCTSkip("this processor has no native bfloat16") }
        let out = folder.appendingPathComponent("fp32")
        let trainings = out.appendingPathComponent("trainings")
        try FileManager.default.createDirectory(at: trainings, withIntermediateDirectories: true)
        let record: [String: Any] = ["setting": ["weight": 1, "alpha": 0.25, "gamma": 2], "seed": 1, "status": "ok", "ap": 50.0,
                                     "stats": [0.5], "seconds": 1, "reason": ""]
        try JSONSerialization.data(withJSONObject: record).write(to: trainings.appendingPathComponent("w1-a0.25-g2-s1.json"))
        let r = try CLI.run(["tune-baseline", "--mode", "sigmoid", "--weights", "1", "--alphas", "0.25", "--gammas", "2", "--seeds", "1",
                             "--schedule-scale", Self.scale, "--precision", "bf16", "--out", out.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--precision bf16: \(out.path) holds trainings made in fp32: tune in fp32 there, or into another folder"), r.stderr)
    }

    /// The whole run's order, steered by trainings written into the folder beforehand (a rerun
    /// reads what it holds): λ at focal's published settings, grown past the edge where λ 2 led;
    /// alpha at λ 2, where alpha 0.5 leads; then λ again at alpha 0.5, grown past that line's
    /// edge too. Only the two settings nobody wrote are trained.
    func testAMovedAlphaSweepsTheWeightsAgainThere() throws {
        let out = folder.appendingPathComponent("moved")
        let trainings = out.appendingPathComponent("trainings")
        try FileManager.default.createDirectory(at: trainings, withIntermediateDirectories: true)
        for (weight, alpha, ap) in [(1, 0.25, 50.0), (2, 0.25, 60.0), (4, 0.25, 55.0), (2, 0.5, 70.0)] {
            let record: [String: Any] = ["setting": ["weight": weight, "alpha": alpha, "gamma": 2], "seed": 1, "status": "ok", "ap": ap,
                                         "stats": [ap / 100], "seconds": 1, "reason": "", "precision": Precision.auto.resolved.rawValue]
            try JSONSerialization.data(withJSONObject: record).write(to: trainings.appendingPathComponent("w\(weight)-a\(alpha)-g2-s1.json"))
        }
        let r = try CLI.run(["tune-baseline", "--mode", "sigmoid", "--weights", "1,2", "--alphas", "0.25,0.5", "--gammas", "2", "--seeds", "1",
                             "--schedule-scale", Self.scale, "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("λ 2, alpha 0.5, gamma 2 is the best of alpha x gamma: λ again at alpha 0.5, gamma 2"), r.stderr)
        let tuning = try TunedBaseline.read(out.path)
        XCTAssertEqual(tuning.outcomes.map(\.setting.label), ["λ 1, alpha 0.25, gamma 2", "λ 2, alpha 0.25, gamma 2", "λ 4, alpha 0.25, gamma 2",
                                                              "λ 2, alpha 0.5, gamma 2", "λ 1, alpha 0.5, gamma 2", "λ 4, alpha 0.5, gamma 2"])
        XCTAssertEqual(tuning.best.setting, .init(weight: 2, alpha: 0.5, gamma: 2))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: trainings.path).count, 6)
        XCTAssertEqual(r.stderr.components(separatedBy: ", seed 1: ").count - 1, 2, "trained only λ 1 and 4 at alpha 0.5: \(r.stderr)")
    }

    func testBadListsAreRefused() throws {
        for (option, value) in [("--weights", "1,x"), ("--alphas", "1.5"), ("--gammas", "-1"), ("--seeds", "")] {
            let r = try CLI.run(["tune-baseline", option, value, "--out", folder.appendingPathComponent("x").path])
            XCTAssertEqual(r.status, 2, "\(option) \(value): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(option), r.stderr)
        }
    }

    /// A best weight at the grid's edge grows the grid past it (twice the largest, half the
    /// smallest) until the best lies inside, or the extensions run out.
    func testTheGridGrowsPastAnEdgeWhereTheBestLies() throws {
        XCTAssertEqual(BaselineTuning.beyondEdge(best: 5, weights: [0.5, 1, 2, 3, 5]), 10)
        XCTAssertEqual(BaselineTuning.beyondEdge(best: 0.5, weights: [0.5, 1, 2, 3, 5]), 0.25)
        XCTAssertNil(BaselineTuning.beyondEdge(best: 3, weights: [0.5, 1, 2, 3, 5]))
        XCTAssertNil(BaselineTuning.beyondEdge(best: 0.0625, weights: [0.0625, 1]))
        XCTAssertNil(BaselineTuning.beyondEdge(best: 800, weights: [1, 800]))

        let out = folder.appendingPathComponent("grown").path
        let r = try CLI.run(["tune-baseline", "--weights", "1", "--seeds", "1", "--schedule-scale", Self.scale, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let tuning = try TunedBaseline.read(out)
        let weights = tuning.outcomes.map(\.setting.weight)
        XCTAssertEqual(Array(weights.prefix(2)), [1, 2], "one weight is the grid's edge: twice it next")
        XCTAssertTrue(r.stdout.contains("is the best at the grid's edge: trying λ 2") || r.stderr.contains("is the best at the grid's edge: trying λ 2"),
                      r.stdout + r.stderr)
        XCTAssertLessThanOrEqual(weights.count, 5)
        if weights.count < 5 {
            XCTAssertNil(BaselineTuning.beyondEdge(best: tuning.best.setting.weight, weights: weights), "it stopped with the best inside: \(weights)")
        }
    }
}
