import LossLanguage

/// The detector's classification loss: any formula of the matching branch, evaluated by the
/// compiled evaluator over all locations of a batch, with its gradient into the logits.
///
/// - `softmax` mode: C + 1 logits per location, background last; y one-hot; w the IoU of the
///   location's decoded box with its ground truth for positives and 1 for background (the
///   authors' two-stage convention).
/// - `sigmoid` mode: C logits per location, each an element; y = 1 at the ground-truth class of a
///   positive; w the IoU there and 0 elsewhere (the authors' Q). Each element's loss is weighted
///   by alpha_t = alpha (y = 1) or 1 - alpha (y = 0) where `alpha` is set (0.25, as in their
///   code and focal loss's paper, unless a baseline is tuned).
///
/// The sum is divided by `normalizer` (the number of positives, at least 1).
public final class ClassificationSlot: @unchecked Sendable {
    /// `.softmax` or `.sigmoid`: the classification head's mode is the branch of its loss.
    public let mode: Branch
    /// The number of foreground classes C.
    public let classes: Int
    /// The positives' alpha_t in sigmoid mode (the negatives' is 1 - alpha); nil: no weighting.
    public let alpha: Float?
    let loss: CompiledLoss<Float>

    /// The slot for `expr` in `mode`, over `classes` classes; `alpha`: the positives' alpha_t in sigmoid mode.
    public init(_ expr: Expr, mode: Branch, classes: Int, alpha: Float? = 0.25) throws {
        self.loss = try Self.compile(expr, mode: mode)
        self.mode = mode
        self.classes = classes
        self.alpha = alpha
    }

    /// A slot over a loss compiled once (`compile(_:mode:)`), for another number of classes.
    init(compiled loss: CompiledLoss<Float>, classes: Int, alpha: Float? = 0.25) {
        self.loss = loss
        self.mode = loss.branch
        self.classes = classes
        self.alpha = alpha
    }

    /// `expr` compiled for the head in `mode`, with its gradient into the logits; `.reg` is not
    /// a classification mode and throws `TrainingError.badSetting`.
    static func compile(_ expr: Expr, mode: Branch) throws -> CompiledLoss<Float> {
        try checkMode(mode)
        return try CompiledLoss<Float>(expr, branch: mode, gradientsFor: [.x])
    }

    /// Throws unless `mode` is `.softmax` or `.sigmoid`.
    public static func checkMode(_ mode: Branch) throws {
        if mode == .reg {
            throw TrainingError.badSetting(.mode, value: mode.rawValue,
                                           reason: "the classification head is softmax or sigmoid (reg is the regression branch)")
        }
    }

    /// Logits per location: C + 1 (softmax) or C (sigmoid).
    public var width: Int { mode == .softmax ? classes + 1 : classes }

    /// The loss over `locations` rows of logits, and dLoss/dlogits written to `gradient`.
    /// `labels[k]` is the class of location k or -1 for background; `iou[k]` its IoU (positives).
    /// Returns nil when a value or gradient is not finite: the caller stops the run as diverged.
    public func evaluate(logits: UnsafePointer<Float>, labels: [Int32], iou: [Float], normalizer: Float,
                         gradient: UnsafeMutablePointer<Float>) -> Float? {
        let n = labels.count, k = width
        var y = [Float](repeating: 0, count: n * k)
        var values = [Float](repeating: 0, count: mode == .softmax ? n : n * k)
        var bad = 0
        if mode == .softmax {
            var w = [Float](repeating: 1, count: n)
            for r in 0..<n {
                let label = labels[r]
                y[r * k + (label >= 0 ? Int(label) : classes)] = 1
                if label >= 0 { w[r] = iou[r] }
            }
            bad = y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
                loss.run(rows: n, classes: k, inputs: [.x: logits, .y: yp.baseAddress!, .w: wp.baseAddress!],
                         values: &values, gradients: [.x: gradient])
            } }
            let scale = 1 / normalizer
            for j in 0..<(n * k) { gradient[j] *= scale }
            let total = values.reduce(0, +) * scale
            return bad == 0 && total.isFinite ? total : nil
        } else {
            var w = [Float](repeating: 0, count: n * k)
            for r in 0..<n where labels[r] >= 0 {
                y[r * k + Int(labels[r])] = 1
                w[r * k + Int(labels[r])] = iou[r]
            }
            bad = y.withUnsafeBufferPointer { yp in w.withUnsafeBufferPointer { wp in
                loss.run(rows: n * k, classes: 1, inputs: [.x: logits, .y: yp.baseAddress!, .w: wp.baseAddress!],
                         values: &values, gradients: [.x: gradient])
            } }
            var total: Float = 0
            let scale = 1 / normalizer
            for j in 0..<(n * k) {
                let a: Float = alpha.map { y[j] == 1 ? $0 : 1 - $0 } ?? 1
                total += a * values[j]
                gradient[j] *= a * scale
            }
            total *= scale
            return bad == 0 && total.isFinite ? total : nil
        }
    }
}
