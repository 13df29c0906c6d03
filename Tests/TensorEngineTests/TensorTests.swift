import TensorEngine
import XCTest
import _TestSupport

/// The tensor type and the matrix product.
final class TensorTests: XCTestCase {
    func testShapeIndexingAndValueSemantics() {
        var x = Tensor(zeros: [2, 3, 4, 5])
        XCTAssertEqual(x.count, 120)
        XCTAssertEqual([x.batch, x.channels, x.height, x.width], [2, 3, 4, 5])
        x[1, 2, 3, 4] = 7
        XCTAssertEqual(x.scalars[119], 7)
        x[0, 1, 2, 3] = 5
        XCTAssertEqual(x.scalars[((0 * 3 + 1) * 4 + 2) * 5 + 3], 5)
        let copy = x
        x[1, 2, 3, 4] = 8
        XCTAssertEqual(copy[1, 2, 3, 4], 7, "a copy keeps its values")
        XCTAssertEqual(x.reshaped(to: [6, 20]).shape, [6, 20])
        XCTAssertEqual(Tensor(repeating: 2, shape: [3]).scalars, [2, 2, 2])
        XCTAssert(x.isFinite)
        x[0, 0, 0, 0] = .infinity
        XCTAssertFalse(x.isFinite)
        x[0, 0, 0, 0] = .nan
        XCTAssertFalse(x.isFinite)
    }

    func testMatmulMatchesNaiveProductWithTransposes() {
        for seed: UInt64 in 1...6 {
            var rng = SeededGenerator(seed: seed)
            let (m, n, k) = (Int.random(in: 1...40, using: &rng), Int.random(in: 1...40, using: &rng), Int.random(in: 1...40, using: &rng))
            let ta = Bool.random(using: &rng), tb = Bool.random(using: &rng)
            let a = randomTensor(ta ? [k, m] : [m, k], using: &rng)
            let b = randomTensor(tb ? [n, k] : [k, n], using: &rng)
            let c = GEMM.matmul(a, b, transposeA: ta, transposeB: tb)
            XCTAssertEqual(c.shape, [m, n], "seed \(seed)")
            for i in 0..<m {
                for j in 0..<n {
                    var expected = 0.0
                    for p in 0..<k {
                        let av = ta ? a.scalars[p * m + i] : a.scalars[i * k + p]
                        let bv = tb ? b.scalars[j * k + p] : b.scalars[p * n + j]
                        expected += Double(av) * Double(bv)
                    }
                    XCTAssertEqual(Double(c.scalars[i * n + j]), expected, accuracy: 1e-5 * Double(k), "seed \(seed) [\(i), \(j)]")
                }
            }
        }
    }
}
