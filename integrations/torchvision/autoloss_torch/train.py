"""autoloss-torch-train: the ready external command for `autoloss search --evaluator external`.

    autoloss search --branch reg --mode sigmoid --evaluator external \
        --command 'autoloss-torch-train {dir} --data shapes --model fcos --backbone resnet18 --iterations 200 --size 128'

Reads the candidate folder, builds the detector with the candidate's pair of losses in its head,
and runs the stage the folder asks for:
- mos: trains on the search's verification images (candidate.json; one image per class when the
  search had no --data) and scores AP on those same images: how well the loss optimises;
- proxy: trains on the train split and scores AP on the val split.
A confirmation training's candidate.json (schema 3) may carry its own setting and length:
`reg_weight` replaces --reg-weight, `focal_alpha` the alpha_t weighting's 0.25, and `horizon`
multiplies the steps of either stage (round(iterations · horizon), on the same images).
It writes result.json (COCO's 12 numbers, or "diverged" for a loss that went non-finite) and exits
0; anything else (bad data, out of memory) exits 1 with the reason as the last line on stderr.
"""
import argparse
import contextlib
import dataclasses
import io
import math
import os
import sys
import time
import traceback

import torch

from .candidate import load_candidate
from .data import Split, resolve
from .heads import use_in_faster_rcnn, use_in_fcos, use_in_retinanet
from .result import write_result

MODELS = ("fcos", "retinanet", "fasterrcnn")


def build(name, backbone, classes, size):
    """An untrained torchvision detector with `classes` foreground classes for `size`-pixel inputs."""
    from torchvision.models import resnet
    from torchvision.models.detection import FCOS, FasterRCNN, RetinaNet
    from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
    from torchvision.ops.feature_pyramid_network import LastLevelP6P7

    # No pretrained weights: BatchNorm that trains, every layer trainable (as torchvision builds
    # an untrained detector).
    trunk = getattr(resnet, backbone)(weights=None, norm_layer=torch.nn.BatchNorm2d)
    sizes = dict(min_size=size, max_size=size)
    if name == "fasterrcnn":
        return FasterRCNN(_resnet_fpn_extractor(trunk, 5), num_classes=classes + 1, **sizes)
    features = _resnet_fpn_extractor(trunk, 5, returned_layers=[2, 3, 4], extra_blocks=LastLevelP6P7(256, 256))
    if name == "fcos":
        model = FCOS(features, num_classes=classes, **sizes)
        # FCOS's box distances are relu(conv) in anchor sizes, the conv's bias starting at 0: from
        # scratch they start near 0, boxes of a pixel or less, half of zero area, whose GIoU has no
        # gradient to grow them; within 100 steps every distance is 0 and the relu stays dead (box
        # loss exactly 1 per positive, AP 0 after 3000 steps on shapes, bench/RESULTS.md). Bias 1
        # starts each distance at one anchor size, as the FCOS paper's exp(0) times the stride.
        torch.nn.init.constant_(model.head.regression_head.bbox_reg.bias, 1.0)
        return model
    return RetinaNet(features, num_classes=classes, **sizes)


def adapt(model, name, pair):
    return {"fcos": use_in_fcos, "retinanet": use_in_retinanet, "fasterrcnn": use_in_faster_rcnn}[name](model, pair)


