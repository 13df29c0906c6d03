import Foundation
import LossLanguage
import TensorEngine

/// Trains the proxy detector with a pair of losses and scores it with COCO's evaluation
/// (DESIGN.md, "The built-in proxy detector").
///
/// ```swift
/// let pair = LossPair(classification: try Expr.resolve("focal", branch: .sigmoid), mode: .sigmoid,
///                     regression: try Expr.resolve("giou", branch: .reg))
/// let trainer = try ProxyTrainer(pair, schedule: schedule)
/// let result = try trainer.train(trainSet, evaluateOn: valSet, seed: 1)
/// print(result.status, result.metrics?.ap ?? -1)
/// ```
///
/// The losses are compiled once, when the trainer is made, and every training reuses them. The
/// built-in regression losses of the baselines (L1, smooth L1 on the offsets), which (i, u, e)
/// cannot express, go through `init(mode:classification:regression:schedule:)`.
///
/// One step: a batch in a seeded order (a new permutation each epoch) with random horizontal
/// flips; FCOS targets; forward; the two loss slots (`ProxyLoss`); backward; global-norm
/// clipping; SGD with momentum and weight decay at the warm-up + step-decay rate. The initial
/// weights come from the schedule's `networkSeed` where it has one (the presets do), else from
/// `seed`; `seed` always draws the batch order and the flips. A non-finite
/// loss or gradient ends the run with `.diverged` and the step. With `averageDecay`, the scored
/// network holds the exponential moving average of the weights over the steps (Polyak
/// averaging): the last weights carry the noise of the last few batches, the average much less,
/// which narrows the spread of AP between seeds. The same seed gives the same
/// network, order and flips, so the same AP (on one machine, with the same thread count).
public struct ProxyTrainer: Sendable {
    /// The classification head's mode, `.softmax` or `.sigmoid`.
    public let mode: Branch
    /// The classification loss.
    public let classification: Expr
    /// The regression loss.
    public let regression: RegressionSlot.Kind
    /// The schedule every training of this trainer follows.
    public let schedule: TrainingSchedule
    /// The classification loss compiled for `mode`.
    let classificationLoss: CompiledLoss<Float>
    /// The regression slot (its formula compiled); it does not depend on the data.
    let regressionSlot: RegressionSlot

    /// Checks the schedule, and compiles the pair's losses for their slots.
    public init(_ losses: LossPair, schedule: TrainingSchedule) throws {
        try self.init(mode: losses.mode, classification: losses.classification, regression: losses.regression,
                      schedule: schedule)
    }

    /// Checks the schedule, and compiles the losses for their slots; `regression` may be a
    /// built-in loss (`.l1`, `.smoothL1`).
    public init(mode: Branch, classification: Expr, regression: RegressionSlot.Kind, schedule: TrainingSchedule) throws {
        try schedule.validate()
        try ClassificationSlot.checkMode(mode)
        do { classificationLoss = try ClassificationSlot.compile(classification, mode: mode) } catch {
            throw TrainingError.badLoss(slot: "classification", formula: classification.description, reason: "\(error)")
        }
        do { regressionSlot = try RegressionSlot(regression) } catch {
            throw TrainingError.badLoss(slot: "regression", formula: "\(regression)", reason: "\(error)")
        }
        self.mode = mode
        self.classification = classification
        self.regression = regression
        self.schedule = schedule
    }

    /// A classification loss for `mode` by name or formula; a loss of another branch, or one that
    /// does not parse, throws `TrainingError.badLoss` with the parser's message; `.reg` is not a
    /// classification mode (`TrainingError.badSetting`).
    public static func classificationLoss(_ text: String, mode: Branch) throws -> Expr {
        try ClassificationSlot.checkMode(mode)
        do { return try Expr.resolve(text, branch: mode) } catch {
            throw TrainingError.badLoss(slot: "\(mode.rawValue) classification", formula: text, reason: "\(error)")
        }
    }

