import _CDNNL

/// Single-precision matrix products through oneDNN's `dnnl_sgemm` (row-major, JIT-generated
/// AVX-512/AVX2 kernels, OpenMP over all cores): about 470 GFLOP/s on two EPYC cores, twice
/// OpenBLAS on the same machine (DESIGN.md, "TensorEngine").
///
/// ```swift
/// let c = GEMM.matmul(a, b)                       // [m, k] x [k, n] -> [m, n]
/// let g = GEMM.matmul(a, b, transposeA: true)     // [k, m]^T x [k, n]
/// ```
public enum GEMM {
    /// `C = alpha * op(A) * op(B) + beta * C` on row-major buffers, `op(A)` being `m x k`,
    /// `op(B)` `k x n`, `C` `m x n`; `lda`, `ldb`, `ldc` are row strides of the stored matrices.
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let ta = CChar(UInt8(ascii: transposeA ? "T" : "N")), tb = CChar(UInt8(ascii: transposeB ? "T" : "N"))
        let status = dnnl_sgemm(ta, tb, dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha, a, dnnl_dim_t(lda),
                                b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc))
        _DNNL.check(status, "in sgemm (m \(m), n \(n), k \(k))")
    }

    /// The product of two rank-2 tensors, either of them optionally transposed.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "GEMM.matmul: expected matrices, got \(a.shape) and \(b.shape)")
        let (m, ka) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(ka == kb, "GEMM.matmul: inner dimensions \(ka) and \(kb) differ")
        if m == 0 || n == 0 { return Tensor(zeros: [m, n]) }
        if ka == 0 { return Tensor(zeros: [m, n]) }
        return a.withPointer { pa in
            b.withPointer { pb in
                Tensor(uninitialized: [m, n]) { pc in
                    sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                          a: pa, lda: a.shape[1], b: pb, ldb: b.shape[1], c: pc, ldc: n)
                }
            }
        }
    }
}
