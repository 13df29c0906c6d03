"""Train torchvision detectors with losses found by autoloss.

    from autoloss_torch import load_candidate, use_in_fcos, write_result
    candidate = load_candidate("run/evaluations/proxy-1a2b-s1")
    model = torchvision.models.detection.fcos_resnet50_fpn(weights=None, num_classes=6)
    use_in_fcos(model, candidate.pair)
    ...  # train and evaluate as usual
    write_result(candidate.dir, stats=coco_eval.stats)

`conventions` holds how the built-in detector feeds a loss formula (the inputs, alpha_t, the
clamps and the normalisation); `heads` puts a pair of losses into torchvision's FCOS, RetinaNet
and Faster R-CNN; `train` is the ready external command, `autoloss-torch-train`.
"""
from .candidate import Candidate, LossPair, load_candidate
from .conventions import box_inputs, iou_weight, regression_samples, sigmoid_elements, softmax_samples
from .heads import use_in_faster_rcnn, use_in_fcos, use_in_retinanet
from .result import ResultError, write_result

__all__ = [
    "Candidate", "LossPair", "load_candidate",
    "box_inputs", "iou_weight", "regression_samples", "sigmoid_elements", "softmax_samples",
    "use_in_faster_rcnn", "use_in_fcos", "use_in_retinanet",
    "ResultError", "write_result",
]
