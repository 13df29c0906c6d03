/// Nearest-neighbour upsampling by 2 in height and width (PyTorch's
/// `F.interpolate(x, scale_factor=2, mode="nearest")`): each input pixel becomes a 2x2 block.
/// The top-down path of a feature pyramid uses it to bring a coarse level to the next finer one.
///
/// Backward sums each 2x2 block of the output gradient into its input pixel.
///
/// ```swift
/// let up = UpsampleNearest2x()
/// let p4 = lateral4.forward(c4, training: true) + up.forward(p5, training: true)
/// ```
public final class UpsampleNearest2x: Layer {
    var saved = _SavedStack<[Int]>()  // the input's shape; nothing else is needed

    public init() {}

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (n, c, h, w) = input.nchw
        let output = input.withPointer { x in
            Tensor(uninitialized: [n, c, 2 * h, 2 * w]) { y in
                let x = SendablePointer(x), y = SendablePointer(y)
                Parallel.forRanges(n * c, grain: max(1, 16_384 / max(h * w * 4, 1))) { planes in
                    for p in planes {
                        for i in 0..<h {
                            let src = x.base + (p * h + i) * w
                            let row0 = y.base + (p * 2 * h + 2 * i) * 2 * w, row1 = row0 + 2 * w
                            for j in 0..<w {
                                let v = src[j]
                                row0[2 * j] = v
                                row0[2 * j + 1] = v
                            }
                            row1.update(from: row0, count: 2 * w)
                        }
                    }
                }
            }
        }
        if training { saved.push(input.shape) }
        return output
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let shape = saved.pop("UpsampleNearest2x")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        precondition(gradient.shape == [n, c, 2 * h, 2 * w],
                     "UpsampleNearest2x.backward: gradient \(gradient.shape) does not match output [\(n), \(c), \(2 * h), \(2 * w)]")
        return gradient.withPointer { dy in
            Tensor(uninitialized: shape) { dx in
                let dy = SendablePointer(dy), dx = SendablePointer(dx)
                Parallel.forRanges(n * c, grain: max(1, 16_384 / max(h * w * 4, 1))) { planes in
                    for p in planes {
                        for i in 0..<h {
                            let row0 = dy.base + (p * 2 * h + 2 * i) * 2 * w, row1 = row0 + 2 * w
                            let out = dx.base + (p * h + i) * w
                            for j in 0..<w {
                                out[j] = (row0[2 * j] + row0[2 * j + 1]) + (row1[2 * j] + row1[2 * j + 1])
                            }
                        }
                    }
                }
            }
        }
    }

    public func clearSaved() { saved.removeAll() }
}
