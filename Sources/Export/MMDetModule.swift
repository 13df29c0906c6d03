import LossLanguage

/// An mmdetection loss module for a formula: `forward(pred, target, weight=None, avg_factor=None,
/// reduction_override=None, iou=None)` with `loss_weight` and `reduction`, registered with
/// `@MODELS.register_module()` (mmdet 3.x) or `@LOSSES.register_module()` (2.x), whichever the
/// installed mmdet has (METHOD.md, "Neighbours").
///
/// - softmax branch: `pred` [N, C+1] logits (background last), `target` labels [N] (C = background),
///   `iou` [N] the IoU of each decoded box with its ground truth (1 is used for background rows,
///   as the authors do); the R-CNN head has to pass it.
/// - sigmoid branch: `pred` [N, C], `target` labels [N] (C = background), `iou` [N]; element
///   losses weighted by alpha_t (0.25 positives, 0.75 negatives) and summed over classes.
/// - reg branch: `pred` and `target` decoded boxes [N, 4] (x1, y1, x2, y2): set
///   `reg_decoded_bbox=True` in the head, as for the GIoU loss.
public enum MMDetModule {
    public static func source(_ expr: Expr, branch: Branch, className: String) -> String {
        let function = expr.pytorch(branch: branch)
        let forward: String
        switch branch {
        case .softmax:
            forward = """
                    classes = pred.size(-1)
                    y = torch.nn.functional.one_hot(target.long(), classes).to(pred.dtype)
                    background = target.long() == classes - 1
                    w = torch.ones_like(pred[:, 0]) if iou is None else iou.detach().to(pred.dtype).clamp(min=1e-7)
                    w = torch.where(background, torch.ones_like(w), w)
                    per_sample = loss(pred, y, w)
            """
        case .sigmoid:
            forward = """
                    classes = pred.size(-1)
                    y = torch.nn.functional.one_hot(target.long(), classes + 1)[:, :classes].to(pred.dtype)
                    q = y if iou is None else y * iou.detach().to(pred.dtype).clamp(min=1e-7)[:, None]
                    alpha = 0.25 * y + 0.75 * (1 - y)
                    per_sample = (alpha * loss(pred, y, q)).sum(dim=-1)
            """
        case .reg:
            forward = """
                    lt = torch.max(pred[:, :2], target[:, :2])
                    rb = torch.min(pred[:, 2:], target[:, 2:])
                    wh = (rb - lt).clamp(min=0)
                    i = wh[:, 0] * wh[:, 1]
                    area_p = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
                    area_t = (target[:, 2] - target[:, 0]) * (target[:, 3] - target[:, 1])
                    u = area_p + area_t - i + 1e-7
                    enclose = (torch.max(pred[:, 2:], target[:, 2:]) - torch.min(pred[:, :2], target[:, :2])).clamp(min=0)
                    e = enclose[:, 0] * enclose[:, 1] + 1e-7
                    per_sample = loss(i, u, e)
            """
        }
        return function + """


        try:  # mmdet 3.x
            from mmdet.registry import MODELS as _REGISTRY
        except ImportError:  # mmdet 2.x
            from mmdet.models.builder import LOSSES as _REGISTRY
        from mmdet.models.losses.utils import weight_reduce_loss


        @_REGISTRY.register_module()
        class \(className)(torch.nn.Module):
            \"\"\"autoloss \(branch.rawValue) loss: \(expr.infix)\"\"\"

            def __init__(self, reduction="mean", loss_weight=1.0):
                super().__init__()
                self.reduction = reduction
                self.loss_weight = loss_weight

            def forward(self, pred, target, weight=None, avg_factor=None, reduction_override=None, iou=None, **kwargs):
                reduction = reduction_override if reduction_override else self.reduction
        \(forward)
                if weight is not None and weight.dim() > 1:
                    weight = weight.mean(dim=-1)
                return self.loss_weight * weight_reduce_loss(per_sample, weight, reduction, avg_factor)

        """
    }

    /// Why `name` cannot be the module's class name, or nil when it can: it must be an ASCII
    /// Python identifier, not a keyword (`class`, `None`, `lambda`), and shadow neither a name
    /// the module defines or imports (`torch`, `math`, `loss`, `weight_reduce_loss`) nor a
    /// builtin (`super`, `float`), which the module's code would then find in its place.
    public static func classNameProblem(_ name: String, for expr: Expr, branch: Branch) -> String? {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }),
              !(48...57).contains(name.utf8.first!) else {
            return "'\(name)' is not a Python identifier (letters, digits and _, not starting with a digit)"
        }
        if pythonKeywords.contains(name) { return "'\(name)' is a Python keyword" }
        if moduleNames(source(expr, branch: branch, className: "_")).contains(name) {
            return "'\(name)' is one of the module's own names (its imports and functions), which the class would hide"
        }
        if pythonBuiltins.contains(name) { return "'\(name)' is a Python builtin, which the module uses or may use" }
        return nil
    }

    /// The names a module's source binds at any indentation: imports (and their `as` names),
    /// functions, classes and assignments at the top level.
    static func moduleNames(_ source: String) -> Set<String> {
        var names: Set<String> = []
        for raw in source.split(separator: "\n") {
            let line = raw.drop(while: { $0 == " " })
            let words = line.split(whereSeparator: { " ,():=".contains($0) }).map(String.init)
            guard let first = words.first else { continue }
            switch first {
            case "import":
                names.formUnion(words.dropFirst().map { String($0.split(separator: ".")[0]) })
            case "from":
                if let k = words.firstIndex(of: "import") { names.formUnion(words[(k + 1)...].filter { $0 != "as" }) }
            case "def", "class":
                if line.count == raw.count, words.count > 1 { names.insert(words[1]) }
            default:
                if line.count == raw.count, line.contains("=") { names.insert(first) }
            }
        }
        return names
    }

    static let pythonKeywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
        "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    /// `dir(builtins)` of Python 3.11, less the dunder names.
    static let pythonBuiltins: Set<String> = Set("""
        ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError \
        BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError \
        ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup \
        FileExistsError FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning \
        IndentationError IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError \
        ModuleNotFoundError NameError NotADirectoryError NotImplemented NotImplementedError OSError OverflowError \
        PendingDeprecationWarning PermissionError ProcessLookupError RecursionError ReferenceError ResourceWarning \
        RuntimeError RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit \
        TabError TimeoutError TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError \
        UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ZeroDivisionError abs aiter all anext any ascii \
        bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright credits delattr dict dir \
        divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int \
        isinstance issubclass iter len license list locals map max memoryview min next object oct open ord pow print \
        property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}
