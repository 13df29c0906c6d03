/// Inference after the network: per-level top-k candidates above a score threshold, boxes
/// decoded from distances, class-wise non-maximum suppression, the best `maxDetections` kept.
/// The FCOS defaults: 1000 candidates per level, threshold 0.05, NMS IoU 0.6, 100 per image.
public struct Postprocess: Sendable {
    /// Candidates kept per level before NMS.
    public var candidatesPerLevel = 1000
    /// Candidates below this score are dropped.
    public var scoreThreshold: Float = 0.05
    /// Boxes of one class overlapping more than this IoU are suppressed.
    public var nmsIoU: Float = 0.6
    /// Detections kept per image.
    public var maxDetections = 100

    /// FCOS's defaults.
    public init() {}

    /// A detection in input pixels, x0 y0 x1 y1, with a 0-based class index.
    public struct Candidate: Equatable, Sendable {
        /// x0, y0, x1, y1 in input pixels.
        public var box: (Float, Float, Float, Float)
        /// The 0-based class index.
        public var classIndex: Int
        /// The class score.
        public var score: Float

        /// A detection.
        public init(box: (Float, Float, Float, Float), classIndex: Int, score: Float) {
            self.box = box
            self.classIndex = classIndex
            self.score = score
        }

        public static func == (a: Candidate, b: Candidate) -> Bool {
            a.box == b.box && a.classIndex == b.classIndex && a.score == b.score
        }
    }

    /// `scores` [locations x classes] are probabilities; `distances` [locations x 4] (l, t, r, b).
    public func run(scores: [Float], classes: Int, distances: [Float], assigner: FCOSAssigner) -> [Candidate] {
        let locations = assigner.locations
        var all: [Candidate] = []
        var offset = 0
        for level in assigner.levels.indices {
            let count = assigner.count(level: level)
            // Top-k of this level's (location, class) pairs above the threshold.
            var pool: [(score: Float, index: Int)] = []
            for k in offset..<(offset + count) {
                for c in 0..<classes where scores[k * classes + c] > scoreThreshold {
                    pool.append((scores[k * classes + c], k * classes + c))
                }
            }
            if pool.count > candidatesPerLevel {
                pool.sort { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
                pool.removeLast(pool.count - candidatesPerLevel)
            }
            for (score, index) in pool {
                let k = index / classes
                let (x, y) = (locations[k].x, locations[k].y)
                let box = (x - distances[4 * k], y - distances[4 * k + 1], x + distances[4 * k + 2], y + distances[4 * k + 3])
                all.append(Candidate(box: box, classIndex: index % classes, score: score))
            }
            offset += count
        }
        return suppress(all)
    }

    /// Class-wise greedy NMS in score order; ties keep the earlier candidate first.
    public func suppress(_ candidates: [Candidate]) -> [Candidate] {
        let order = candidates.indices.sorted {
            candidates[$0].score > candidates[$1].score || (candidates[$0].score == candidates[$1].score && $0 < $1)
        }
        var kept: [Candidate] = []
        var keptByClass: [Int: [Int]] = [:]
        for i in order {
            let c = candidates[i]
            let rivals = keptByClass[c.classIndex, default: []]
            if rivals.contains(where: { Self.iou(kept[$0].box, c.box) > nmsIoU }) { continue }
            keptByClass[c.classIndex, default: []].append(kept.count)
            kept.append(c)
            if kept.count == maxDetections { break }
        }
        return kept
    }

    static func iou(_ a: (Float, Float, Float, Float), _ b: (Float, Float, Float, Float)) -> Float {
        let iw = max(0, min(a.2, b.2) - max(a.0, b.0)), ih = max(0, min(a.3, b.3) - max(a.1, b.1))
        let i = iw * ih
        let u = (a.2 - a.0) * (a.3 - a.1) + (b.2 - b.0) * (b.3 - b.1) - i
        return u > 0 ? i / u : 0
    }
}
