import Detection
import Foundation
import LossLanguage

/// The built-in evaluator: trains the proxy detector in process with the candidate's pair of
/// losses under the fixed `mos` or `proxy` schedule (`TrainingSchedule+Presets.swift`) and
/// returns COCO's twelve numbers (DESIGN.md, "Search").
///
/// ```swift
/// let data = try DetectorData.resolve("coco128", searchingFrom: [FileManager.default.currentDirectoryPath])
/// let evaluator = DetectorEvaluator(data: data)
/// let result = evaluator.evaluate(pair, searched: .sigmoid, stage: .mos, seed: 1)
/// ```
///
/// The caller resolves the data once (`DetectorData.resolve(_:searchingFrom:)`: shapes, coco128,
/// a folder; the command line searches from the current directory and the executable) and hands
/// it over; each stage's images are prepared once, on first use, then shared by every later
/// evaluation: every candidate of a search sees the same images, and the MOS verification set is
/// fixed by `verificationSeed`. A loss that goes non-finite is `.diverged`; data that cannot be
/// loaded or a loss that does not compile is `.failed`, with the reason.
public final class DetectorEvaluator: CandidateEvaluator, @unchecked Sendable {
    /// The images trained on and scored, or why they could not be found.
    private let source: Result<DetectorData, Error>
    /// The schedule of each stage; the presets of the data unless changed before the first use.
    public var schedules: [TrainingStage: TrainingSchedule]
    /// The seed of the rule that picks the MOS verification images (one per class).
    public let verificationSeed: UInt64
    /// The proxy stage's rungs (fractions of its schedule), scored on its validation images; nil:
    /// none. The hurdles come with each training's request.
    public var rungs: [Double]?
    /// MOS trainings per candidate, seeds `seed`, `seed + 1`, ...: its MOS result is their mean
    /// (COCO's numbers averaged; diverged if one diverged). MOS AP moved by up to 7 points
    /// between seeds of the same loss (bench/RESULTS.md, "Search verdicts").
    public var mosSeeds = 1
    /// MOS replaced by the proxy's first rung (issue 18): the MOS stage trains on the proxy's
    /// images with the proxy's schedule, stops at this fraction of it, and scores the first
    /// `mosRungEvalImages` validation images (nil: all the proxy scores, as the reg study
    /// measured it). nil: the MOS preset (the verification set).
    public var mosRung: Double?
    /// Validation images scored when MOS is the proxy's first rung; nil: all the proxy scores.
    public var mosRungEvalImages: Int?
    /// Where a proxy training with rungs keeps its checkpoint while it runs (one file per
    /// candidate, removed when the training ends; a stopped one's stays for the resumed run to
    /// continue from), and where MOS as the proxy's first rung leaves its state for the
    /// candidate's proxy training to go on from; nil: none kept.
    public var checkpoints: URL?
    /// The generation whose MOS stage last cleared the other generations' checkpoints.
    private var swept = -1
    private let lock = NSLock()
    private var prepared: [TrainingStage: (train: TrainingImages, eval: TrainingImages)] = [:]

    /// Trains on `data`, resolved by the caller.
    public init(data: DetectorData, verificationSeed: UInt64 = 0) {
        source = .success(data)
        self.verificationSeed = verificationSeed
        schedules = Dictionary(uniqueKeysWithValues: TrainingStage.allCases.map { ($0, data.schedule(for: $0)) })
    }

    /// Trains on `spec` (shapes, coco128, a folder) resolved now from `anchors`: for tests and
    /// scripts. Data that cannot be resolved makes every evaluation `.failed`, with the reason.
    public init(data spec: String, searchingFrom anchors: [String] = [FileManager.default.currentDirectoryPath],
                verificationSeed: UInt64 = 0) {
        source = Result { try DetectorData.resolve(spec, searchingFrom: anchors) }
        self.verificationSeed = verificationSeed
        let shapes = DetectorData.isShapesSpec(spec)
        schedules = Dictionary(uniqueKeysWithValues: TrainingStage.allCases.map { ($0, TrainingSchedule.preset($0, isShapes: shapes)) })
    }

