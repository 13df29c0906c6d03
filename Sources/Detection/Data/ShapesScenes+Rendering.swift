import LossLanguage
import Foundation

/// Drawing a scene layout: background gradient, distractors behind the objects, the objects in
/// order (antialiased by 4x4 supersampling, so box edges fall where the box says), distractor
/// strokes on top, then noise. The canvas is Float until the final rounding to 8 bits.
extension ShapesScenes {
    func render(_ layout: _SceneLayout, index: Int, split: DataSplit) -> RGBImage {
        var canvas = _Canvas(size: imageSize)
        let s = Double(imageSize)
        for y in 0..<imageSize {
            for x in 0..<imageSize {
                canvas.set(x, y, layout.background(at: SIMD2(Double(x) + 0.5, Double(y) + 0.5), size: s))
            }
        }
        for stroke in layout.strokes where !stroke.onTop { canvas.draw(stroke) }
        for blob in layout.blobs { canvas.draw(blob) }
        for object in layout.objects { canvas.draw(object) }
        for stroke in layout.strokes where stroke.onTop { canvas.draw(stroke) }
        var rng = SplitMix64(seed: seed, stream: split.stream + 16, index: UInt64(index))
        return canvas.quantized(noise: options.noise, using: &rng)
    }
}

/// A square Float RGB canvas, interleaved like `RGBImage`.
struct _Canvas {
    let size: Int
    var values: [Double]

    init(size: Int) {
        self.size = size
        values = [Double](repeating: 0, count: size * size * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ c: SIMD3<Double>) {
        let k = 3 * (y * size + x)
        values[k] = c.x
        values[k + 1] = c.y
        values[k + 2] = c.z
    }

    /// Mixes `c` into pixel (x, y) with weight `alpha`.
    mutating func blend(_ x: Int, _ y: Int, _ c: SIMD3<Double>, _ alpha: Double) {
        let k = 3 * (y * size + x)
        values[k] += (c.x - values[k]) * alpha
        values[k + 1] += (c.y - values[k + 1]) * alpha
        values[k + 2] += (c.z - values[k + 2]) * alpha
    }

    /// The pixel range a span of continuous coordinates touches, clipped to the canvas.
    func pixels(_ low: Double, _ high: Double) -> Range<Int> {
        let a = max(0, Int(low.rounded(.down))), b = min(size, Int(high.rounded(.up)))
        return a < b ? a..<b : 0..<0
    }

    mutating func draw(_ object: _SceneLayout.Object) {
        let box = object.box
        let n = 4
        for y in pixels(box.y, box.y + box.height) {
            for x in pixels(box.x, box.x + box.width) {
                var hits = 0
                for j in 0..<n {
                    let v = (Double(y) + (Double(j) + 0.5) / Double(n) - box.y) / box.height
                    guard v >= 0 && v <= 1 else { continue }
                    for i in 0..<n {
                        let u = (Double(x) + (Double(i) + 0.5) / Double(n) - box.x) / box.width
                        if u >= 0 && u <= 1 && object.outline.contains(u, v) { hits += 1 }
                    }
                }
                if hits > 0 { blend(x, y, object.color, Double(hits) / Double(n * n)) }
            }
        }
    }

    /// Each segment with a one-pixel linear falloff at its edge.
    mutating func draw(_ stroke: _SceneLayout.Stroke) {
        let half = stroke.thickness / 2
        for (a, b) in zip(stroke.points, stroke.points.dropFirst()) {
            let d = b - a
            let length2 = max((d * d).sum(), 1e-12)
            for y in pixels(min(a.y, b.y) - half - 1, max(a.y, b.y) + half + 1) {
                for x in pixels(min(a.x, b.x) - half - 1, max(a.x, b.x) + half + 1) {
                    let p = SIMD2(Double(x) + 0.5, Double(y) + 0.5)
                    let t = min(max(((p - a) * d).sum() / length2, 0), 1)
                    let q = p - (a + d * t)
                    let coverage = min(max(half + 0.5 - (q * q).sum().squareRoot(), 0), 1)
                    if coverage > 0 { blend(x, y, stroke.color, coverage) }
                }
            }
        }
    }

    /// A soft Gaussian spot: no edge, so never mistakable for a drawn shape.
    mutating func draw(_ blob: _SceneLayout.Blob) {
        let reach = 3 * blob.sigma
        for y in pixels(blob.center.y - reach, blob.center.y + reach) {
            for x in pixels(blob.center.x - reach, blob.center.x + reach) {
                let p = SIMD2(Double(x) + 0.5, Double(y) + 0.5) - blob.center
                let alpha = blob.strength * exp(-(p * p).sum() / (2 * blob.sigma * blob.sigma))
                blend(x, y, blob.color, alpha)
            }
        }
    }

    /// Adds noise and rounds to 8 bits.
    func quantized(noise: Double, using rng: inout SplitMix64) -> RGBImage {
        var bytes = [UInt8](repeating: 0, count: values.count)
        for k in values.indices {
            let v = values[k] + (noise > 0 ? noise * rng.normal() : 0)
            bytes[k] = UInt8(min(max(v.rounded(), 0), 255))
        }
        return RGBImage(width: size, height: size, pixels: bytes)
    }
}