    /// The FCOS assignment for the schedule's input size: strides 8, 16, 32 and FCOS's size
    /// ranges (64, 128 px at 256 px) scaled with the input, so that an object keeps its level
    /// when the image is resized.
    public static func assigner(size: Int) -> FCOSAssigner {
        let f = Float(size) / 256
        return FCOSAssigner(size: size, levels: FCOSAssigner.defaultLevels.map {
            FCOSAssigner.Level(stride: $0.stride, lower: $0.lower * f, upper: $0.upper * f)
        })
    }

    /// The network for `classes` categories in this trainer's mode.
    public func makeNetwork(classes: Int, using generator: inout some RandomNumberGenerator) -> ProxyNetwork {
        var configuration = ProxyNetwork.Configuration(outputs: mode == .softmax ? classes + 1 : classes, backgroundLogit: mode == .softmax)
        configuration.boxActivation = schedule.boxActivation
        let network = ProxyNetwork(configuration, using: &generator)
        network.precision = schedule.precision
        return network
    }

    /// Trains on `trainSet` and scores on `evalSet` (both at the schedule's size), and on
    /// `fitSet` too where given (`fitMetrics`: the training images, to see how well a loss fits
    /// them next to how well it generalises). Throws before the first step (sizes that do not
    /// match, ground truth the evaluator refuses), and `TrainingError.stopped` when `shouldStop`
    /// says so before a step (an interrupted search).
    public func train(_ trainSet: TrainingImages, evaluateOn evalSet: TrainingImages, alsoScoring fitSet: TrainingImages? = nil,
                      seed: UInt64, rungs: TrainingRungs? = nil, progress: ((TrainingProgress) -> Void)? = nil,
                      shouldStop: (() -> Bool)? = nil) throws -> TrainingResult {
        let s = schedule
        try rungs?.validate()
        if let reason = s.precision.unavailability {
            throw TrainingError.badSetting(.precision, value: s.precision.rawValue, reason: reason)
        }
        guard trainSet.size == s.size, evalSet.size == s.size else {
            throw TrainingError.badSetting(.size, value: "\(s.size)", reason: "the images were prepared at \(trainSet.size) px")
        }
        guard trainSet.count > 0 else { throw TrainingError.badData(source: "training set", reason: "no images to train on") }
        guard evalSet.count > 0 else { throw TrainingError.badData(source: "evaluation set", reason: "no images to score") }
        let evaluator = try COCOEvaluator(groundTruth: evalSet.groundTruth)
        let fitEvaluator = try fitSet.map { try COCOEvaluator(groundTruth: $0.groundTruth) }
        let classes = trainSet.categories.count
        let assigner = Self.assigner(size: s.size)
        let loss = ProxyLoss(
            classification: ClassificationSlot(compiled: classificationLoss, classes: classes, alpha: s.focalAlpha),
            regression: regressionSlot, assigner: assigner, regressionWeight: s.regressionWeight)

        var rng = SplitMix64(seed: s.networkSeed ?? seed)
        let network = makeNetwork(classes: classes, using: &rng)
        var order = SplitMix64(seed: seed, stream: 1, index: 0)
        let sgd = SGD(parameters: network.parameters, learningRate: s.learningRate, momentum: s.momentum, weightDecay: s.weightDecay)
        let iterations = s.iterations(trainImages: trainSet.count)
        let rates = s.rateSchedule(iterations: iterations)
        let rungSteps = rungs?.steps(iterations: iterations) ?? []
        // (No rungs: a training that only goes on from its checkpoint scores nothing before its end.)
        let rungSet = rungs.flatMap { r in r.fractions.isEmpty ? nil : evalSet.subset(Array(0..<min(evalSet.count, r.evalImages ?? evalSet.count))) }
        let rungEvaluator = try rungSet.map { $0.count == evalSet.count ? evaluator : try COCOEvaluator(groundTruth: $0.groundTruth) }

        var result = TrainingResult(status: .ok, metrics: nil, steps: 0, iterations: iterations, reason: "",
                                    trainingSeconds: 0, evaluationSeconds: 0, imagesPerSecond: 0, losses: [])
        result.losses.reserveCapacity(iterations)
        var average = s.averageDecay.map { _ in network.parameters.map(\.value) }
        var permutation: [Int] = [], cursor = 0
        let checkpointKey = self.checkpointKey(seed: seed, train: trainSet, eval: evalSet, rungs: rungs)
        let start = Date()
        var firstStep = 0
        /// Scores the rungs due after `steps` steps (rungs whose fractions round to the same step
        /// share one scoring, and each is recorded and judged, so that rung k is always the k-th
        /// fraction's), and writes the checkpoint there; the result where a hurdle ends the training.
        func scoreRungs(after steps: Int) throws -> TrainingResult? {
            let due = rungSteps.indices.filter { rungSteps[$0] == steps }
            guard let rungs, let rungSet, let rungEvaluator, !due.isEmpty else { return nil }
            let scoring = Date()
            let metrics = try scoringWeights(average, of: network) {
                try rungEvaluator.evaluate(network.detect(rungSet, mode: mode, assigner: assigner))
            }
            let seconds = Date().timeIntervalSince(scoring)
            let scored = due.map { RungResult(fraction: rungs.fractions[$0], step: steps, stats: metrics.stats, seconds: seconds) }
            // Before the hurdles: a training ended at its rung (MOS as the proxy's first rung)
            // leaves the state the longer training goes on from.
            if let url = rungs.checkpoint {
                try TrainingCheckpoint(key: checkpointKey, step: steps, order: order, permutation: permutation, cursor: cursor,
                                       losses: result.losses, rungs: result.rungs + scored, parameters: network.parameters, sgd: sgd,
                                       average: average).write(to: url)
            }
            for (rung, r) in zip(due, scored) {
                result.rungs.append(r)
                if let hurdle = rungs.hurdle, !hurdle(rung, metrics.ap * 100) {
                    var ended = finish(result, diverged: nil, start: start, from: firstStep)
                    ended.metrics = metrics
                    ended.stoppedAtRung = rung
                    return ended
                }
            }
            return nil
        }
        // A checkpoint of this very training (stopped at a rung, or a shorter training of it
        // ended there): go on from there. The rungs scored before it are taken as they are; those
        // at its step are scored again (seconds) and judged here, by this training's hurdles.
        if let url = rungs?.checkpoint, let c = TrainingCheckpoint.read(url, key: checkpointKey), c.step < iterations,
           let earlier = Self.rungs(rungSteps, fractions: rungs?.fractions ?? [], before: c.step, in: c.rungs),
           c.restore(network.parameters, sgd: sgd, average: &average) {
            order = SplitMix64(state: c.order)
            (permutation, cursor, firstStep) = (c.permutation, c.cursor, c.step)
            (result.losses, result.steps, result.rungs) = (c.losses, c.step, earlier)
            if let ended = try scoreRungs(after: c.step) { return ended }
        }
        for step in firstStep..<iterations {
            if let shouldStop, shouldStop() { throw TrainingError.stopped(step: step) }
            ThreadWidth.adapt()
            var indices: [Int] = []
            while indices.count < s.batchSize {
                if cursor == permutation.count {
                    permutation = Self.shuffled(trainSet.count, using: &order)
                    cursor = 0
                }
                indices.append(permutation[cursor])
                cursor += 1
            }
            let flips = indices.map { _ in s.flip && order.below(2) == 1 }
            let outputs = network.forward(trainSet.batch(indices, flips: flips), training: true)
            let stepLoss: ProxyLoss.Step
            switch loss.evaluate(outputs, targets: trainSet.targets(indices, flips: flips, assigner: assigner)) {
            case .failure(let failure):
                network.clearSaved()
                return finish(result, diverged: "step \(step): \(failure)", start: start, from: firstStep)
            case .success(let value):
                stepLoss = value
            }
            sgd.zeroGradients()
            network.backward(stepLoss.gradients)
            let norm = GradientClipping.clipGlobalNorm(network.parameters, maxNorm: s.clipNorm)
            guard norm.isFinite else {
                return finish(result, diverged: "step \(step): the gradient is not finite", start: start, from: firstStep)
            }
            sgd.learningRate = rates.rate(at: step)
            sgd.step()
            if let decay = s.averageDecay {
                // The decay ramps up over the first steps (TensorFlow's num_updates rule), so that
                // the initial weights do not linger in the average.
                let d = min(decay, Float(step + 1) / Float(step + 10))
                for (k, p) in network.parameters.enumerated() { average![k] = average![k] * d + p.value * (1 - d) }
            }
            result.steps = step + 1
            result.losses.append(stepLoss.total)
            if let ended = try scoreRungs(after: step + 1) { return ended }
            if let progress {
                let elapsed = Date().timeIntervalSince(start)
                let recent = result.losses.suffix(20)
                progress(TrainingProgress(step: step + 1, iterations: iterations, classificationLoss: stepLoss.classification,
                                          regressionLoss: stepLoss.regression, smoothedLoss: recent.reduce(0, +) / Float(recent.count),
                                          learningRate: sgd.learningRate, imagesPerSecond: Double((step + 1 - firstStep) * s.batchSize) / max(elapsed, 1e-9),
                                          elapsedSeconds: elapsed))
            }
        }
        result = finish(result, diverged: nil, start: start, from: firstStep)
        if let average {
            for (p, value) in zip(network.parameters, average) { p.value = value }
        }
        let evaluationStart = Date()
        let detections = network.detect(evalSet, mode: mode, assigner: assigner)
        result.metrics = try evaluator.evaluate(detections)
        if let fitSet, let fitEvaluator {
            result.fitMetrics = try fitEvaluator.evaluate(network.detect(fitSet, mode: mode, assigner: assigner))
        }
        result.evaluationSeconds = Date().timeIntervalSince(evaluationStart)
        return result
    }

