import BenchSupport
import Foundation
import LossLanguage
import TensorEngine

/// The tensor-engine benchmark (bench/tensor_bench.py runs it, then PyTorch on the same networks
/// in the same run, and prints the ratios).
///
/// Usage:
///   autoloss-tensor-bench time [--repeats N] [--batch 8] [--size 256]
///       SGEMM GFLOP/s at 1024^3 and at the convolutions' GEMM shapes; one forward + backward of
///       the backbone and of the pyramid network (images/s); each convolution alone, and the share
///       of SGEMM peak the convolutions reach. One JSON object per line.
///   autoloss-tensor-bench export DIR [--batch 8] [--size 256] [--seed 1]
///       Weights, input, output gradients, outputs and parameter gradients of the pyramid network
///       for the parity check against PyTorch.
struct Options {
    var command = "time"
    var directory = ""
    var repeats = 10, batch = 8, size = 256
    var seed: UInt64 = 1

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        if let first = rest.first, !first.hasPrefix("--") { command = first; rest = rest.dropFirst() }
        if command == "export", let dir = rest.first { directory = dir; rest = rest.dropFirst() }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst(), let number = Int(value) else {
                fatalError("autoloss-tensor-bench: \(flag) needs an integer value")
            }
            switch flag {
            case "--repeats": repeats = number
            case "--batch": batch = number
            case "--size": size = number
            case "--seed": seed = UInt64(number)
            default: fatalError("autoloss-tensor-bench: unknown option \(flag)")
            }
        }
    }
}

/// Uniform in [-1, 1], the standard library's `Float.random(in:using:)` on SplitMix64: a seed
/// reproduces the weights and the input. The commands start it at `SplitMix64(state: seed)`, the
/// stream this benchmark has always drawn, so an export is the same as before for the same seed.
func uniform(_ shape: [Int], using rng: inout SplitMix64) -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &rng) })
}

let options = Options(CommandLine.arguments)
switch options.command {
case "export":
    try runExport(options)
case "time":
    runTiming(options)
case "sgemm":
    var rng = SplitMix64(state: options.seed)
    runSGEMM(options, using: &rng)
default:
    fatalError("autoloss-tensor-bench: unknown command \(options.command) (time, sgemm, export)")
}
