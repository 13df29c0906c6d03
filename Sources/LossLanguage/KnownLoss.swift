import Foundation

/// The library of known losses, usable wherever a formula is (DESIGN.md, "Known losses").
///
/// The focal-style alpha_t weighting of one-stage detectors is applied by the detector, outside
/// the formula, as in the authors' code; focal and QFL use gamma = beta = 2.
public struct KnownLoss: Hashable, Sendable {
    /// The name a formula argument or another formula uses: `ce`, `giou`, `cse-a-cls`, ...
    public let name: String
    /// The formula per branch it has a form in; the published ones are the authors' prefix strings.
    let forms: [Branch: String]
    /// What the loss is, in a line, with its source.
    public let summary: String

    /// The branches it has a form in.
    public var branches: [Branch] { Branch.allCases.filter { forms[$0] != nil } }

    /// The known loss of that name (any case), or nil.
    public init?(name: String) {
        guard let found = Self.named.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = found
    }

    init(_ name: String, _ summary: String, _ forms: [Branch: String]) {
        self.name = name
        self.summary = summary
        self.forms = forms
    }

    /// The formula in `branch`, or a type error saying which branches the loss has.
    public func expr(branch: Branch) throws -> Expr {
        guard let source = forms[branch] else {
            let have = branches.map(\.rawValue).joined(separator: ", ")
            throw LossLanguageError.type(message: "the known loss '\(name)' has no \(branch.rawValue) form (it is defined for: \(have))")
        }
        // Library formulas are fixed text, parsed and tested in the test suite.
        return try Expr.parse(source, branch: branch)
    }

    /// Sigmoid focal loss with an integer gamma (the language has no power operator: the factor
    /// is repeated); gamma 0 is BCE. For `tune-baseline`'s grid.
    public static func focalSigmoid(gamma: Int) -> String {
        precondition(gamma >= 0, "gamma is not negative")
        let positive = String(repeating: "(1 - sigmoid(x)) * ", count: gamma)
        let negative = String(repeating: "sigmoid(x) * ", count: gamma)
        return "-(y * \(positive)log(sigmoid(x)) + (1 - y) * \(negative)log(1 - sigmoid(x)))"
    }

    /// The generic losses: the standard ones and the four published. Generation 0 of a search
    /// that seeds with the known losses is those of its branch, in this order.
    public static let all: [KnownLoss] = [
        KnownLoss("ce", "cross-entropy", [.softmax: "-dot(y, log(softmax(x)))"]),
        KnownLoss("cei", "IoU-weighted cross-entropy", [.softmax: "-dot(w * y, log(softmax(x)))"]),
        KnownLoss("bce", "binary cross-entropy", [.sigmoid: "-(y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x)))"]),
        KnownLoss("focal", "focal loss, gamma 2 (Lin et al. 2017)", [
            .softmax: "-dot(y * (1 - softmax(x)) * (1 - softmax(x)), log(softmax(x)))",
            .sigmoid: focalSigmoid(gamma: 2),
        ]),
        KnownLoss("qfl", "quality focal loss, beta 2 (Li et al. 2020), IoU target w", [
            .sigmoid: "-(w - sigmoid(x)) * (w - sigmoid(x)) * (w * log(sigmoid(x)) + (1 - w) * log(1 - sigmoid(x)))",
        ]),
        KnownLoss("iou", "IoU loss", [.reg: "1 - i / u"]),
        KnownLoss("giou", "generalized IoU loss", [.reg: "1 - i / u + (e - u) / e"]),
        KnownLoss("log-iou", "-log IoU (UnitBox)", [.reg: "-log(i / u)"]),
        KnownLoss("cse-a-cls", "CSE-Autoloss-A classification (two-stage)",
                  [.softmax: "Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))"]),
        KnownLoss("cse-a-reg", "CSE-Autoloss-A regression",
                  [.reg: "Add(1,Neg(Add(Div(I,U),Neg(Div(Add(E,Neg(Add(I,2))),E)))))"]),
        KnownLoss("cse-b-cls", "CSE-Autoloss-B classification (one-stage)",
                  [.sigmoid: "Neg(Add(Mul(Q,Mul(Add(1,Serf(Sig(NY))),Log(Sig(X)))),Mul(Add(Sgdf(X),Neg(Q)),Mul(Add(Add(1,Neg(Q)),Neg(Add(1,Neg(Sig(X))))),Log(Add(1,Neg(Sig(X))))))))"]),
        KnownLoss("cse-b-reg", "CSE-Autoloss-B regression",
                  [.reg: "Neg(Div(Add(Div(Neg(Add(Neg(E),Add(1,I))),Neg(Add(3,Add(2,U)))),Add(Div(E,E),Div(Neg(E),Neg(1)))),Neg(Add(Div(Neg(Add(U,Div(I,1))),Neg(3)),Neg(E)))))"]),
    ]
}

