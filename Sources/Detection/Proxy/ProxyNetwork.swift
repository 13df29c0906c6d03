import Foundation
import TensorEngine

/// The built-in proxy detector's network: a compact FCOS-style one-stage detector (Tian et al.
/// 2019) on square inputs (DESIGN.md, "The built-in proxy detector").
///
/// ```
/// image [N, 3, S, S]
///   stage 0  3x3 s2 conv + GroupNorm + ReLU                      (stride 2)
///   stage 1  3x3 s2, then 3x3 s1, each + GroupNorm + ReLU        (stride 4)
///   stage 2  3x3 s2, 3x3 s1                                  C3  (stride 8)
///   stage 3  3x3 s2, 3x3 s1                                  C4  (stride 16)
///   stage 4  3x3 s2                                          C5  (stride 32)
/// pyramid    P5 = lat(C5); P4 = lat(C4) + up2x(P5); P3 = lat(C3) + up2x(P4)  (1x1 laterals)
///            F_l = 3x3 smoothing conv of P_l
/// head       shared by the three levels, GroupNorm per level and image:
///            class tower (depth x [3x3 conv + GN + ReLU]) -> 3x3 conv to K logits
///            box tower   (depth x [3x3 conv + GN + ReLU]) -> 3x3 conv to 4 -> Scale_l -> exp
/// ```
/// K is C + 1 (softmax mode, background last) or C (sigmoid mode). The box output is the four
/// distances (l, t, r, b) in units of the level's stride: exp (or softplus) of the scaled raw
/// output, so always positive and with a gradient from the first step (a ReLU with a zero bias
/// would never leave zero). Callers multiply by the stride for pixels.
///
/// The classifier's bias starts at the prior probability p = 0.01 (focal loss, §4.1): in sigmoid
/// mode every class at p; in softmax mode the background at 1 - p and the classes sharing p, so
/// that the many background locations do not swamp the first steps in either mode.
///
/// `bench/detector_bench.py` builds the same network in PyTorch from `namedParameters` (the names
/// are those of its `state_dict`), for speed and parity.
public final class ProxyNetwork {
    /// The architecture's sizes and the head's settings.
    public struct Configuration: Hashable, Sendable {
        /// Logits per location: C + 1 in softmax mode, C in sigmoid mode.
        public var outputs: Int
        /// Whether the last logit is a background class (softmax mode): decides the prior bias.
        public var backgroundLogit: Bool
        /// Output channels of the five backbone stages.
        public var backboneChannels = [16, 32, 64, 128, 128]
        /// 3x3 convolutions per stage (the first of each has stride 2).
        public var blocksPerStage = [1, 2, 2, 2, 1]
        /// Channels of the pyramid levels and of the head.
        public var pyramidChannels = 64
        /// Convolution + GroupNorm + ReLU blocks in each tower.
        public var towerDepth = 2
        /// GroupNorm's groups.
        public var groups = 8
        /// The positive map of the box distances (exp as in FCOS, or softplus).
        public var boxActivation: Activation.Function = .exp
        /// The prior probability the classification bias starts at (focal loss's 0.01).
        public var priorProbability: Float = 0.01

        /// A configuration with `outputs` logits per location.
        public init(outputs: Int, backgroundLogit: Bool) {
            self.outputs = outputs
            self.backgroundLogit = backgroundLogit
        }

        /// The strides of the three output levels.
        public static let strides = [8, 16, 32]
    }

    /// One pyramid level's outputs: `[N, K, H, W]` logits and `[N, 4, H, W]` distances (l, t, r, b)
    /// in units of the level's stride.
    public struct LevelOutput {
        /// `[N, K, H, W]` logits.
        public var logits: Tensor
        /// `[N, 4, H, W]` distances (l, t, r, b) in units of the level's stride.
        public var distances: Tensor

        /// A level's outputs.
        public init(logits: Tensor, distances: Tensor) {
            self.logits = logits
            self.distances = distances
        }
    }

    /// The architecture.
    public let configuration: Configuration
    let stages: [Sequential]
    let laterals: [Conv2d]
    let smoothing: [Conv2d]
    let upsamples = [UpsampleNearest2x(), UpsampleNearest2x()]
    let classTower: Sequential
    let boxTower: Sequential
    let classifier: Conv2d
    let boxRegressor: Conv2d
    let scales: [Scale]
    let boxActivations: [Activation]
    /// Every parameter with its PyTorch `state_dict` name (bench/detector_bench.py).
    public let namedParameters: [(name: String, parameter: Parameter)]
    /// Every convolution, for `precision`.
    private let convolutions: [Conv2d]

    /// The convolutions' number format (float32 unless set; see `Precision`).
    public var precision: Precision = .fp32 {
        didSet { for conv in convolutions { conv.precision = precision } }
    }

