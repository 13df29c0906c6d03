import LossLanguage

/// The object classes of the synthetic scenes, in order of falling frequency (see
/// `ShapesScenes.Options.classWeights`). All are drawn inside an axis-aligned box that they
/// touch on all four sides, so the box is tight by construction.
public enum ShapeKind: Int, CaseIterable, Hashable, Sendable {
    /// The six classes (category ids 1 to 6 in this order); under the default weights the first is the commonest.
    case rectangle, ellipse, triangle, cross, ring, diamond

    /// The class name in datasets and reports.
    public var name: String {
        switch self {
        case .rectangle: return "rectangle"
        case .ellipse: return "ellipse"
        case .triangle: return "triangle"
        case .cross: return "cross"
        case .ring: return "ring"
        case .diamond: return "diamond"
        }
    }
}

/// One shape's outline in box coordinates: (u, v) in [0, 1]^2 spans the box, (0, 0) top-left.
/// The parameters that vary between instances of a class live here.
enum _ShapeOutline: Hashable, Sendable {
    case rectangle
    case ellipse
    /// Inner radius as a fraction of the outer.
    case ring(inner: Double)
    /// Bar thickness as a fraction of the box width (vertical bar) and height (horizontal bar).
    case cross(barWidth: Double, barHeight: Double)
    case diamond
    /// Vertices in box coordinates; their bounding box is the unit square.
    case triangle([SIMD2<Double>])

    func contains(_ u: Double, _ v: Double) -> Bool {
        let x = 2 * u - 1, y = 2 * v - 1
        switch self {
        case .rectangle:
            return true
        case .ellipse:
            return x * x + y * y <= 1
        case .ring(let inner):
            let r = x * x + y * y
            return r <= 1 && r >= inner * inner
        case .cross(let bw, let bh):
            return abs(x) <= bw || abs(y) <= bh
        case .diamond:
            return abs(x) + abs(y) <= 1
        case .triangle(let p):
            // Same side of all three edges (either winding).
            func edge(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
                (b.x - a.x) * (v - a.y) - (b.y - a.y) * (u - a.x)
            }
            let e0 = edge(p[0], p[1]), e1 = edge(p[1], p[2]), e2 = edge(p[2], p[0])
            return (e0 >= 0 && e1 >= 0 && e2 >= 0) || (e0 <= 0 && e1 <= 0 && e2 <= 0)
        }
    }

    /// A random instance of `kind`.
    static func random(_ kind: ShapeKind, using rng: inout SplitMix64) -> _ShapeOutline {
        switch kind {
        case .rectangle: return .rectangle
        case .ellipse: return .ellipse
        case .ring: return .ring(inner: rng.uniform(0.45, 0.7))
        case .cross: return .cross(barWidth: rng.uniform(0.22, 0.4), barHeight: rng.uniform(0.22, 0.4))
        case .diamond: return .diamond
        case .triangle:
            // One vertex on one side of the box, the other two at the ends of the opposite side.
            let t = rng.uniform(0.15, 0.85)
            let up: [SIMD2<Double>] = [SIMD2(t, 0), SIMD2(0, 1), SIMD2(1, 1)]
            switch rng.below(4) {
            case 0: return .triangle(up)
            case 1: return .triangle(up.map { SIMD2($0.x, 1 - $0.y) })
            case 2: return .triangle(up.map { SIMD2($0.y, $0.x) })
            default: return .triangle(up.map { SIMD2(1 - $0.y, $0.x) })
            }
        }
    }
}
