import Foundation

/// A positive elementwise map, for outputs that must stay above zero, like the four box distances
/// (l, t, r, b) of an FCOS head: `exp` (FCOS, Tian et al. 2019, §3.1: "exp(s_i x)") or
/// `softplus`, log(1 + eˣ).
///
/// Why not a ReLU: a box head whose ReLU output starts at zero with a zero bias has zero gradient
/// everywhere and never leaves zero (seen with a GIoU loss stuck at exactly 1; DESIGN.md, "The
/// built-in proxy detector"). Both maps here have a positive gradient everywhere.
///
/// ```swift
/// let positive = Activation(.exp)
/// let d = positive.forward(raw, training: true)       // e^raw
/// let g = positive.backward(lossGradient)             // lossGradient · e^raw
/// ```
///
/// `exp` takes its input clamped at 80 (e⁸⁰ ≈ 5.5·10³⁴, still finite in Float; the gradient is
/// zero beyond): a runaway input gives a huge but finite box, which the loss then reports,
/// instead of an infinity here. Softplus is computed as max(x, 0) + log1p(e^-|x|), exact at both
/// ends; its derivative is the sigmoid.
public final class Activation: Layer {
    public enum Function: String, Sendable, CaseIterable {
        case exp, softplus
    }

    public let function: Function
    /// `exp` keeps its output (the derivative is the output), `softplus` its input.
    var saved = _SavedStack<Tensor>()

    /// The largest input `exp` uses.
    public static let expClamp: Float = 80

    public init(_ function: Function) {
        self.function = function
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let f = function
        let output = input.withPointer { x in
            Tensor(uninitialized: input.shape) { y in
                let x = SendablePointer(x), y = SendablePointer(y)
                Parallel.forRanges(input.count) { r in
                    switch f {
                    case .exp:
                        for k in r { y.base[k] = Foundation.exp(min(x.base[k], Self.expClamp)) }
                    case .softplus:
                        for k in r {
                            let v = x.base[k]
                            y.base[k] = max(v, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(v)))
                        }
                    }
                }
            }
        }
        if training { saved.push(function == .exp ? output : input) }
        return output
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let kept = saved.pop("Activation")
        precondition(gradient.shape == kept.shape, "Activation.backward: gradient \(gradient.shape) does not match \(kept.shape)")
        let f = function
        return kept.withPointer { s in
            gradient.withPointer { dy in
                Tensor(uninitialized: kept.shape) { dx in
                    let s = SendablePointer(s), dy = SendablePointer(dy), dx = SendablePointer(dx)
                    Parallel.forRanges(kept.count) { r in
                        switch f {
                        case .exp:
                            // y = e^min(x, clamp): the saved output is the derivative, except beyond the clamp.
                            let top = Foundation.exp(Self.expClamp)
                            for k in r { dx.base[k] = s.base[k] < top ? dy.base[k] * s.base[k] : 0 }
                        case .softplus:
                            for k in r { dx.base[k] = dy.base[k] / (1 + Foundation.exp(-s.base[k])) }
                        }
                    }
                }
            }
        }
    }

    public func clearSaved() { saved.removeAll() }
}