    /// What names one training for its checkpoint: the losses, the schedule, the seed, the images
    /// and the images its rungs score (FNV-1a of their description). Not the rungs' fractions:
    /// a training with other rungs goes on from the same state (`rungs(_:fractions:before:in:)`).
    private func checkpointKey(seed: UInt64, train: TrainingImages, eval: TrainingImages, rungs: TrainingRungs?) -> String {
        var h = FNV1a()
        let text = "\(mode)|\(classification.canonicalString(in: mode))|\(regression)|\(schedule)|\(seed)|\(train.count)|\(train.records.map(\.id))"
            + "|\(eval.count)|\(rungs?.evalImages ?? -1)"
        h.add(bytes: Array(text.utf8))
        return String(h.value, radix: 16)
    }

    /// A training's rungs due before step `step`, from those a checkpoint scored; nil where the
    /// checkpoint lacks one of them (its training had other rungs: then it is not taken).
    static func rungs(_ steps: [Int], fractions: [Double], before step: Int, in scored: [RungResult]) -> [RungResult]? {
        var taken: [RungResult] = []
        for (k, s) in steps.enumerated() where s < step {
            guard let r = scored.first(where: { $0.fraction == fractions[k] && $0.step == s }) else { return nil }
            taken.append(r)
        }
        return taken
    }

