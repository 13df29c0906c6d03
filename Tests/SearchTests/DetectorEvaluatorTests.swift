import Detection
import LossLanguage
import Search
import TensorEngine
import XCTest

/// The built-in evaluator on tiny schedules: a sane pair trains (status ok, twelve numbers), a
/// non-finite one is `diverged`, and the options accept "detector".
final class DetectorEvaluatorTests: XCTestCase {
    func tinyEvaluator() -> DetectorEvaluator { GoldenDetectorSearchTests.tinyEvaluator() }

    func testTrainsAPairAndReportsDivergence() throws {
        let evaluator = tinyEvaluator()
        let pair = LossPair(classification: try Expr.resolve("focal", branch: .sigmoid), mode: .sigmoid,
                            regression: try Expr.resolve("giou", branch: .reg))
        let mos = evaluator.evaluate(pair, searched: .sigmoid, stage: .mos, seed: 1)
        XCTAssertEqual(mos.status, .ok, mos.reason)
        XCTAssertEqual(mos.stats.count, 12)
        XCTAssertEqual(evaluator.evaluate(pair, searched: .sigmoid, stage: .mos, seed: 1).stats, mos.stats, "same seed, same numbers")
        var bad = pair
        bad.classification = try Expr.resolve("sqrt(x)", branch: .sigmoid)
        let diverged = evaluator.evaluate(bad, searched: .sigmoid, stage: .proxy, seed: 1)
        XCTAssertEqual(diverged.status, .diverged)
        XCTAssertTrue(diverged.reason.contains("classification"), diverged.reason)
    }

