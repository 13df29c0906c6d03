import LossLanguage

/// The regression probes' boxes: LossLanguage's `BoxPair` (i, u, e and their derivatives, one
/// definition for the detector and for these checks) in Double.
typealias Box = BoxPair<Double>.Box

extension BoxPair where T == Double {
    /// A short description for reasons: "128 px boxes at IoU 0.42".
    func describe(scale: Double) -> String {
        "\(Format.number(scale)) px boxes at IoU \(Format.number(iou))"
    }
}

/// Builds the inputs of a regression batch from box pairs.
func regressionInputs(_ pairs: [BoxPair<Double>]) -> [Input: [Double]] {
    [.i: pairs.map(\.intersection), .u: pairs.map(\.union), .e: pairs.map(\.enclosing)]
}