    /// `body`'s value with the network holding the averaged weights (where the schedule keeps an
    /// average), the training's own weights put back after it.
    private func scoringWeights<T>(_ average: [Tensor]?, of network: ProxyNetwork, _ body: () throws -> T) rethrows -> T {
        guard let average else { return try body() }
        let current = network.parameters.map(\.value)
        for (p, value) in zip(network.parameters, average) { p.value = value }
        defer { for (p, value) in zip(network.parameters, current) { p.value = value } }
        return try body()
    }

    /// Closes the training part of a result: time and speed (of the steps run here), and the
    /// status when it diverged.
    private func finish(_ partial: TrainingResult, diverged reason: String?, start: Date, from firstStep: Int) -> TrainingResult {
        var result = partial
        result.trainingSeconds = Date().timeIntervalSince(start)
        // The steps of this run (a training continued from a checkpoint ran only the rest).
        result.imagesPerSecond = Double((result.steps - firstStep) * schedule.batchSize) / max(result.trainingSeconds, 1e-9)
        if let reason {
            result.status = .diverged
            result.reason = reason
        }
        return result
    }

    /// 0..<n in a seeded random order (Fisher–Yates with SplitMix64's own draws, which do not
    /// change with the Swift version).
    static func shuffled(_ n: Int, using rng: inout SplitMix64) -> [Int] {
        var items = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) {
            items.swapAt(i, rng.below(i + 1))
        }
        return items
    }
}
