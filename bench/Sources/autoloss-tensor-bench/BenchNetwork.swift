import TensorEngine

/// The networks the benchmark times and checks against PyTorch (bench/tensor_bench.py builds the
/// same ones, parameter for parameter, from the exported names and shapes).
///
/// GroupNorm and ReLU run fused (`GroupNorm(fusedReLU: true)`); PyTorch runs them apart.
///
/// - `backbone`: four stages of 3x3 stride-2 convolution (no bias) + GroupNorm(8) + ReLU,
///   3 -> 16 -> 32 -> 64 -> 128 channels: the detector's backbone at 256 px gives strides 2-16.
/// - `pyramid`: the backbone, 1x1 laterals from stages 3 and 4 to 32 channels, a top-down join
///   (P3 = lateral3(C3) + up(P4)), and one head shared by both levels (3x3 conv 32 -> 32 + GN +
///   ReLU, then a 3x3 conv to 4 outputs with the prior-probability bias): every layer the
///   detector uses, including a shared layer and an addition.
final class BenchNetwork {
    let stages: [Sequential]
    let pyramid: Bool
    let lateral3, lateral4: Conv2d
    let up = UpsampleNearest2x()
    let tower: Sequential
    let classifier: Conv2d
    /// Every parameter with the name PyTorch's `state_dict` gives it in tensor_bench.py.
    private(set) var named: [(String, Parameter)] = []

    static let channels = [3, 16, 32, 64, 128]

    init(pyramid: Bool, using rng: inout some RandomNumberGenerator) {
        self.pyramid = pyramid
        var stages: [Sequential] = []
        var named: [(String, Parameter)] = []
        for s in 0..<4 {
            let conv = Conv2d(inChannels: Self.channels[s], outChannels: Self.channels[s + 1], kernelSize: 3, stride: 2,
                              padding: 1, bias: false, using: &rng)
            let norm = GroupNorm(groups: 8, channels: Self.channels[s + 1], fusedReLU: true)
            norm.weight.value = Initialization.normal(shape: norm.weight.value.shape, mean: 1, standardDeviation: 0.1, using: &rng)
            norm.bias.value = Initialization.normal(shape: norm.bias.value.shape, standardDeviation: 0.1, using: &rng)
            stages.append(Sequential([conv, norm]))
            named += [("stages.\(s).0.weight", conv.weight), ("stages.\(s).1.weight", norm.weight), ("stages.\(s).1.bias", norm.bias)]
        }
        self.stages = stages
        lateral3 = Conv2d(inChannels: 64, outChannels: 32, kernelSize: 1, using: &rng)
        lateral4 = Conv2d(inChannels: 128, outChannels: 32, kernelSize: 1, using: &rng)
        let towerConv = Conv2d(inChannels: 32, outChannels: 32, kernelSize: 3, padding: 1, bias: false, using: &rng)
        let towerNorm = GroupNorm(groups: 8, channels: 32, fusedReLU: true)
        tower = Sequential([towerConv, towerNorm])
        classifier = Conv2d(inChannels: 32, outChannels: 4, kernelSize: 3, padding: 1, using: &rng)
        classifier.weight.value = Initialization.normal(shape: classifier.weight.value.shape, standardDeviation: 0.01, using: &rng)
        classifier.bias!.value = Tensor(repeating: Initialization.priorProbabilityBias(0.01), shape: [4])
        if pyramid {
            lateral3.bias!.value = Initialization.normal(shape: [32], standardDeviation: 0.1, using: &rng)
            lateral4.bias!.value = Initialization.normal(shape: [32], standardDeviation: 0.1, using: &rng)
            named += [("lateral3.weight", lateral3.weight), ("lateral3.bias", lateral3.bias!),
                      ("lateral4.weight", lateral4.weight), ("lateral4.bias", lateral4.bias!),
                      ("tower.0.weight", towerConv.weight), ("tower.1.weight", towerNorm.weight), ("tower.1.bias", towerNorm.bias),
                      ("classifier.weight", classifier.weight), ("classifier.bias", classifier.bias!)]
        }
        self.named = named
    }

    var parameters: [Parameter] { named.map(\.1) }

    /// The outputs: `[C4]` for the backbone, `[head(P3), head(P4)]` for the pyramid.
    func forward(_ x: Tensor, training: Bool) -> [Tensor] {
        let c3 = stages[0...2].reduce(x) { $1.forward($0, training: training) }
        let c4 = stages[3].forward(c3, training: training)
        guard pyramid else { return [c4] }
        let p4 = lateral4.forward(c4, training: training)
        let p3 = lateral3.forward(c3, training: training) + up.forward(p4, training: training)
        // The head is shared: applied to P3, then P4; its backward runs in the reverse order.
        let o3 = classifier.forward(tower.forward(p3, training: training), training: training)
        let o4 = classifier.forward(tower.forward(p4, training: training), training: training)
        return [o3, o4]
    }

    /// Back-propagates the outputs' gradients into the parameters (the image needs none).
    func backward(_ gradients: [Tensor]) {
        var gc4: Tensor, gc3: Tensor
        if pyramid {
            var gp4 = tower.backward(classifier.backward(gradients[1]))
            let gp3 = tower.backward(classifier.backward(gradients[0]))
            let (gLateral3, gUp) = Tensor.addBackward(gp3)
            gp4 += up.backward(gUp)
            gc4 = lateral4.backward(gp4)
            gc3 = lateral3.backward(gLateral3)
            gc3 += stages[3].backward(gc4)
        } else {
            gc3 = stages[3].backward(gradients[0])
        }
        let gc1 = stages[1...2].reversed().reduce(gc3) { $1.backward($0) }
        stages[0].backwardParameters(gc1)
    }

    /// The convolutions with the input shape each sees, for per-layer timing.
    func convolutions(batch: Int, size: Int) -> [(name: String, conv: Conv2d, input: [Int])] {
        var list: [(String, Conv2d, [Int])] = []
        var side = size
        for s in 0..<4 {
            list.append(("stage\(s + 1) 3x3 s2 \(Self.channels[s])->\(Self.channels[s + 1])", stages[s].layers[0] as! Conv2d,
                         [batch, Self.channels[s], side, side]))
            side /= 2
        }
        if pyramid {
            let s3 = size / 8, s4 = size / 16
            list.append(("lateral3 1x1 64->32", lateral3, [batch, 64, s3, s3]))
            list.append(("lateral4 1x1 128->32", lateral4, [batch, 128, s4, s4]))
            for (level, side) in [("P3", s3), ("P4", s4)] {
                list.append(("tower \(level) 3x3 32->32", tower.layers[0] as! Conv2d, [batch, 32, side, side]))
                list.append(("classifier \(level) 3x3 32->4", classifier, [batch, 32, side, side]))
            }
        }
        return list
    }
}