def train(model, images, targets, iterations, batch, lr, seed):
    """SGD with momentum and a linear warm-up; returns the reason when the loss goes non-finite."""
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.SGD(parameters, lr=lr, momentum=0.9, weight_decay=1e-4)
    warmup = max(1, min(100, iterations // 4))
    order = torch.Generator().manual_seed(seed)
    model.train()
    for step in range(iterations):
        for group in optimiser.param_groups:
            group["lr"] = lr * min(1.0, (step + 1) / warmup)
        chosen = torch.randint(len(images), (min(batch, len(images)),), generator=order).tolist()
        losses = model([images[k] for k in chosen], [targets[k] for k in chosen])
        for key, value in losses.items():
            if not torch.isfinite(value):
                return f"the {key} loss is {value.item()} at step {step + 1}"
        optimiser.zero_grad()
        sum(losses.values()).backward()
        norms = torch.nn.utils.clip_grad_norm_(parameters, 10.0)
        if not math.isfinite(float(norms)):
            return f"a gradient is not finite at step {step + 1}"
        optimiser.step()
    return None


@torch.no_grad()
def coco_stats(model, split, ids, images, label_offset, batch):
    """COCOeval's 12 numbers of the model's detections on `ids` of `split` (pycocotools)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    model.eval()
    detections = []
    for start in range(0, len(ids), batch):
        outputs = model(images[start:start + batch])
        for image_id, out in zip(ids[start:start + batch], outputs):
            for box, score, label in zip(out["boxes"].tolist(), out["scores"].tolist(), out["labels"].tolist()):
                detections.append({"image_id": image_id, "category_id": split.categories[label - label_offset],
                                   "bbox": [box[0], box[1], box[2] - box[0], box[3] - box[1]], "score": score})
    if not detections:
        return None  # nothing detected: AP 0
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO(str(split.annotations))
        evaluation = COCOeval(truth, truth.loadRes(detections), "bbox")
        evaluation.params.imgIds = list(ids)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return [float(s) for s in evaluation.stats]


def threads(candidate):
    """OMP_NUM_THREADS where the environment sets it, else the share the search gave this job."""
    configured = os.environ.get("OMP_NUM_THREADS")
    return int(configured) if configured and configured.isdigit() else candidate.threads


def run(args):
    start = time.monotonic()
    candidate = load_candidate(args.candidate_dir)
    count = threads(candidate)
    if count:
        torch.set_num_threads(count)
    torch.manual_seed(candidate.seed)
    root = resolve(args.data, args.size)
    offset = 1 if args.model == "fasterrcnn" else 0
    train_split = Split(root, "train")
    if candidate.stage == "mos":
        ids = (train_split.by_file_or_id(candidate.verification_images) if candidate.verification_images
               else train_split.one_per_class())
        images, targets = train_split.load(ids, offset, args.device)
        score_split, score_ids, score_images = train_split, ids, images
        iterations = args.mos_iterations or args.iterations
    else:
        ids = train_split.ids()[:args.train_images] if args.train_images else train_split.ids()
        images, targets = train_split.load(ids, offset, args.device)
        score_split = Split(root, "val")
        score_ids = score_split.ids()
        score_images, _ = score_split.load(score_ids, offset, args.device)
        iterations = args.iterations
    # A confirmation training's horizon: more steps of the same stage, on the same images.
    iterations = candidate.steps(iterations)
    # The regression loss's weight (autoloss tune-baseline's λ), as the built-in proxy weighs it:
    # candidate.json's reg_weight where it has one (a confirmation training's tuned setting),
    # else --reg-weight. The pair carries candidate.json's focal_alpha where it has one.
    weight = candidate.reg_weight if candidate.reg_weight is not None else args.reg_weight
    pair = dataclasses.replace(candidate.pair, regression_weight=weight)
    model = adapt(build(args.model, args.backbone, len(train_split.categories), args.size), args.model, pair)
    model.to(args.device)
    diverged = train(model, images, targets, iterations, args.batch, args.lr, candidate.seed)
    if diverged:
        return write_result(candidate.dir, diverged=diverged, seconds=time.monotonic() - start)
    stats = coco_stats(model, score_split, score_ids, score_images, offset, args.batch)
    if stats is None:
        return write_result(candidate.dir, ap=0.0, seconds=time.monotonic() - start)
    return write_result(candidate.dir, stats=stats, seconds=time.monotonic() - start)


def parser():
    p = argparse.ArgumentParser(prog="autoloss-torch-train", description=__doc__.split("\n\n")[0])
    p.add_argument("candidate_dir", help="the candidate folder ({dir} in the search's --command)")
    p.add_argument("--data", required=True, help="a COCO folder (images/{train,val}, annotations/instances_{train,val}.json) or 'shapes'")
    p.add_argument("--model", choices=MODELS, default="fcos")
    p.add_argument("--backbone", choices=("resnet18", "resnet34", "resnet50"), default="resnet18")
    p.add_argument("--iterations", type=int, default=200, help="SGD steps of the proxy stage (and of MOS unless --mos-iterations); "
                   "times candidate.json's horizon where it has one")
    p.add_argument("--mos-iterations", type=int, default=None, help="SGD steps of the MOS stage (times candidate.json's horizon where it has one)")
    p.add_argument("--size", type=int, default=128, help="input size in pixels (images are resized to it)")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--train-images", type=int, default=None, help="train on the first N images of the train split")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    p.add_argument("--reg-weight", type=float, default=1.0, help="the regression loss's weight λ (tune-baseline's; default 1); a candidate.json "
                   "with reg_weight (a confirmation training's tuned setting) uses its own instead, "
                   "even where this is given")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    for name in ("iterations", "size", "batch"):
        if getattr(args, name) < 1:
            parser().error(f"--{name} must be at least 1")
    if not (0 <= args.reg_weight < float("inf")):
        parser().error(f"--reg-weight must be a finite number of at least 0 (got {args.reg_weight})")
    try:
        path = run(args)
    except Exception as error:  # one line with the reason, last, where the search shows it
        traceback.print_exc()
        print(f"autoloss-torch-train: error: {type(error).__name__}: {error}".replace("\n", " "), file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
