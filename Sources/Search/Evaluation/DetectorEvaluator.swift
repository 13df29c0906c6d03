import Detection
import Foundation
import LossLanguage

/// The built-in evaluator: trains the proxy detector in process with the candidate's pair of
/// losses under the fixed `mos` or `proxy` schedule (`TrainingSchedule+Presets.swift`) and
/// returns COCO's twelve numbers (DESIGN.md, "Search").
///
/// ```swift
/// let evaluator = DetectorEvaluator(data: "shapes")
/// let result = evaluator.evaluate(pair, searched: .sigmoid, stage: .mos, seed: 1)
/// ```
///
/// The data is resolved (`DetectorData.resolve`: shapes, coco128, a folder) and each stage's
/// images prepared once, on first use, then shared by every later evaluation: every candidate
/// of a search sees the same images, and the MOS verification set is fixed by
/// `verificationSeed`. A loss that goes non-finite is `.diverged`; data that cannot be loaded
/// or a loss that does not compile is `.failed`, with the reason.
public final class DetectorEvaluator: CandidateEvaluator, @unchecked Sendable {
    /// `shapes`, `coco128` or a dataset folder.
    public let dataSpec: String
    /// The schedule of each stage; the presets of the data unless changed before the first use.
    public var schedules: [TrainingStage: TrainingSchedule]
    public let verificationSeed: UInt64
    private let lock = NSLock()
    private var data: DetectorData?
    private var prepared: [TrainingStage: (train: TrainingImages, eval: TrainingImages)] = [:]

    public init(data: String, verificationSeed: UInt64 = 0) {
        dataSpec = data
        self.verificationSeed = verificationSeed
        let shapes = data == "shapes"
        schedules = [.mos: TrainingSchedule.preset(.mos, isShapes: shapes), .proxy: TrainingSchedule.preset(.proxy, isShapes: shapes)]
    }

    /// Resolves `spec` as the command line does: from the current directory and the executable.
    public static func resolve(_ spec: String) throws -> DetectorData {
        try DetectorData.resolve(spec, searchingFrom: [FileManager.default.currentDirectoryPath,
                                                       URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path])
    }

    public func evaluate(_ pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64) -> EvaluationResult {
        let start = Date()
        func failed(_ reason: String) -> EvaluationResult {
            EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start), reason: reason)
        }
        guard let mode = ClassificationSlot.Mode(rawValue: pair.mode.rawValue) else {
            return failed("the classification mode must be softmax or sigmoid, not \(pair.mode.rawValue)")
        }
        do {
            let schedule = schedules[stage]!
            let trainer = try ProxyTrainer(mode: mode, classification: pair.classification, regression: .formula(pair.regression),
                                           schedule: schedule)
            let sets = try images(for: stage, schedule: schedule)
            let result = try trainer.train(sets.train, evaluateOn: sets.eval, seed: seed)
            let seconds = Date().timeIntervalSince(start)
            switch result.status {
            case .ok: return EvaluationResult(status: .ok, stats: result.stats, seconds: seconds)
            case .diverged: return EvaluationResult(status: .diverged, seconds: seconds, reason: result.reason)
            }
        } catch {
            return failed("\(error)")
        }
    }

    /// The stage's training and scored images, prepared on first use.
    private func images(for stage: TrainingStage, schedule: TrainingSchedule) throws -> (train: TrainingImages, eval: TrainingImages) {
        lock.lock()
        defer { lock.unlock() }
        if let sets = prepared[stage] { return sets }
        let source = try data ?? Self.resolve(dataSpec)
        data = source
        let sets = try source.prepare(stage == .mos ? .mos : .proxy, schedule: schedule, verificationSeed: verificationSeed)
        prepared[stage] = sets
        return sets
    }
}
