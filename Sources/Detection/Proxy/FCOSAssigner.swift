/// FCOS target assignment (Tian et al. 2019) on a square input: every location of every feature
/// level is labelled with the ground-truth box it regresses, or background.
///
/// A location (x, y) = (s j + s/2, s i + s/2) of a level with stride s is positive for a box when
/// it lies inside the box and inside the box's centre region (centre sampling, radius 1.5 s), and
/// the largest of its distances to the box's sides falls in the level's size range. Among several
/// such boxes the smallest wins.
public struct FCOSAssigner: Sendable {
    /// One feature level: its stride and the box sizes it regresses.
    public struct Level: Sendable, Equatable {
        /// The level's stride in pixels.
        public var stride: Int
        /// Range of max(l, t, r, b) this level regresses, in pixels: [lower, upper).
        public var lower: Float
        /// Upper end of the level's range (exclusive).
        public var upper: Float

        /// A level.
        public init(stride: Int, lower: Float, upper: Float) {
            self.stride = stride
            self.lower = lower
            self.upper = upper
        }
    }

    /// The side of the square input, in pixels.
    public var size: Int
    /// The feature levels, finest first.
    public var levels: [Level]
    /// Centre sampling's radius, in strides.
    public var centerRadius: Float

    /// Strides 8, 16, 32 with FCOS's first size ranges; the last level takes everything larger.
    public init(size: Int, levels: [Level] = FCOSAssigner.defaultLevels, centerRadius: Float = 1.5) {
        self.size = size
        self.levels = levels
        self.centerRadius = centerRadius
    }

    /// Strides 8, 16 and 32 with ranges [0, 64), [64, 128) and [128, inf).
    public static let defaultLevels = [
        Level(stride: 8, lower: 0, upper: 64),
        Level(stride: 16, lower: 64, upper: 128),
        Level(stride: 32, lower: 128, upper: .infinity),
    ]

    /// Locations per level (the feature map of a level is size / stride on each side).
    public func count(level: Int) -> Int {
        let side = size / levels[level].stride
        return side * side
    }

    /// Locations over every level.
    public var locationCount: Int { levels.indices.reduce(0) { $0 + count(level: $1) } }

    /// Every location, level by level, row-major: its centre and its level.
    public var locations: [(x: Float, y: Float, level: Int)] {
        var out: [(x: Float, y: Float, level: Int)] = []
        out.reserveCapacity(locationCount)
        for (l, level) in levels.enumerated() {
            let side = size / level.stride, s = Float(level.stride)
            for i in 0..<side {
                for j in 0..<side { out.append((s * Float(j) + s / 2, s * Float(i) + s / 2, l)) }
            }
        }
        return out
    }

    /// The assignment of one image: for each location, the index of its box in `boxes`, or -1.
    /// Boxes are x0 y0 x1 y1 in input pixels.
    public func assign(boxes: [(Float, Float, Float, Float)]) -> [Int32] {
        var result = [Int32](repeating: -1, count: locationCount)
        let areas = boxes.map { ($0.2 - $0.0) * ($0.3 - $0.1) }
        var offset = 0
        for level in levels {
            let side = size / level.stride, s = Float(level.stride)
            let radius = centerRadius * s
            for (k, box) in boxes.enumerated() {
                let (x0, y0, x1, y1) = box
                let cx = (x0 + x1) / 2, cy = (y0 + y1) / 2
                // Candidate locations: inside both the box and its centre region.
                let lo = (max(x0, cx - radius), max(y0, cy - radius))
                let hi = (min(x1, cx + radius), min(y1, cy + radius))
                guard hi.0 > lo.0, hi.1 > lo.1 else { continue }
                let j0 = max(0, Int(((lo.0 - s / 2) / s).rounded(.up))), j1 = min(side - 1, Int(((hi.0 - s / 2) / s).rounded(.down)))
                let i0 = max(0, Int(((lo.1 - s / 2) / s).rounded(.up))), i1 = min(side - 1, Int(((hi.1 - s / 2) / s).rounded(.down)))
                guard j0 <= j1, i0 <= i1 else { continue }
                for i in i0...i1 {
                    for j in j0...j1 {
                        let x = s * Float(j) + s / 2, y = s * Float(i) + s / 2
                        let l = x - x0, t = y - y0, r = x1 - x, b = y1 - y
                        guard min(l, t, r, b) > 0 else { continue }
                        let reach = max(l, t, r, b)
                        guard reach >= level.lower, reach < level.upper else { continue }
                        let slot = offset + i * side + j
                        let current = result[slot]
                        if current < 0 || areas[k] < areas[Int(current)] { result[slot] = Int32(k) }
                    }
                }
            }
            offset += side * side
        }
        return result
    }
}