    /// With several MOS seeds, a candidate's MOS result is the mean of its single-seed trainings
    /// (seeds seed, seed + 1, ...); the proxy stage still trains once.
    func testMOSSeedsAverage() throws {
        let one = tinyEvaluator(), three = tinyEvaluator()
        three.mosSeeds = 3
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax,
                            regression: try Expr.resolve("giou", branch: .reg))
        let singles = (0..<3).map { one.evaluate(pair, searched: .softmax, stage: .mos, seed: 4 + UInt64($0)) }
        let mean = three.evaluate(pair, searched: .softmax, stage: .mos, seed: 4)
        XCTAssertEqual(mean.status, .ok, mean.reason)
        for i in 0..<12 {
            let expected = singles.contains { $0.stats[i] < 0 } ? -1 : singles.map { $0.stats[i] }.reduce(0, +) / 3
            XCTAssertEqual(mean.stats[i], expected, accuracy: 1e-12, "COCO number \(i)")
        }
        XCTAssertNotEqual(singles[0].stats, singles[1].stats, "the seeds differ")
        XCTAssertEqual(three.evaluate(pair, searched: .softmax, stage: .proxy, seed: 4).stats,
                       one.evaluate(pair, searched: .softmax, stage: .proxy, seed: 4).stats)
    }

    /// MOS as the proxy's first rung: what the proxy training scores at that rung (on the first
    /// scored images), not the MOS preset's fit of the verification set.
    func testMOSAsTheProxysFirstRung() throws {
        let evaluator = tinyEvaluator()
        evaluator.schedules[.proxy]?.epochs = 4
        evaluator.schedules[.proxy]?.evaluateOn = .val
        evaluator.schedules[.proxy]?.evalImages = 6
        evaluator.mosRung = 0.5
        evaluator.mosRungEvalImages = 4
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax,
                            regression: try Expr.resolve("giou", branch: .reg))
        let mos = evaluator.evaluate(pair, searched: .softmax, stage: .mos, seed: 2)
        XCTAssertEqual(mos.status, .ok, mos.reason)
        XCTAssertNil(mos.rungs)
        let schedule = try XCTUnwrap(evaluator.schedules[.proxy])
        let (train, eval) = try XCTUnwrap(evaluator.data).prepare(.proxy, schedule: schedule)
        let direct = try ProxyTrainer(pair, schedule: schedule).train(train, evaluateOn: eval, seed: 2,
                                                                     rungs: TrainingRungs(fractions: [0.5], evalImages: 4))
        XCTAssertEqual(mos.stats, direct.rungs.first?.stats)
        XCTAssertNotEqual(mos.stats, evaluator.evaluate(pair, searched: .softmax, stage: .proxy, seed: 2).stats)
    }

    /// MOS as the proxy's first rung leaves its state in the checkpoint folder, and the
    /// candidate's proxy training goes on from it (the first step it runs is the one after the
    /// rung) to the numbers of a training from scratch; the file goes when the proxy training
    /// ends, and a later generation's MOS stage removes the files of candidates that never
    /// reached the proxy.
    func testTheProxyTrainingGoesOnFromTheMOSRung() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-mosrung-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        func evaluator() -> DetectorEvaluator {
            let e = tinyEvaluator()
            e.schedules[.proxy]?.epochs = 4
            e.mosRung = 0.5
            return e
        }
        let plain = evaluator(), kept = evaluator()
        kept.checkpoints = folder
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax,
                            regression: try Expr.resolve("giou", branch: .reg))
        let first = FirstStep()
        let context = EvaluationContext(progress: { first.note($0.step) })
        func request(_ stage: TrainingStage, _ g: Int, _ slot: Int) -> EvaluationRequest {
            EvaluationRequest(pair: pair, searched: .softmax, stage: stage, seed: 3, generation: g, slot: slot)
        }
        let mos = kept.evaluate(request(.mos, 0, 2), context: context)
        XCTAssertEqual(mos.stats, plain.evaluate(pair, searched: .softmax, stage: .mos, seed: 3).stats)
        let file = folder.appendingPathComponent("g0-s2.checkpoint")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
        // MOS ends at its rung, after the step that reaches it and before that step's progress.
        let rungStep = try XCTUnwrap(first.steps.last) + 1
        first.steps = []
        let proxy = kept.evaluate(request(.proxy, 0, 2), context: context)
        XCTAssertEqual(proxy.status, .ok, proxy.reason)
        XCTAssertEqual(first.steps.first, rungStep + 1, "it went on after the MOS rung")
        XCTAssertEqual(proxy.stats, plain.evaluate(pair, searched: .softmax, stage: .proxy, seed: 3).stats)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path), "the proxy training ended: its file has served")

        _ = kept.evaluate(request(.mos, 0, 3), context: context)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("g0-s3.checkpoint").path))
        _ = kept.evaluate(request(.mos, 1, 0), context: context)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["g1-s0.checkpoint"])
    }

    /// The preferred construction takes data the caller resolved; a spec that does not resolve
    /// fails each evaluation with the reason instead of trapping.
    func testTakesResolvedDataAndReportsUnresolvableData() throws {
        let evaluator = DetectorEvaluator(data: try DetectorData.resolve("shapes", searchingFrom: []))
        XCTAssertEqual(evaluator.schedules[.proxy], TrainingSchedule.preset(.proxy, isShapes: true))
        let missing = DetectorEvaluator(data: "/no/such/folder")
        XCTAssertNil(missing.data)
        let pair = LossPair(classification: try Expr.resolve("focal", branch: .sigmoid), mode: .sigmoid,
                            regression: try Expr.resolve("giou", branch: .reg))
        let result = missing.evaluate(pair, searched: .sigmoid, stage: .mos, seed: 1)
        XCTAssertEqual(result.status, .failed)
        XCTAssertTrue(result.reason.contains("no such dataset folder"), result.reason)
    }

    /// A request's settings become the evaluator's schedules, the worker's as the search's: the
    /// initial weights' seed (fixed, or each training's own) among them.
    func testSettingsShapeTheSchedules() throws {
        let data = try DetectorData.resolve("shapes", searchingFrom: [])
        let preset = DetectorEvaluator(data: data)
        XCTAssertEqual(preset.schedules[.proxy]?.networkSeed, 0, "the presets start every loss from the same weights")
        let settings = DetectorSettings(scheduleScale: 0.5, rungs: [0.5])
        var fixed = settings, follows = settings
        fixed.initSeed = .fixed(3)
        follows.initSeed = .followsSeed
        for (s, seed) in [(settings, UInt64?.some(0)), (fixed, 3), (follows, nil)] {
            let evaluator = DetectorEvaluator(data: data, settings: s, checkpoints: nil)
            XCTAssertEqual(evaluator.schedules[.proxy]?.networkSeed, seed)
            XCTAssertEqual(evaluator.schedules[.mos]?.networkSeed, seed)
            XCTAssertEqual(evaluator.schedules[.proxy], preset.schedules[.proxy]?.scaled(0.5).withNetworkSeed(seed))
            XCTAssertEqual(evaluator.rungs, [0.5])
        }
        var options = SearchOptions(branch: .reg)
        options.initSeed = .followsSeed
        XCTAssertNil(options.problem)
        options.evaluator = .simulation
        XCTAssertEqual(options.problem, SearchProblem(.initSeed, "the built-in detector's trainings only", remedy: .give(.evaluator, value: "detector")))
        XCTAssertEqual(options.problem?.description, "the initial weights' seed: the built-in detector's trainings only")
    }

    /// The number format reaches every stage's schedule (nil: float32, as a store from before
    /// the setting trained), and only the built-in detector takes it.
    func testPrecisionShapesTheSchedules() throws {
        let data = try DetectorData.resolve("shapes", searchingFrom: [])
        XCTAssertEqual(DetectorEvaluator(data: data, settings: DetectorSettings(), checkpoints: nil).schedules[.proxy]?.precision, .fp32)
        let auto = DetectorEvaluator(data: data, settings: DetectorSettings(precision: .auto), checkpoints: nil)
        XCTAssertEqual(auto.schedules[.proxy]?.precision, .auto)
        XCTAssertEqual(auto.schedules[.mos]?.precision, .auto)
        var options = SearchOptions(branch: .reg)
        options.precision = .auto
        XCTAssertEqual(DetectorSettings(options).precision, .auto)
        XCTAssertNil(options.problem)
        options.evaluator = .simulation
        XCTAssertEqual(options.problem?.description, "the number format: the built-in detector's trainings only")
    }

    /// The detector's data is checked with the options and resolved where the evaluator is made.
    func testOptionsAcceptTheDetectorEvaluator() throws {
        var options = SearchOptions(branch: .sigmoid)
        options.evaluator = .detector(data: "shapes")
        XCTAssertNil(options.problem)
        let folder = RunFolder(FileManager.default.temporaryDirectory)
        XCTAssertTrue((try options.makeExecutor(folder: folder, data: options.resolveData(searchingFrom: [])) as? InProcessExecutor)?.evaluator is DetectorEvaluator)
        options.evaluator = .detector(data: "/no/such/folder")
        XCTAssertEqual(options.problem?.setting, .data)
        XCTAssertTrue(options.problem?.reason.contains("no such dataset folder") == true, "\(String(describing: options.problem))")
        XCTAssertThrowsError(try options.resolveData(searchingFrom: [])) {
            XCTAssertTrue("\($0)".contains("no such dataset folder"), "\($0)")
        }
        options.evaluator = .simulation
        XCTAssertNil(options.problem)
    }
}

private final class FirstStep: @unchecked Sendable {
    var steps: [Int] = []
    func note(_ step: Int) { steps.append(step) }
}

extension TrainingSchedule {
    func withNetworkSeed(_ seed: UInt64?) -> TrainingSchedule {
        var s = self
        s.networkSeed = seed
        return s
    }
}
