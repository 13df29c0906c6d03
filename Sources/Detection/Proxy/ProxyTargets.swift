/// One training image's targets in the detector's input square: its boxes (x0 y0 x1 y1, input
/// pixels), their 0-based class indices, and the FCOS assignment of every location to a box
/// index or -1 (background).
public struct ProxyTargets: Sendable {
    /// Per location, the ground-truth box it regresses (x0, y0, x1, y1 in input pixels).
    public var boxes: [(Float, Float, Float, Float)]
    /// Per location, its class index, or background.
    public var classes: [Int]
    /// One entry per location of `FCOSAssigner.locations`, level by level.
    public var assignment: [Int32]

    /// Assigns `boxes` with `assigner`; boxes without area are dropped first (they match nothing
    /// and would only confuse the assignment's "smallest box wins" rule).
    public init(boxes: [(Float, Float, Float, Float)], classes: [Int], assigner: FCOSAssigner) {
        precondition(boxes.count == classes.count, "ProxyTargets: one class per box")
        var keptBoxes: [(Float, Float, Float, Float)] = []
        var keptClasses: [Int] = []
        for (box, c) in zip(boxes, classes) where box.2 > box.0 && box.3 > box.1 {
            keptBoxes.append(box)
            keptClasses.append(c)
        }
        self.boxes = keptBoxes
        self.classes = keptClasses
        assignment = assigner.assign(boxes: keptBoxes)
    }

    /// The number of positive locations.
    public var positives: Int { assignment.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
}
