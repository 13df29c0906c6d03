"""Head adapters: put a LossPair into torchvision's detectors in place of their own losses.

Each adapter keeps everything of the head but the two searched losses (target assignment,
sampling, box coding, FCOS's centerness loss) and the head's own normalisation, so that the
baseline pair through an adapter is the detector's usual loss (tests: focal + GIoU through the
FCOS adapter equal torchvision's FCOS losses). Regression always goes through decoded boxes:
the formulas are functions of (i, u, e), not of box deltas.

One-stage heads (FCOS, RetinaNet) classify with sigmoids: use `--mode sigmoid`. Faster R-CNN's
RoI head classifies with a softmax over C + 1 columns: `--mode softmax`.
"""
import threading

import torch
from torchvision.models.detection import roi_heads as _roi_heads

from .conventions import iou_weight, regression_samples, sigmoid_elements, softmax_samples


def _require(pair, mode, detector):
    if pair.mode != mode:
        raise ValueError(f"{detector} classifies in {mode} mode but the candidate's mode is {pair.mode}: "
                         f"search with --mode {mode} for this detector")


def _matched_targets(targets, matched_idxs):
    """Per image: each anchor's ground-truth class (-1 background, -2 ignored) and box."""
    classes, boxes = [], []
    for target, matched in zip(targets, matched_idxs):
        if len(target["labels"]) == 0:
            c = target["labels"].new_zeros((len(matched),))
            b = target["boxes"].new_zeros((len(matched), 4))
        else:
            c = target["labels"][matched.clip(min=0)].clone()
            b = target["boxes"][matched.clip(min=0)]
        c[matched < 0] = matched[matched < 0].to(c.dtype).clamp(min=-2)
        classes.append(c)
        boxes.append(b)
    return torch.stack(classes), torch.stack(boxes)


def _classification_and_box(pair, logits, labels, pred_boxes, gt_boxes):
    """Sums of the classification loss over every row given and of the regression loss over
    the positives among them; rows with label -2 (ignored anchors) must be left out first."""
    positive = labels >= 0
    iou = torch.zeros(labels.shape, dtype=logits.dtype, device=logits.device)
    iou[positive] = iou_weight(pred_boxes[positive], gt_boxes[positive]).to(logits.dtype)
    cls = sigmoid_elements(pair.classification, logits, labels, iou, pair.focal_alpha).sum()
    box = regression_samples(pair.regression, pred_boxes[positive], gt_boxes[positive]).sum()
    return cls, box


def use_in_fcos(model, pair):
    """FCOS (torchvision.models.detection.FCOS): classification and box losses from `pair`,
    both divided by the number of positives in the batch; centerness as torchvision has it."""
    _require(pair, "sigmoid", "FCOS")
    head = model.head

    def compute_loss(targets, head_outputs, anchors, matched_idxs):
        logits = head_outputs["cls_logits"]                        # [N, HWA, C]
        labels, gt_boxes = _matched_targets(targets, matched_idxs)  # [N, HWA], [N, HWA, 4]
        anchors = torch.stack(anchors)
        pred_boxes = head.box_coder.decode(head_outputs["bbox_regression"], anchors)
        normaliser = max(1, int((labels >= 0).sum()))
        cls, box = _classification_and_box(pair, logits.flatten(0, 1), labels.flatten(), pred_boxes.flatten(0, 1),
                                           gt_boxes.flatten(0, 1))
        foreground = labels >= 0
        encoded = head.box_coder.encode(anchors, gt_boxes)
        left_right, top_bottom = encoded[:, :, [0, 2]], encoded[:, :, [1, 3]]
        centerness = torch.sqrt((left_right.min(dim=-1)[0] / left_right.max(dim=-1)[0])
                                * (top_bottom.min(dim=-1)[0] / top_bottom.max(dim=-1)[0]))
        ctrness = torch.nn.functional.binary_cross_entropy_with_logits(
            head_outputs["bbox_ctrness"].squeeze(dim=2)[foreground], centerness[foreground], reduction="sum")
        return {"classification": cls / normaliser,
                "bbox_regression": pair.regression_weight * box / normaliser,
                "bbox_ctrness": ctrness / normaliser}

    head.compute_loss = compute_loss
    return model


