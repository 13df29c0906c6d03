"""How autoloss's built-in detector feeds a loss formula, in one place (Sources/Detection/Proxy:
ClassificationSlot.swift, RegressionSlot.swift, ProxyLoss.swift; METHOD.md). A loss found by the
search means what it meant there only when it gets the same inputs, so every head adapter builds
them here.

- Boxes are xyxy in input pixels. The regression inputs are i (intersection area), u (union area
  + 1e-7) and e (enclosing-box area + 1e-7): the authors add 1e-7 so that i / u and (e - u) / e
  stay finite for degenerate boxes.
- w is the IoU of a positive's decoded predicted box with its ground truth, detached (the
  authors treat it as a label, not a path for gradients) and clamped at 1e-7 (so that log(w)
  and 1 / w stay finite for a box that misses).
- sigmoid mode (one-stage heads): x, y, w are [N, C]; y is 1 at a positive's class; w is the IoU
  there and 0 elsewhere (the authors' Q = w * y); each element's loss is weighted by alpha_t,
  alpha where y = 1 and 1 - alpha where y = 0, alpha 0.25 (0.25 and 0.75) as in their focal-loss
  based code: a found sigmoid loss was selected under that weighting. A tuned setting (candidate.json's
  focal_alpha, LossPair.focal_alpha) replaces the 0.25, as in the built-in detector.
- softmax mode (two-stage heads): x, y are [N, C + 1] with background in the last column; w is
  [N], the IoU for positives and 1 for background rows (the authors' convention: background
  gets full weight).
- Reduction: the sum over elements (sigmoid) or rows (softmax) and over positives (regression);
  the heads divide by their own normaliser (the built-in detector and FCOS: the number of
  positives, at least 1).
"""
import torch

ALPHA_POSITIVE = 0.25  # the default alpha (LossPair.focal_alpha)
ALPHA_NEGATIVE = 1 - ALPHA_POSITIVE
AREA_EPS = 1e-7
IOU_FLOOR = 1e-7


def box_inputs(pred, target):
    """(i, u, e), each [P], of predicted and ground-truth xyxy boxes [P, 4]."""
    top_left = torch.max(pred[:, :2], target[:, :2])
    bottom_right = torch.min(pred[:, 2:], target[:, 2:])
    overlap = (bottom_right - top_left).clamp(min=0)
    i = overlap[:, 0] * overlap[:, 1]
    area_pred = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
    area_target = (target[:, 2] - target[:, 0]) * (target[:, 3] - target[:, 1])
    u = area_pred + area_target - i + AREA_EPS
    enclosing = torch.max(pred[:, 2:], target[:, 2:]) - torch.min(pred[:, :2], target[:, :2])
    e = enclosing[:, 0] * enclosing[:, 1] + AREA_EPS
    return i, u, e


def iou_weight(pred, target):
    """w for positives: the IoU of each predicted box with its ground truth, detached, at least 1e-7."""
    with torch.no_grad():
        i, u, _ = box_inputs(pred, target)
        return (i / u).clamp(min=IOU_FLOOR)


def sigmoid_elements(loss, logits, labels, iou, alpha=ALPHA_POSITIVE):
    """The alpha_t-weighted loss of every element, [N, C]: alpha_t is `alpha` where y = 1 and
    1 - `alpha` where y = 0. logits [N, C]; labels [N], the class index of a positive or -1
    (background); iou [N], read at positives only."""
    positive = labels >= 0
    rows = torch.nonzero(positive).squeeze(1)
    y = torch.zeros_like(logits)
    y[rows, labels[rows]] = 1
    w = torch.zeros_like(logits)
    w[rows, labels[rows]] = iou[rows].to(logits.dtype)
    # In the logits' dtype from the start (float64 logits keep alpha's float64 value). 1 - 0.25 is
    # 0.75 exactly: at the default these are ALPHA_POSITIVE and ALPHA_NEGATIVE.
    alpha = float(alpha)
    alpha_t = torch.where(y == 1, torch.full_like(logits, alpha), torch.full_like(logits, 1.0 - alpha))
    return alpha_t * loss(logits, y, w)


def softmax_samples(loss, logits, labels, iou):
    """The loss of every row, [N]. logits [N, C + 1], background last; labels [N], the class
    index of a positive or -1 (background); iou [N], read at positives only."""
    classes = logits.shape[1] - 1
    positive = labels >= 0
    column = torch.where(positive, labels, torch.full_like(labels, classes))
    y = torch.nn.functional.one_hot(column, classes + 1).to(logits.dtype)
    w = torch.where(positive, iou.to(logits.dtype), torch.ones_like(iou, dtype=logits.dtype))
    return loss(logits, y, w)


def regression_samples(loss, pred, target):
    """The loss of every positive, [P], of predicted and ground-truth xyxy boxes [P, 4]."""
    if pred.shape[0] == 0:
        return pred.sum(dim=1)  # [0], still attached to the graph
    i, u, e = box_inputs(pred, target)
    return loss(i, u, e)