    /// A freshly initialised network; every random number comes from `generator`.
    public init(_ configuration: Configuration, using generator: inout some RandomNumberGenerator) {
        let c = configuration
        precondition(c.outputs > 0 && c.backboneChannels.count == 5 && c.blocksPerStage.count == 5
                     && c.blocksPerStage.allSatisfy { $0 >= 1 } && c.towerDepth >= 0,
                     "ProxyNetwork: five stages of at least one block, positive outputs")
        self.configuration = c
        var named: [(String, Parameter)] = []
        var convolutions: [Conv2d] = []
        func block(_ prefix: String, _ index: Int, _ input: Int, _ output: Int, stride: Int, weightStd: Float?) -> [any Layer] {
            let conv = Conv2d(inChannels: input, outChannels: output, kernelSize: 3, stride: stride, padding: 1, bias: false,
                              using: &generator)
            if let weightStd {
                conv.weight.value = Initialization.normal(shape: conv.weight.value.shape, standardDeviation: weightStd, using: &generator)
            }
            convolutions.append(conv)
            let norm = GroupNorm(groups: c.groups, channels: output, fusedReLU: true)
            // PyTorch's Sequential(conv, GroupNorm, ReLU): indices 3j, 3j + 1, 3j + 2.
            named += [("\(prefix).\(index).weight", conv.weight), ("\(prefix).\(index + 1).weight", norm.weight),
                      ("\(prefix).\(index + 1).bias", norm.bias)]
            return [conv, norm]
        }

        var stages: [Sequential] = []
        var input = 3
        for (s, output) in c.backboneChannels.enumerated() {
            var layers: [any Layer] = []
            for j in 0..<c.blocksPerStage[s] {
                layers += block("stages.\(s)", 3 * j, j == 0 ? input : output, output, stride: j == 0 ? 2 : 1, weightStd: nil)
            }
            stages.append(Sequential(layers))
            input = output
        }
        self.stages = stages

        // Pyramid: no normalisation or ReLU after these, so Kaiming with gain 1 (variance kept).
        let p = c.pyramidChannels
        func linearConv(_ name: String, _ input: Int, kernel: Int) -> Conv2d {
            let conv = Conv2d(inChannels: input, outChannels: p, kernelSize: kernel, padding: kernel / 2, using: &generator)
            conv.weight.value = Initialization.kaimingNormal(shape: conv.weight.value.shape, gain: 1, using: &generator)
            named += [("\(name).weight", conv.weight), ("\(name).bias", conv.bias!)]
            convolutions.append(conv)
            return conv
        }
        laterals = c.backboneChannels[2...].enumerated().map { linearConv("laterals.\($0)", $1, kernel: 1) }
        smoothing = (0..<3).map { linearConv("smoothing.\($0)", p, kernel: 3) }

        // Head: FCOS's initialisation, N(0, 0.01) weights, zero biases but the classifier's prior.
        classTower = Sequential((0..<c.towerDepth).flatMap { block("class_tower", 3 * $0, p, p, stride: 1, weightStd: 0.01) })
        boxTower = Sequential((0..<c.towerDepth).flatMap { block("box_tower", 3 * $0, p, p, stride: 1, weightStd: 0.01) })
        func predictor(_ name: String, _ outputs: Int) -> Conv2d {
            let conv = Conv2d(inChannels: p, outChannels: outputs, kernelSize: 3, padding: 1, using: &generator)
            conv.weight.value = Initialization.normal(shape: conv.weight.value.shape, standardDeviation: 0.01, using: &generator)
            named += [("\(name).weight", conv.weight), ("\(name).bias", conv.bias!)]
            convolutions.append(conv)
            return conv
        }
        classifier = predictor("classifier", c.outputs)
        classifier.bias!.value = Tensor(shape: [c.outputs], scalars: Self.priorBias(c))
        boxRegressor = predictor("box_regressor", 4)
        scales = (0..<3).map { _ in Scale(initialValue: 1) }
        named += scales.enumerated().map { ("scales.\($0)", $1.scale) }
        boxActivations = (0..<3).map { _ in Activation(c.boxActivation) }
        namedParameters = named
        self.convolutions = convolutions
    }

    /// The classifier's initial bias (see the type's comment).
    static func priorBias(_ c: Configuration) -> [Float] {
        let p = Double(c.priorProbability)
        guard c.backgroundLogit else {
            return [Float](repeating: Initialization.priorProbabilityBias(c.priorProbability), count: c.outputs)
        }
        // Softmax: classes at 0, background b with e^b / (e^b + C) = 1 - p.
        let classes = Double(c.outputs - 1)
        var bias = [Float](repeating: 0, count: c.outputs)
        bias[c.outputs - 1] = Float(Foundation.log(classes * (1 - p) / p))
        return bias
    }

    /// All trainable parameters, in a fixed order.
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// Drops what the layers kept for a backward pass (a step abandoned after a non-finite loss).
    public func clearSaved() {
        let layers: [any Layer] = stages + laterals + smoothing + upsamples + [classTower, boxTower, classifier, boxRegressor]
            + scales + boxActivations
        for layer in layers { layer.clearSaved() }
    }
}
