import BenchSupport
import Detection
import Foundation
import LossLanguage
import TensorEngine

/// Times, at the options' batch and size (milliseconds, median of `repeats` after two warm-ups):
/// - `network`: forward + backward from fixed output gradients + SGD step: what PyTorch times;
/// - `inference`: forward without keeping anything;
/// - `train_step`: the whole step of `autoloss train` on shapes scenes, and its phases (input
///   batch, targets, forward, loss slots, backward, clipping + SGD).
func runTiming(_ options: Options) throws {
    var rng = SplitMix64(seed: options.seed)
    let net = ProxyNetwork(options.configuration, using: &rng)
    net.precision = options.precision
    // Rate 0: the update's arithmetic is done, the weights stay (random output gradients would
    // otherwise drive them anywhere within a few steps).
    let sgd = SGD(parameters: net.parameters, learningRate: 0, momentum: 0.9, weightDecay: 1e-4)
    let x = uniform([options.batch, 3, options.size, options.size], using: &rng)
    let seeds = net.forward(x, training: false).map {
        (logits: uniform($0.logits.shape, using: &rng), distances: uniform($0.distances.shape, using: &rng))
    }
    let networkMs = measure(options.repeats) {
        sgd.zeroGradients()
        _ = net.forward(x, training: true)
        net.backward(seeds)
        sgd.step()
    }
    let inferenceMs = measure(options.repeats) { _ = net.forward(x, training: false) }
    emit([("bench", "network"), ("precision", options.precision.resolved.rawValue), ("batch", options.batch), ("size", options.size), ("step_ms", networkMs),
          ("forward_ms", inferenceMs), ("parameters", net.parameters.reduce(0) { $0 + $1.count })])

    // The whole training step, phase by phase.
    var schedule = TrainingSchedule(size: options.size, batchSize: options.batch, epochs: 1, learningRate: 0.01)
    schedule.trainImages = 4 * options.batch
    let (train, _) = try DetectorData.shapes.prepare(.proxy, schedule: schedule)
    let mode = options.mode
    let assigner = ProxyTrainer.assigner(size: options.size)
    let cls = try ProxyTrainer.classificationLoss(mode == .softmax ? "ce" : "focal", mode: mode)
    let loss = ProxyLoss(classification: try ClassificationSlot(cls, mode: mode, classes: train.categories.count),
                         regression: try RegressionSlot(.formula(Expr.resolve("giou", branch: .reg))), assigner: assigner)
    var phases = [String: [Double]]()
    var cursor = 0
    func timed<T>(_ phase: String, _ body: () -> T) -> T {
        let watch = Stopwatch()
        let value = body()
        phases[phase, default: []].append(watch.milliseconds)
        return value
    }
    let stepMs = measure(options.repeats) {
        let indices = (0..<options.batch).map { (cursor + $0) % train.count }
        cursor += options.batch
        let flips = indices.map { $0 % 2 == 0 }
        let input = timed("batch") { train.batch(indices, flips: flips) }
        let targets = timed("targets") { train.targets(indices, flips: flips, assigner: assigner) }
        let outputs = timed("forward") { net.forward(input, training: true) }
        guard case .success(let step) = timed("loss", { loss.evaluate(outputs, targets: targets) }) else { fatalError("non-finite loss") }
        timed("backward") {
            sgd.zeroGradients()
            net.backward(step.gradients)
        }
        timed("update") {
            GradientClipping.clipGlobalNorm(net.parameters, maxNorm: 10)
            sgd.step()
        }
    }
    var fields: [(String, Any)] = [("bench", "train_step"), ("precision", options.precision.resolved.rawValue), ("batch", options.batch), ("size", options.size),
                                   ("mode", mode.rawValue), ("step_ms", stepMs)]
    for phase in ["batch", "targets", "forward", "loss", "backward", "update"] {
        fields.append(("\(phase)_ms", median(phases[phase]!.dropFirst(2))))
    }
    emit(fields)
}
