@testable import TensorEngine
import XCTest
import _TestSupport

/// GroupNorm's input-gradient pass in explicit lanes gives the scalar expression's bits, masked
/// or not, at every length (whole lanes and a tail).
final class ReduceAffineTests: XCTestCase {
    func testLanesGiveTheScalarExpressionsBits() {
        var rng = SeededGenerator(seed: 3)
        for n in [0, 1, 15, 16, 17, 64, 100, 1029] {
            let g = (0..<n).map { _ in Float(rng.uniform(-2, 2)) }, x = (0..<n).map { _ in Float(rng.uniform(-2, 2)) }
            let (a, b, c) = (Float(rng.uniform(-1, 1)), Float(rng.uniform(-1, 1)), Float(rng.uniform(-1, 1)))
            let (scale, shift) = (Float(rng.uniform(0.5, 2)), Float(rng.uniform(-0.5, 0.5)))
            for masked in [false, true] {
                var out = [Float](repeating: .nan, count: n)
                out.withUnsafeMutableBufferPointer { o in
                    _Reduce.affine(o.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!, g, x, n, a: a, b: b, c: c,
                                   mask: masked ? (scale, shift) : nil)
                }
                let expected = (0..<n).map { k -> Float in
                    let gk = !masked || x[k] * scale + shift > 0 ? g[k] : 0
                    return a * gk + b * x[k] + c
                }
                XCTAssertEqual(out.map(\.bitPattern), expected.map(\.bitPattern), "n \(n), masked \(masked)")
            }
        }
    }
}