extension KnownLoss {
    /// Every loss with a name: `all`, then the specialists.
    public static var named: [KnownLoss] { all + specialists }

    /// Losses made for one kind of task rather than for detection in general (issue 34): the
    /// robust losses of label noise, baselines of the `noisy` shapes scenes, with their papers'
    /// parameters. Named like the others, but not in `all`, which is also generation 0 of every
    /// search (`Breeder.seeds`): a specialist is a baseline to beat on its task, not a seed of
    /// every search (and adding them there would change every recorded search).
    ///
    /// With p_y = dot(y, softmax(x)) the probability of the labelled class (in the sigmoid branch
    /// p_t = y sigmoid(x) + (1 - y)(1 - sigmoid(x)), the two-class case, per class):
    /// - gce: (1 - p_y^q) / q, q = 0.7 (Zhang & Sabuncu 2018, "Generalized Cross Entropy Loss for
    ///   Training Deep Neural Networks with Noisy Labels"); CE as q -> 0, MAE / 2 at q = 1. The
    ///   language has no power: p^q = exp(q log p), log p_y = dot(y, log(softmax(x))) for a
    ///   one-hot y (the evaluator's fused, exact log-softmax).
    /// - sce: alpha CE + beta (-A)(1 - p_y), alpha 0.1, beta 1, A = -4 (Wang et al. 2019,
    ///   "Symmetric Cross Entropy for Robust Learning with Noisy Labels", their CIFAR-10
    ///   setting): the reverse CE -sum_k p_k log y_k with log 0 clipped to A is -A (1 - p_y).
    /// - mae: sum_k |y_k - p_k| = 2 (1 - p_y) (Ghosh, Kumar & Sastry 2017, "Robust Loss Functions
    ///   under Label Noise for Deep Neural Networks"), noise-tolerant but slow to fit.
    public static let specialists: [KnownLoss] = [
        KnownLoss("gce", "generalized cross-entropy, q 0.7 (Zhang & Sabuncu 2018): (1 - p_y^q) / q, robust to label noise", [
            .softmax: "(1 - exp(0.7 * dot(y, log(softmax(x))))) / 0.7",
            .sigmoid: "(1 - exp(0.7 * (y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x))))) / 0.7",
        ]),
        KnownLoss("sce", "symmetric cross-entropy, alpha 0.1, beta 1, A -4 (Wang et al. 2019): alpha CE + beta (-A) (1 - p_y)", [
            .softmax: "0.1 * (-dot(y, log(softmax(x)))) + 4 * (1 - dot(y, softmax(x)))",
            .sigmoid: "0.1 * (-(y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x)))) + 4 * (y * (1 - sigmoid(x)) + (1 - y) * sigmoid(x))",
        ]),
        KnownLoss("mae", "mean absolute error (Ghosh et al. 2017): 2 (1 - p_y), robust to symmetric label noise", [
            .softmax: "2 * (1 - dot(y, softmax(x)))",
            .sigmoid: "2 * (y * (1 - sigmoid(x)) + (1 - y) * sigmoid(x))",
        ]),
    ]
}

extension KnownLoss {
    /// The regression losses the detector computes itself from the boxes (L1 and smooth L1 of
    /// the box offsets, DIoU, CIoU): names a detector training takes, with no formula of i, u, e,
    /// so the parser says so where a formula names one (the detector's `RegressionSlot` reads them).
    public static let builtinRegressionNames: Set<String> = ["l1", "smooth-l1", "smooth_l1", "smoothl1", "diou", "ciou"]
}

extension Expr {
    /// A known loss's name or a formula: what every command-line formula argument accepts.
    public static func resolve(_ text: String, branch: Branch) throws -> Expr {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let known = KnownLoss(name: trimmed) { return try known.expr(branch: branch) }
        return try parse(trimmed, branch: branch)
    }
}