def use_in_retinanet(model, pair):
    """RetinaNet: per image, the classification loss over the anchors that are not ignored and the
    box loss over its positives, each divided by the image's positives (at least 1), then the
    mean over images, as torchvision's RetinaNet head does."""
    _require(pair, "sigmoid", "RetinaNet")
    head = model.head
    coder = head.regression_head.box_coder

    def compute_loss(targets, head_outputs, anchors, matched_idxs):
        labels, gt_boxes = _matched_targets(targets, matched_idxs)
        cls_total, box_total = 0, 0
        for k in range(len(targets)):
            kept = labels[k] != -2
            pred_boxes = coder.decode_single(head_outputs["bbox_regression"][k], anchors[k])
            cls, box = _classification_and_box(pair, head_outputs["cls_logits"][k][kept], labels[k][kept],
                                               pred_boxes[kept], gt_boxes[k][kept])
            normaliser = max(1, int((labels[k] >= 0).sum()))
            cls_total = cls_total + cls / normaliser
            box_total = box_total + box / normaliser
        return {"classification": cls_total / len(targets),
                "bbox_regression": pair.regression_weight * box_total / len(targets)}

    head.compute_loss = compute_loss
    return model


# Faster R-CNN computes its RoI losses in the module function roi_heads.fastrcnn_loss, which gets
# box deltas but not the proposals they decode against. The adapter wraps the RoI head so that,
# during its forward pass, the proposals it sampled are kept and that function is this one.
_active = threading.local()
_torchvision_fastrcnn_loss = _roi_heads.fastrcnn_loss


def _fastrcnn_loss(class_logits, box_regression, labels, regression_targets):
    adapter = getattr(_active, "adapter", None)
    if adapter is None:
        return _torchvision_fastrcnn_loss(class_logits, box_regression, labels, regression_targets)
    return adapter(class_logits, box_regression, labels, regression_targets)


_roi_heads.fastrcnn_loss = _fastrcnn_loss


def use_in_faster_rcnn(model, pair):
    """Faster R-CNN's RoI head (softmax mode). The ground truth of each sampled positive RoI is
    taken from the matched boxes the head sampled with it."""
    _require(pair, "softmax", "Faster R-CNN")
    heads = model.roi_heads
    select, forward = heads.select_training_samples, heads.forward
    kept = {}

    def select_training_samples(proposals, targets):
        proposals, matched_idxs, labels, regression_targets = select(proposals, targets)
        kept["proposals"] = proposals
        kept["gt_boxes"] = [t["boxes"][m] if len(t["boxes"]) else t["boxes"].new_zeros((len(m), 4))
                            for t, m in zip(targets, matched_idxs)]
        return proposals, matched_idxs, labels, regression_targets

    def losses(class_logits, box_regression, labels, regression_targets):
        labels = torch.cat(labels)
        proposals = torch.cat(kept["proposals"])
        gt_boxes = torch.cat(kept["gt_boxes"])
        logits = torch.cat([class_logits[:, 1:], class_logits[:, :1]], dim=1)  # background last
        ours = labels - 1                                                         # background -> -1
        positive = ours >= 0
        rows = positive.nonzero().squeeze(1)
        deltas = box_regression.reshape(len(labels), -1, 4)[rows, labels[rows]]
        pred_boxes = heads.box_coder.decode_single(deltas, proposals[rows])
        iou = torch.zeros(labels.shape, dtype=logits.dtype, device=logits.device)
        iou[rows] = iou_weight(pred_boxes, gt_boxes[rows]).to(logits.dtype)
        cls = softmax_samples(pair.classification, logits, ours, iou).sum()
        box = regression_samples(pair.regression, pred_boxes, gt_boxes[rows]).sum()
        count = max(1, len(labels))
        return cls / count, pair.regression_weight * box / count

    def wrapped_forward(*args, **kwargs):
        _active.adapter = losses
        try:
            return forward(*args, **kwargs)
        finally:
            _active.adapter = None
            kept.clear()

    heads.select_training_samples = select_training_samples
    heads.forward = wrapped_forward
    return model