    /// Trains on `data` as `settings` say (a search's, or a worker's request's): the proxy
    /// schedule scaled, the tuned baseline's settings in every stage, rungs, MOS seeds and MOS
    /// as the proxy's first rung, the initial weights' seed, the number format; `checkpoints`
    /// kept where rungs or a MOS rung need them.
    public convenience init(data: DetectorData, settings: DetectorSettings, checkpoints: URL?) {
        self.init(data: data)
        if let f = settings.scheduleScale { schedules[.proxy] = schedules[.proxy]?.scaled(f) }
        rungs = settings.rungs
        if settings.rungs != nil || settings.mosRung != nil { self.checkpoints = checkpoints }
        mosSeeds = settings.mosSeeds ?? 1
        mosRung = settings.mosRung
        if let tuned = settings.tuned {
            for stage in TrainingStage.allCases { tuned.setting.apply(to: &schedules[stage]!) }
        }
        if let initSeed = settings.initSeed {
            for stage in TrainingStage.allCases { schedules[stage]!.networkSeed = initSeed.networkSeed }
        }
        if let precision = settings.precision {
            for stage in TrainingStage.allCases { schedules[stage]!.precision = precision }
        }
    }

    /// The data trained on; nil when it could not be resolved.
    public var data: DetectorData? { try? source.get() }

    public func evaluate(_ request: EvaluationRequest, context: EvaluationContext) -> EvaluationResult {
        train(request, seed: request.seed, context: context)
    }

    /// One training, or at the MOS stage `mosSeeds` of them averaged.
    private func train(_ request: EvaluationRequest, seed: UInt64, context: EvaluationContext) -> EvaluationResult {
        guard request.stage == .mos, mosSeeds > 1 else { return trainOnce(request, seed: seed, context: context) }
        var results: [EvaluationResult] = []
        for k in 0..<UInt64(mosSeeds) {
            // Only the proxy's own seed leaves a checkpoint to go on from.
            let r = trainOnce(request, seed: seed &+ k, context: context, keepsCheckpoint: k == 0)
            guard r.status == .ok else { return EvaluationResult(status: r.status, seconds: results.reduce(r.seconds) { $0 + $1.seconds }, reason: r.reason) }
            results.append(r)
        }
        let n = Double(results.count)
        let stats = (0..<results[0].stats.count).map { i in
            // -1 (not defined) stays -1 where any seed lacks it.
            results.contains { $0.stats[i] < 0 } ? -1 : results.reduce(0) { $0 + $1.stats[i] } / n
        }
        return EvaluationResult(status: .ok, stats: stats, seconds: results.reduce(0) { $0 + $1.seconds })
    }

    private func trainOnce(_ request: EvaluationRequest, seed: UInt64, context: EvaluationContext,
                           keepsCheckpoint: Bool = true) -> EvaluationResult {
        let start = Date(), stage = request.stage
        do {
            // MOS as the proxy's first rung: the proxy's training, ended at the rung.
            let trained: TrainingStage = stage == .mos && mosRung != nil ? .proxy : stage
            var schedule = schedules[trained]!
            // A confirmation training's own setting, and its horizon: more steps on the same images.
            request.setting?.apply(to: &schedule)
            if let horizon = request.horizon { schedule.epochs *= horizon }
            let trainer = try ProxyTrainer(request.pair, schedule: schedule)
            let sets = try images(for: trained, schedule: schedule)
            let rungs = try self.rungs(request, keepsCheckpoint: keepsCheckpoint)
            let stop = context.stop
            let result = try trainer.train(sets.train, evaluateOn: sets.eval, seed: seed, rungs: rungs, progress: context.progress,
                                           shouldStop: { stop.isRequested })
            // A proxy training ended (not stopped): its checkpoint has served. MOS's stays for
            // the proxy stage (`sweep`).
            if stage == .proxy, let file = rungs?.checkpoint { try? FileManager.default.removeItem(at: file) }
            return evaluation(result, stage: stage, hurdles: request.hurdles, seconds: Date().timeIntervalSince(start))
        } catch {
            return EvaluationResult(status: .failed, seconds: Date().timeIntervalSince(start), reason: "\(error)")
        }
    }

