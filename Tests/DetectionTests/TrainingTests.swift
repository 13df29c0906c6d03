import Detection
import LossLanguage
import XCTest
import _TestSupport

/// End-to-end training on a few small scenes: the loss falls, the result is complete, a seed
/// reproduces it, and a loss that goes non-finite ends the run as `diverged` with its step.
final class TrainingTests: XCTestCase {
    static let data = DetectorData.shapes(seed: 7, options: ShapesScenes.Options())

    /// 8 scenes of 64 px, 30 steps of 4 images, scored on the same images.
    static func schedule() -> TrainingSchedule {
        var s = TrainingSchedule(size: 64, batchSize: 4, epochs: 15, learningRate: 0.01)
        s.trainImages = 8
        s.evaluateOn = .train
        s.warmupIterations = 5
        return s
    }

    static func train(_ cls: String, _ reg: String, mode: Branch, seed: UInt64) throws -> TrainingResult {
        let schedule = schedule()
        let trainer = try ProxyTrainer(mode: mode, classification: ProxyTrainer.classificationLoss(cls, mode: mode),
                                       regression: RegressionSlot.Kind.resolve(reg), schedule: schedule)
        let (train, eval) = try data.prepare(.proxy, schedule: schedule)
        return try trainer.train(train, evaluateOn: eval, seed: seed)
    }

    func testLossFallsAndTheResultIsComplete() throws {
        for (cls, reg, mode) in [("ce", "l1", Branch.softmax), ("focal", "giou", .sigmoid)] {
            var steps = 0
            let schedule = Self.schedule()
            let trainer = try ProxyTrainer(mode: mode, classification: ProxyTrainer.classificationLoss(cls, mode: mode),
                                           regression: RegressionSlot.Kind.resolve(reg), schedule: schedule)
            let (train, eval) = try Self.data.prepare(.proxy, schedule: schedule)
            XCTAssertEqual(train.count, 8)
            let result = try trainer.train(train, evaluateOn: eval, seed: 1) { progress in
                steps += 1
                XCTAssertEqual(progress.step, steps)
                XCTAssertEqual(progress.iterations, 30)
            }
            XCTAssertEqual(result.status, .ok, "\(cls) + \(reg): \(result.reason)")
            XCTAssertEqual(result.steps, 30)
            XCTAssertEqual(steps, 30)
            XCTAssertEqual(result.stats.count, 12)
            XCTAssertTrue(result.stats.allSatisfy { $0 == -1 || (0...1).contains($0) }, "\(result.stats)")
            let drop = try XCTUnwrap(result.lossDrop(window: 5))
            XCTAssertLessThan(drop.last, 0.8 * drop.first, "\(cls) + \(reg): the loss should fall, \(drop)")
            XCTAssertGreaterThan(result.imagesPerSecond, 0)
        }
    }

    func testSameSeedSameResultOtherSeedOtherResult() throws {
        let a = try Self.train("ce", "giou", mode: .softmax, seed: 3)
        let b = try Self.train("ce", "giou", mode: .softmax, seed: 3)
        let c = try Self.train("ce", "giou", mode: .softmax, seed: 4)
        XCTAssertEqual(a.losses, b.losses)
        XCTAssertEqual(a.stats, b.stats)
        XCTAssertNotEqual(a.losses, c.losses)
    }

    /// Scoring a second set after training: the schedule evaluates on the training images here,
    /// so the fit must equal the main evaluation number for number; without it there is none.
    func testTheFitScoresTheTrainingImagesToo() throws {
        let schedule = Self.schedule()
        let trainer = try ProxyTrainer(mode: .softmax, classification: ProxyTrainer.classificationLoss("ce", mode: .softmax),
                                       regression: .l1, schedule: schedule)
        let (train, eval) = try Self.data.prepare(.proxy, schedule: schedule)
        let result = try trainer.train(train, evaluateOn: eval, alsoScoring: train, seed: 2)
        XCTAssertEqual(result.status, .ok)
        XCTAssertEqual(try XCTUnwrap(result.fitMetrics).stats, result.stats)
        XCTAssertNil(try trainer.train(train, evaluateOn: eval, seed: 2).fitMetrics)
    }

