import Foundation
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

/// SplitMix64, as in the other benchmarks: a seed reproduces the weights and the input.
struct Generator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func uniform(_ shape: [Int], using rng: inout Generator) -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &rng) })
}

/// Median wall time in milliseconds of `body` over `repeats` runs after two warm-ups.
func measure(_ repeats: Int, _ body: () -> Void) -> Double {
    body()
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return times.sorted()[times.count / 2]
}

func emit(_ fields: [(String, Any)]) {
    let body = fields.map { key, value -> String in
        switch value {
        case let s as String: return "\"\(key)\": \"\(s)\""
        case let d as Double: return "\"\(key)\": \(String(format: "%.4f", d))"
        default: return "\"\(key)\": \(value)"
        }
    }
    print("{" + body.joined(separator: ", ") + "}")
    fflush(stdout)
}

let options = Options(CommandLine.arguments)
switch options.command {
case "export":
    try runExport(options)
case "time":
    runTiming(options)
case "sgemm":
    var rng = Generator(state: options.seed)
    runSGEMM(options, using: &rng)
default:
    fatalError("autoloss-tensor-bench: unknown command \(options.command) (time, sgemm, export)")
}