    /// A training's rungs: the proxy's, with this training's hurdles and checkpoint file; MOS's
    /// one rung, never cleared, where MOS is the proxy's first rung (its checkpoint the file the
    /// candidate's proxy training goes on from: same pair, schedule and seed); nil where it has none.
    private func rungs(_ request: EvaluationRequest, keepsCheckpoint: Bool) throws -> TrainingRungs? {
        if let folder = checkpoints { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let checkpoint = checkpoints.map { folder in
            // A confirmation training (its own setting) by its folder's name: unique per loss, setting, horizon and seed.
            folder.appendingPathComponent(request.generation.map { "g\($0)-s\(request.slot ?? 0).checkpoint" }
                ?? (request.setting == nil ? "baseline.checkpoint" : CandidateFolder.name(request) + ".checkpoint"))
        }
        switch request.stage {
        case .mos:
            guard let mosRung else { return nil }
            if let g = request.generation { sweep(keeping: g) }
            // The proxy's rungs score all its validation images: a MOS rung scoring fewer has
            // another key, and its checkpoint would not be taken.
            return TrainingRungs(fractions: [mosRung], evalImages: mosRungEvalImages, checkpoint: keepsCheckpoint ? checkpoint : nil) { _, _ in false }
        case .proxy:
            guard rungs != nil || checkpoint != nil else { return nil }
            return TrainingRungs(fractions: rungs ?? [], checkpoint: checkpoint,
                                 hurdle: request.hurdles.map { bars in { k, ap in k >= bars.count || ap >= bars[k] } })
        }
    }

    /// Removes the checkpoints of generations other than `generation`, when its MOS stage
    /// starts: their proxy stage is over (a search finishes a generation before it screens the
    /// next; an ablation's arms run one after another), and the candidates it did not take would
    /// otherwise leave a file each.
    private func sweep(keeping generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation != swept, let folder = checkpoints else { return }
        swept = generation
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            guard name.hasPrefix("g"), let g = Int(name.dropFirst().prefix { $0.isNumber }), g != generation else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// A training's result as the search keeps it: the proxy's with its rungs and hurdles
    /// (pruned where a hurdle ended it), MOS-as-a-rung's scored at its rung.
    private func evaluation(_ result: TrainingResult, stage: TrainingStage, hurdles: [Double]?, seconds: Double) -> EvaluationResult {
        var evaluation: EvaluationResult
        switch result.status {
        case .ok: evaluation = EvaluationResult(status: .ok, stats: result.stats, seconds: seconds)
        case .diverged: evaluation = EvaluationResult(status: .diverged, seconds: seconds, reason: result.reason)
        }
        guard stage == .proxy, rungs != nil else { return evaluation }  // a MOS rung's stats are the result's already
        evaluation.rungs = result.rungs.enumerated().map { k, r in
            EvaluationResult.Rung(fraction: r.fraction, stats: r.stats, hurdle: hurdles.flatMap { k < $0.count ? $0[k] : nil })
        }
        if result.stoppedAtRung != nil, let last = evaluation.rungs?.last {
            evaluation.status = .pruned
            evaluation.reason = String(format: "AP %.2f at %g of the schedule, below its hurdle %.2f", last.ap, last.fraction, last.hurdle ?? 0)
        }
        return evaluation
    }

    /// The stage's training and scored images, prepared on first use.
    private func images(for stage: TrainingStage, schedule: TrainingSchedule) throws -> (train: TrainingImages, eval: TrainingImages) {
        lock.lock()
        defer { lock.unlock() }
        if let sets = prepared[stage] { return sets }
        let sets = try source.get().prepare(stage, schedule: schedule, verificationSeed: verificationSeed)
        prepared[stage] = sets
        return sets
    }
}
