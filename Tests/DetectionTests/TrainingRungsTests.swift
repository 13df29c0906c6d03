import Detection
import LossLanguage
import XCTest

/// Multi-fidelity training: scoring at rungs leaves the training as it was (the same losses and
/// the same final AP), a rung scores what a training stopped there would (the averaged weights),
/// and a hurdle that is not cleared ends the training at its rung with that rung's metrics.
final class TrainingRungsTests: XCTestCase {
    /// TrainingTests' small schedule with a moving average, so that a rung must score the
    /// average rather than the last weights to match a shorter training.
    static func schedule(epochs: Double = 15) -> TrainingSchedule {
        var s = TrainingTests.schedule()
        s.epochs = epochs
        s.averageDecay = 0.9
        return s
    }

    static func train(_ schedule: TrainingSchedule, rungs: TrainingRungs?) throws -> TrainingResult {
        let trainer = try ProxyTrainer(mode: .softmax, classification: ProxyTrainer.classificationLoss("ce", mode: .softmax),
                                       regression: RegressionSlot.Kind.resolve("giou"), schedule: schedule)
        let (train, eval) = try TrainingTests.data.prepare(.proxy, schedule: schedule)
        return try trainer.train(train, evaluateOn: eval, seed: 1, rungs: rungs)
    }

