import LossLanguage

/// The detector's view of a box pair (LossLanguage's `BoxPair`: i, u, e and their gradients):
/// FCOS predicts distances (l, t, r, b) from a location (px, py) to the four sides, so the
/// predicted box is [px - l, py - t, px + r, py + b], in input pixels.
extension BoxPair where T == Float {
    /// The pair of the box `distances` away from `location`, and `target` (x0 y0 x1 y1).
    public init(location: (x: Float, y: Float), distances d: (l: Float, t: Float, r: Float, b: Float),
                target: (Float, Float, Float, Float)) {
        self.init(predicted: Box(x1: location.x - d.l, y1: location.y - d.t, x2: location.x + d.r, y2: location.y + d.b),
                  truth: Box(x1: target.0, y1: target.1, x2: target.2, y2: target.3))
    }

    /// dL/d(l, t, r, b) from dL/d(i, u, e): the corners' gradient, with l and t pointing left and up.
    public func distanceGradient(di: Float, du: Float, de: Float) -> (l: Float, t: Float, r: Float, b: Float) {
        let g = backward(di: di, du: du, de: de)
        return (-g.x1, -g.y1, g.x2, g.y2)
    }
}
