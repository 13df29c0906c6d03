import _CDNNL

/// The number format of the convolutions' arithmetic: float32 throughout, or bfloat16 inputs
/// (activations, weights, output gradients) with float32 outputs and accumulation (mixed
/// precision: the weights, their gradients, SGD, GroupNorm and the losses stay float32; only
/// what goes into a convolution is rounded to bfloat16, and oneDNN accumulates in float32).
///
/// bfloat16 keeps float32's exponent range and 8 of its 24 significand bits: no loss scaling is
/// needed, and the convolutions run about 2x faster where the processor multiplies bfloat16
/// natively (AVX512_BF16 or AMX; measured in bench/RESULTS.md, "Mixed precision").
///
/// ```swift
/// conv.precision = .auto      // bfloat16 where the processor has it, else float32
/// conv.precision.resolved     // .bf16 on an AVX512_BF16 machine
/// ```
public enum Precision: String, CaseIterable, Codable, Sendable {
    /// float32 everywhere.
    case fp32
    /// bfloat16 convolution inputs, float32 outputs and master weights. Needs
    /// `Precision.nativeBF16`.
    case bf16
    /// `bf16` where the processor multiplies bfloat16 natively, else `fp32`.
    case auto

    /// Whether oneDNN's convolutions run bfloat16 natively on this processor (AVX512_BF16 or
    /// AMX), as oneDNN sees it: `ONEDNN_MAX_CPU_ISA` lowers what it uses, and so this.
    public static let nativeBF16: Bool = {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return isa & bf16 == bf16
    }()

    /// The processor's instruction set as oneDNN names it (`avx512_core_bf16`, `avx2`...), for
    /// messages and benchmarks.
    public static var instructionSet: String {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_sse41: return "sse41"
        default: return "isa 0x\(String(dnnl_get_effective_cpu_isa().rawValue, radix: 16))"
        }
    }

    /// `fp32` or `bf16`: `auto` decided for this processor.
    public var resolved: Precision {
        self == .auto ? (Self.nativeBF16 ? .bf16 : .fp32) : self
    }

    /// Whether this processor can run it: `bf16` only where it is native (elsewhere oneDNN
    /// either emulates it slower than float32 or has no implementation at all).
    public var isAvailable: Bool { self != .bf16 || Self.nativeBF16 }

    /// Why this processor cannot run it, in words, or nil where it can.
    public var unavailability: String? {
        isAvailable ? nil : "bfloat16 needs a processor with AVX512_BF16 or AMX, and this one has \(Self.instructionSet)"
    }

    /// oneDNN's data type for a convolution's inputs.
    var inputType: dnnl_data_type_t { resolved == .bf16 ? dnnl_bf16 : dnnl_f32 }
}
