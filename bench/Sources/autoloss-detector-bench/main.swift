import BenchSupport
import Detection
import Foundation
import LossLanguage
import TensorEngine

/// The proxy-detector benchmark (bench/detector_bench.py runs it, then PyTorch on the identical
/// network in the same run, and prints the ratios).
///
/// Usage:
///   autoloss-detector-bench time [--repeats N] [--batch 8] [--size 256] [--classes 6] [--mode sigmoid]
///       One JSON object per line: the network's training step (forward, backward from fixed
///       output gradients, SGD; the same work PyTorch times), inference forward, and the whole
///       training step of `autoloss train` (batch from shapes scenes, FCOS targets, both loss
///       slots, backward, clipping, SGD) with its phases.
///   autoloss-detector-bench export DIR [--batch 8] [--size 256] [--classes 6] [--mode sigmoid] [--seed 1] [--shift 0]
///       The network's configuration, weights, input, output gradients, outputs and parameter
///       gradients, for the parity check against PyTorch.
struct Options {
    var command = "time"
    var directory = ""
    var repeats = 10, batch = 8, size = 256, classes = 6
    var mode = Branch.sigmoid
    var precision = Precision.fp32
    var seed: UInt64 = 1
    /// Mean GroupNorm shift of the exported network (see `perturbedNetwork`).
    var shift = 0

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        if let first = rest.first, !first.hasPrefix("--") { command = first; rest = rest.dropFirst() }
        if command == "export", let dir = rest.first { directory = dir; rest = rest.dropFirst() }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { fatalError("autoloss-detector-bench: \(flag) needs a value") }
            if flag == "--mode" {
                guard let m = Branch(rawValue: value), m != .reg else { fatalError("--mode softmax|sigmoid") }
                mode = m
                continue
            }
            if flag == "--precision" {
                guard let p = Precision(rawValue: value), p.isAvailable else { fatalError("--precision fp32|bf16|auto (bf16 where the processor has it)") }
                precision = p
                continue
            }
            guard let number = Int(value) else { fatalError("autoloss-detector-bench: \(flag) needs an integer value") }
            switch flag {
            case "--repeats": repeats = number
            case "--batch": batch = number
            case "--size": size = number
            case "--classes": classes = number
            case "--seed": seed = UInt64(number)
            case "--shift": shift = number
            default: fatalError("autoloss-detector-bench: unknown option \(flag)")
            }
        }
    }

    var configuration: ProxyNetwork.Configuration {
        ProxyNetwork.Configuration(outputs: mode == .softmax ? classes + 1 : classes, backgroundLogit: mode == .softmax)
    }
}

func uniform(_ shape: [Int], using rng: inout SplitMix64) -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(-1, 1)) })
}

let options = Options(CommandLine.arguments)
switch options.command {
case "export": try runExport(options)
case "time": try runTiming(options)
default: fatalError("autoloss-detector-bench: unknown command \(options.command) (time, export)")
}
