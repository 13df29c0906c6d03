import TensorEngine
import XCTest
import _TestSupport

/// A tensor of uniform random scalars in `range`.
func randomTensor(_ shape: [Int], in range: ClosedRange<Float> = -1...1, using rng: inout SeededGenerator) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: range, using: &rng) })
}

/// Σ a·b in Double: the scalar objective whose gradient with respect to the output is `b`.
func weightedSum(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// What a gradient check found: the worst element, to name in a failure.
struct GradientCheckFailure: CustomStringConvertible {
    var what: String
    var index: Int
    var analytic: Double
    var numeric: Double
    var description: String { "\(what)[\(index)]: backward \(analytic), finite differences \(numeric)" }
}

/// Checks `layer`'s backward pass against central differences of L = Σ y·r for a random r:
/// every input scalar and every parameter scalar (or `maxChecks` of them, chosen at random),
/// L evaluated with Double accumulation. Tolerance: relative `relative`, with an absolute floor of
/// `absolute` times the largest analytic gradient of that tensor (Float rounding in the forward
/// pass, divided by 2h, swamps tiny gradients).
///
/// With `kinks` (networks with ReLUs), a scalar whose one-sided differences disagree by more than
/// `kinkTolerance` (relative) straddles a kink, where the central difference is the derivative of
/// neither side: it is skipped, and more than a tenth of the checks (and more than one) skipped is a failure.
func checkGradients(
    _ layer: any Layer, input: Tensor, step: Float = 1e-2, relative: Double = 1e-2, absolute: Double = 2e-3,
    maxChecks: Int = 400, kinks: Bool = false, kinkTolerance: Double = 0.05, using rng: inout SeededGenerator
) -> [GradientCheckFailure] {
    for p in layer.parameters { p.zeroGradient() }
    let output = layer.forward(input, training: true)
    let r = randomTensor(output.shape, using: &rng)
    let inputGradient = layer.backward(r)
    XCTAssertEqual(inputGradient.shape, input.shape)
    var failures: [GradientCheckFailure] = []

    func loss(_ x: Tensor) -> Double { weightedSum(layer.forward(x, training: false), r) }
    let base = loss(input)

    func compare(_ what: String, analytic: Tensor, count: Int, perturb: (Int, Float) -> Double) {
        let floor = absolute * max(1e-6, analytic.scalars.map { Double(abs($0)) }.max() ?? 0)
        var indices = Array(0..<count)
        if count > maxChecks { indices.shuffle(using: &rng); indices = Array(indices.prefix(maxChecks)) }
        var worst: (excess: Double, failure: GradientCheckFailure)?
        var skipped = 0
        for i in indices {
            let (plus, minus) = (perturb(i, step), perturb(i, -step))
            let numeric = (plus - minus) / (2 * Double(step))
            if kinks {
                let right = (plus - base) / Double(step), left = (base - minus) / Double(step)
                if abs(right - left) > max(floor, kinkTolerance * max(abs(right), abs(left))) {
                    skipped += 1
                    continue
                }
            }
            let a = Double(analytic.scalars[i])
            let allowed = max(floor, relative * max(abs(a), abs(numeric)))
            let excess = abs(a - numeric) / allowed
            if excess > 1, excess > (worst?.excess ?? 0) {
                worst = (excess, GradientCheckFailure(what: what, index: i, analytic: a, numeric: numeric))
            }
        }
        if let worst { failures.append(worst.failure) }
        if skipped > max(1, indices.count / 10) {
            failures.append(GradientCheckFailure(what: "\(what): \(skipped) of \(indices.count) checks at kinks", index: -1,
                                                 analytic: .nan, numeric: .nan))
        }
    }

    compare("input", analytic: inputGradient, count: input.count) { i, h in
        var x = input
        x.scalars[i] += h
        return loss(x)
    }
    for p in layer.parameters {
        let original = p.value
        compare(p.name, analytic: p.gradient, count: p.count) { i, h in
            p.value.scalars[i] += h
            defer { p.value = original }
            return loss(input)
        }
    }
    return failures
}
