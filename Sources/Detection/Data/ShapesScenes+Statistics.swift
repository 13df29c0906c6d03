import Foundation

extension ShapesScenes {
    /// What the first scenes of a split hold, measured on their records (no pixels drawn): for
    /// `autoloss data shapes` to show that a variant is what its options say.
    ///
    /// ```swift
    /// let stats = ShapesScenes(seed: 2026, imageSize: 128, options: o).statistics(split: .train, count: 1000)
    /// stats.changedLabelFraction    // about o.labelNoise
    /// ```
    public struct Statistics: Hashable, Sendable {
        /// The scenes measured.
        public var images = 0
        /// Images without any object.
        public var emptyImages = 0
        /// The fewest and the most objects in a scene.
        public var objectsPerImage = 0...0
        /// Annotations per class, indexed by `ShapeKind.rawValue`.
        public var classCounts = [Int](repeating: 0, count: ShapeKind.allCases.count)
        /// The shortest and the longest box side, in pixels.
        public var sides = 0.0...0.0
        /// Annotations whose class differs from the drawn object's (label noise).
        public var changedLabels = 0
        /// The root mean square of the box edges' moves from the drawn objects' edges, as a
        /// fraction of the side (box jitter; clipping to the image makes it a little smaller).
        public var edgeJitter = 0.0

        /// The annotations of all the scenes.
        public var annotations: Int { classCounts.reduce(0, +) }
        /// The fraction of the annotations whose class was changed: the realised label noise.
        public var changedLabelFraction: Double { annotations > 0 ? Double(changedLabels) / Double(annotations) : 0 }
    }

    /// The statistics of the first `count` scenes of `split`.
    public func statistics(split: DataSplit, count: Int) -> Statistics {
        var s = Statistics()
        var counts: [Int] = [], shortest = Double.infinity, longest = 0.0, squares = 0.0, edges = 0
        for index in 0..<count {
            let layout = layout(index, split: split)
            let annotations = record(layout, index: index, split: split).annotations
            counts.append(annotations.count)
            for (object, a) in zip(layout.objects, annotations) {
                s.classCounts[a.categoryID - 1] += 1
                if a.categoryID != object.kind.rawValue + 1 { s.changedLabels += 1 }
                shortest = min(shortest, a.box.width, a.box.height)
                longest = max(longest, a.box.width, a.box.height)
                let (b, c) = (object.box, a.box)
                for (move, side) in [(c.x - b.x, b.width), (c.x + c.width - b.x - b.width, b.width),
                                     (c.y - b.y, b.height), (c.y + c.height - b.y - b.height, b.height)] {
                    squares += (move / side) * (move / side)
                    edges += 1
                }
            }
        }
        s.images = count
        s.emptyImages = counts.filter { $0 == 0 }.count
        s.objectsPerImage = (counts.min() ?? 0)...(counts.max() ?? 0)
        if edges > 0 {
            s.sides = shortest...longest
            s.edgeJitter = (squares / Double(edges)).squareRoot()
        }
        return s
    }
}
