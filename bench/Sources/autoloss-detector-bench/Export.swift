import BenchSupport
import Detection
import Foundation
import LossLanguage
import TensorEngine

/// The configuration as detector_bench.py reads it.
func describe(_ c: ProxyNetwork.Configuration) -> [String: Any] {
    ["outputs": c.outputs, "backbone_channels": c.backboneChannels, "blocks_per_stage": c.blocksPerStage,
     "pyramid_channels": c.pyramidChannels, "tower_depth": c.towerDepth, "groups": c.groups,
     "box_activation": c.boxActivation.rawValue]
}

/// A network whose every parameter matters to the outputs: GroupNorm scales and shifts, head
/// weights and the per-level scales moved off their initial values (which make many gradients
/// tiny or zero), so that parity is checked on every path.
///
/// The GroupNorm shifts are drawn around `options.shift`. At 0 (a trained network's regime)
/// about half the units sit near their ReLU's kink, and which side a unit falls on changes with
/// the last bit of its input: measured in float64, a 1e-7 relative change of the input moves
/// parameter gradients by up to 8e-4, so no float32 implementation can agree with float64 to
/// 1e-4 there. At 3 nearly every unit is on the linear side: the comparison measures the
/// arithmetic (bench/detector_bench.py runs both and holds the second to 1e-4).
func perturbedNetwork(_ options: Options, using rng: inout SplitMix64) -> ProxyNetwork {
    let net = ProxyNetwork(options.configuration, using: &rng)
    for (name, p) in net.namedParameters {
        let n = p.value.count
        if p.value.rank == 1 && name.hasPrefix("scales") {
            p.value = Tensor(shape: p.value.shape, scalars: (0..<n).map { _ in Float(rng.uniform(0.8, 1.2)) })
        } else if p.value.rank == 1 {
            let isShift = name.hasSuffix(".bias") && !name.hasPrefix("laterals") && !name.hasPrefix("smoothing")
                && !name.hasPrefix("classifier") && !name.hasPrefix("box_regressor")
            p.value = Tensor(shape: p.value.shape, scalars: p.value.scalars.map {
                $0 + (isShift ? Float(options.shift) : 0) + Float(rng.normal() * 0.1)
            })
        } else if name.hasPrefix("class") || name.hasPrefix("box") {
            p.value = Tensor(shape: p.value.shape, scalars: (0..<n).map { _ in Float(rng.normal() * 0.05) })
        }
    }
    return net
}

func runExport(_ options: Options) throws {
    var rng = SplitMix64(seed: options.seed)
    let net = perturbedNetwork(options, using: &rng)
    let x = uniform([options.batch, 3, options.size, options.size], using: &rng)
    let outputs = net.forward(x, training: true)
    // Distance gradients of one sign (a box loss pushes most boxes the same way): with signs at
    // random, the per-level scale's gradient Σ raw·dy cancels to a small difference of large
    // sums, and its float32 rounding alone exceeds 1e-4 (seen in both implementations).
    let seeds = outputs.map { o in
        (logits: uniform(o.logits.shape, using: &rng),
         distances: Tensor(shape: o.distances.shape, scalars: (0..<o.distances.count).map { _ in Float(rng.uniform(0, 1)) }))
    }
    for p in net.parameters { p.zeroGradient() }
    net.backward(seeds)
    var archive = TensorArchive()
    for (name, p) in net.namedParameters { archive.add("param:\(name)", p.value) }
    archive.add("input", x)
    for (level, s) in seeds.enumerated() {
        archive.add("seed:logits:\(level)", s.logits)
        archive.add("seed:distances:\(level)", s.distances)
    }
    for (level, o) in outputs.enumerated() {
        archive.add("output:logits:\(level)", o.logits)
        archive.add("output:distances:\(level)", o.distances)
    }
    for (name, p) in net.namedParameters { archive.add("grad:\(name)", p.gradient) }
    try archive.write(to: URL(fileURLWithPath: options.directory), configuration: describe(options.configuration))
}