    func testNonFiniteLossDivergesWithItsStep() throws {
        // sqrt of the (negative, prior-biased) logits: NaN at the first step.
        let cls = try Self.train("sqrt(x)", "giou", mode: .sigmoid, seed: 1)
        XCTAssertEqual(cls.status, .diverged)
        XCTAssertEqual(cls.steps, 0)
        XCTAssertTrue(cls.reason.hasPrefix("step 0: the classification loss"), cls.reason)
        XCTAssertNil(cls.metrics)
        // A regression loss that is NaN wherever the boxes overlap partly (i < u).
        let reg = try Self.train("focal", "sqrt(i - u)", mode: .sigmoid, seed: 1)
        XCTAssertEqual(reg.status, .diverged)
        XCTAssertTrue(reg.reason.contains("regression"), reg.reason)
    }

    /// The presets start every training from the same weights; the seed draws order and flips.
    func testPresetsFixTheInitialWeights() throws {
        for task in TrainingStage.allCases {
            for shapes in [true, false] {
                let s = TrainingSchedule.preset(task, isShapes: shapes)
                XCTAssertEqual(s.networkSeed, 0)
                XCTAssertNoThrow(try s.validate())
            }
        }
        var schedule = Self.schedule()
        schedule.networkSeed = 9
        let trainer = try ProxyTrainer(mode: .softmax, classification: ProxyTrainer.classificationLoss("ce", mode: .softmax),
                                       regression: .l1, schedule: schedule)
        let (train, eval) = try Self.data.prepare(.proxy, schedule: schedule)
        let a = try trainer.train(train, evaluateOn: eval, seed: 1), b = try trainer.train(train, evaluateOn: eval, seed: 2)
        XCTAssertNotEqual(a.losses, b.losses, "another order and other flips")
    }

    func testBadSettingsAreRefusedBeforeTraining() throws {
        var schedule = Self.schedule()
        schedule.size = 100
        XCTAssertThrowsError(try schedule.validate()) { error in
            XCTAssertEqual(error as? TrainingError, .badSetting(.size, value: "100", reason: "must be a positive multiple of 32 (the coarsest level's stride) and at most 2048, e.g. 256"))
            XCTAssertTrue("\(error)".hasPrefix("the input size 100: must be a positive multiple of 32"), "\(error)")
        }
        XCTAssertThrowsError(try ProxyTrainer.classificationLoss("giou", mode: .softmax)) { error in
            XCTAssertTrue("\(error)".contains("no softmax form"), "\(error)")
        }
        XCTAssertThrowsError(try RegressionSlot.Kind.resolve("ce"))
        XCTAssertEqual(try RegressionSlot.Kind.resolve("smooth-l1").name, "smooth-l1")
    }

    /// One image per class where possible, from the rarest class up; seeded.
    func testVerificationSetHasOneImagePerClass() {
        let pool = ShapesScenes(seed: 11, imageSize: 128).dataset(split: .train, count: 60)
        let chosen = pool.verificationSet(seed: 0)
        XCTAssertEqual(chosen, pool.verificationSet(seed: 0))
        XCTAssertEqual(chosen, chosen.sorted())
        let present = Set(pool.images.flatMap { $0.annotations.map(\.categoryID) })
        XCTAssertEqual(chosen.count, present.count, "six classes, sixty images: one image each")
        let covered = Set(chosen.flatMap { pool.images[$0].annotations.map(\.categoryID) })
        XCTAssertEqual(covered, present)
        XCTAssertNotEqual(pool.verificationSet(seed: 1), chosen, "another seed draws other images")
    }
}