    /// The small schedule's trainer and images, and a checkpoint file removed after the test.
    func checkpointed() throws -> (ProxyTrainer, TrainingImages, TrainingImages, URL) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-ckpt-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: file) }
        let schedule = Self.schedule()
        let trainer = try ProxyTrainer(mode: .softmax, classification: ProxyTrainer.classificationLoss("ce", mode: .softmax),
                                       regression: RegressionSlot.Kind.resolve("giou"), schedule: schedule)
        let (train, eval) = try TrainingTests.data.prepare(.proxy, schedule: schedule)
        return (trainer, train, eval, file)
    }

    func testRungsDoNotChangeTheTraining() throws {
        let plain = try Self.train(Self.schedule(), rungs: nil)
        let scored = try Self.train(Self.schedule(), rungs: TrainingRungs(fractions: [0.2, 0.5]))
        XCTAssertEqual(plain.losses, scored.losses)
        XCTAssertEqual(plain.stats, scored.stats)
        XCTAssertNil(scored.stoppedAtRung)
        XCTAssertEqual(scored.rungs.map(\.step), [6, 15])  // of 30 steps
        XCTAssertEqual(scored.rungs.map(\.fraction), [0.2, 0.5])
        XCTAssertTrue(plain.rungs.isEmpty)
    }

    /// The rung at half of 30 steps scores the averaged weights after 15 steps: what a training
    /// of 15 steps with the same rate at each step would score. The rates differ after the
    /// warm-up and the decay points move with the length, so the check is on a schedule with a
    /// warm-up both lengths keep and no decay.
    /// On 30 steps, 0.1 and 0.11 both round to step 3: one scoring, two rungs, each judged.
    func testRungsOnTheSameStepAreEachRecorded() throws {
        let asked = Asked()
        let result = try Self.train(Self.schedule(), rungs: TrainingRungs(fractions: [0.1, 0.11, 0.5]) { rung, ap in
            asked.append(rung, ap)
            return true
        })
        XCTAssertEqual(result.rungs.map(\.step), [3, 3, 15])
        XCTAssertEqual(result.rungs.map(\.fraction), [0.1, 0.11, 0.5])
        XCTAssertEqual(result.rungs[0].stats, result.rungs[1].stats)
        XCTAssertEqual(asked.calls.map(\.0), [0, 1, 2])
        XCTAssertNil(result.stoppedAtRung)
    }

    func testARungScoresWhatAShorterTrainingWould() throws {
        var long = Self.schedule(epochs: 15)
        long.decayFractions = []
        long.warmupIterations = 2
        var short = long
        short.epochs = 7.5
        let whole = try Self.train(short, rungs: nil)
        let rung = try Self.train(long, rungs: TrainingRungs(fractions: [0.5]))
        XCTAssertEqual(rung.rungs.first?.step, whole.steps)
        XCTAssertEqual(rung.rungs.first?.stats, whole.stats)
    }

    func testAHurdleEndsTheTrainingAtItsRung() throws {
        let asked = Asked()
        let result = try Self.train(Self.schedule(), rungs: TrainingRungs(fractions: [0.2, 0.5]) { rung, ap in
            asked.append(rung, ap)
            return rung == 0
        })
        XCTAssertEqual(result.status, .ok)
        XCTAssertEqual(result.stoppedAtRung, 1)
        XCTAssertEqual(result.steps, 15)
        XCTAssertEqual(result.losses.count, 15)
        XCTAssertEqual(result.metrics?.stats, result.rungs.last?.stats)
        XCTAssertEqual(asked.calls.map(\.0), [0, 1])
        XCTAssertEqual(asked.calls.map(\.1), result.rungs.map { $0.ap * 100 })
    }

    /// Stopped after its second rung and started again with the same checkpoint file, a training
    /// continues from that rung and ends with the losses and the AP of one never stopped; a
    /// checkpoint of another training (another seed) is not taken.
    func testACheckpointContinuesAsIfNeverStopped() throws {
        let (trainer, train, eval, file) = try checkpointed()
        let rungs = TrainingRungs(fractions: [0.2, 0.5], checkpoint: file)
        let whole = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: TrainingRungs(fractions: [0.2, 0.5]))
        var steps = 0
        XCTAssertThrowsError(try trainer.train(train, evaluateOn: eval, seed: 1, rungs: rungs, progress: { steps = $0.step },
                                               shouldStop: { steps >= 20 }))
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "written at the rungs it cleared")
        var first = 0
        let resumed = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: rungs, progress: { if first == 0 { first = $0.step } })
        XCTAssertEqual(first, 16, "it went on after the rung at step 15")
        XCTAssertEqual(resumed.losses, whole.losses)
        XCTAssertEqual(resumed.stats, whole.stats)
        XCTAssertEqual(resumed.rungs.map(\.stats), whole.rungs.map(\.stats))
        var other = 0
        _ = try trainer.train(train, evaluateOn: eval, seed: 2, rungs: rungs, progress: { if other == 0 { other = $0.step } })
        XCTAssertEqual(other, 1, "another seed's training starts from the beginning")
    }

    /// A training ended at its rung (MOS as the proxy's first rung) leaves its state there, and
    /// the whole training with more rungs goes on from it: the rung is scored again and judged by
    /// the longer training's own hurdle, and it ends as one never stopped. A training with a rung
    /// before the checkpoint's that the checkpoint did not score starts from the beginning.
    func testALongerTrainingGoesOnFromAShorterOnesRung() throws {
        let (trainer, train, eval, file) = try checkpointed()
        let whole = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: TrainingRungs(fractions: [0.2, 0.5]))
        let short = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: TrainingRungs(fractions: [0.2], checkpoint: file) { _, _ in false })
        XCTAssertEqual(short.stoppedAtRung, 0)
        XCTAssertEqual(short.steps, 6)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "written at the rung where it ended")

        let refused = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: TrainingRungs(fractions: [0.2, 0.5], checkpoint: file) { _, _ in false })
        XCTAssertEqual(refused.stoppedAtRung, 0, "judged by its own hurdle at the restored rung")
        XCTAssertEqual(refused.steps, 6)
        XCTAssertEqual(refused.rungs.map(\.stats), [whole.rungs[0].stats])

        let asked = Asked()
        var first = 0
        let longer = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: TrainingRungs(fractions: [0.2, 0.5], checkpoint: file) { rung, ap in
            asked.append(rung, ap)
            return true
        }, progress: { if first == 0 { first = $0.step } })
        XCTAssertEqual(first, 7, "it went on after the shorter training's rung at step 6")
        XCTAssertEqual(asked.calls.map(\.0), [0, 1])
        XCTAssertEqual(longer.losses, whole.losses)
        XCTAssertEqual(longer.stats, whole.stats)
        XCTAssertEqual(longer.rungs, whole.rungs.enumerated().map { k, r in
            var r = r
            r.seconds = longer.rungs[k].seconds
            return r
        })

        _ = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: TrainingRungs(fractions: [0.2], checkpoint: file) { _, _ in false })
        var restarted = 0
        _ = try trainer.train(train, evaluateOn: eval, seed: 1, rungs: TrainingRungs(fractions: [0.1, 0.5], checkpoint: file),
                              progress: { if restarted == 0 { restarted = $0.step } })
        XCTAssertEqual(restarted, 1, "its rung at step 3 is not in the checkpoint: from the beginning")
    }

    func testBadRungsAreRefused() {
        for fractions in [[0.5, 0.25], [0, 0.5], [1.0], [0.3, 0.3]] {
            XCTAssertThrowsError(try TrainingRungs(fractions: fractions).validate(), "\(fractions)") {
                guard case .badSetting(.rungs, _, _)? = $0 as? TrainingError else { return XCTFail("\($0)") }
            }
        }
        XCTAssertThrowsError(try TrainingRungs(fractions: [0.5], evalImages: 0).validate()) {
            XCTAssertEqual($0 as? TrainingError, .badSetting(.rungEvalImages, value: "0", reason: "score at least one image at a rung"))
        }
        XCTAssertNoThrow(try TrainingRungs(fractions: [0.125, 0.25, 0.5]).validate())
    }
}

private final class Asked: @unchecked Sendable {
    var calls: [(Int, Double)] = []
    func append(_ rung: Int, _ ap: Double) { calls.append((rung, ap)) }
}
