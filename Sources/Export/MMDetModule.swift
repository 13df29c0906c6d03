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
}
