"""Runs every mmdet module `autoloss export --format mmdet` writes, with torch, against the
formula's values from `autoloss loss eval`. The module imports two names from mmdet: its MODELS
registry and weight_reduce_loss. Where mmdet's registry imports (mmdet 3.x with mmengine; it
needs no compiled ops), the modules are registered in it and built through mmengine's
`MODELS.build`; otherwise a stand-in registry is used. weight_reduce_loss lives in
mmdet.models, whose import needs mmcv's compiled ops (mmcv._ext): a copy stands in where that
fails. So torch is the only requirement; the first line printed says which were real.

Usage: .venv/bin/python scripts/check_mmdet_export.py [path/to/autoloss]
"""
import json
import subprocess
import sys
import tempfile
import types

import torch

CLI = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/autoloss"


class Registry:
    def register_module(self):
        return lambda cls: cls


def weight_reduce_loss(loss, weight=None, reduction="mean", avg_factor=None):
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() / avg_factor if avg_factor else (loss.mean() if reduction == "mean" else loss.sum())


try:
    from mmdet.registry import MODELS as REAL_REGISTRY
except ImportError:
    REAL_REGISTRY = None
try:
    from mmdet.models.losses.utils import weight_reduce_loss as real_weight_reduce_loss
except ImportError:
    real_weight_reduce_loss = None
print(f"registry: {'mmdet.registry.MODELS (mmengine)' if REAL_REGISTRY else 'stand-in'}; "
      f"weight_reduce_loss: {'mmdet' if real_weight_reduce_loss else 'stand-in'}")
registry = types.ModuleType("mmdet.registry")
registry.MODELS = REAL_REGISTRY or Registry()
utils = types.ModuleType("mmdet.models.losses.utils")
utils.weight_reduce_loss = real_weight_reduce_loss or weight_reduce_loss
for name, module in [("mmdet", types.ModuleType("mmdet")), ("mmdet.registry", registry),
                     ("mmdet.models", types.ModuleType("mmdet.models")),
                     ("mmdet.models.losses", types.ModuleType("mmdet.models.losses")),
                     ("mmdet.models.losses.utils", utils)]:
    if REAL_REGISTRY is None or name != "mmdet.registry" or real_weight_reduce_loss is None:
        sys.modules[name] = module


def run(*args):
    return subprocess.run([CLI, *args], check=True, capture_output=True, text=True).stdout


torch.manual_seed(0)
worst = 0.0
for line in filter(None, run("loss", "list").split("\n")):
    name, branch = line.split()[:2]
    namespace = {}
    class_name = "".join(part.capitalize() for part in [*name.split("-"), branch])  # unique: a real registry refuses a name twice
    exec(run("export", name, "--branch", branch, "--format", "mmdet", "--name", class_name), namespace)
    if REAL_REGISTRY is not None:
        module = REAL_REGISTRY.build(dict(type=class_name, reduction="none"))
        assert type(module).__name__ == class_name
    else:
        module = namespace[class_name](reduction="none")
    n, classes = 6, 4
    if branch == "reg":
        xy = torch.rand(n, 2, dtype=torch.float64) * 50
        target = torch.cat([xy, xy + 10 + torch.rand(n, 2, dtype=torch.float64) * 40], dim=1)
        pred = target + torch.randn(n, 4, dtype=torch.float64) * 4
        ours = module(pred, target)
        lt, rb = torch.max(pred[:, :2], target[:, :2]), torch.min(pred[:, 2:], target[:, 2:])
        i = (rb - lt).clamp(min=0).prod(dim=1)
        area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        u = area(pred) + area(target) - i + 1e-7
        e = (torch.max(pred[:, 2:], target[:, 2:]) - torch.min(pred[:, :2], target[:, :2])).prod(dim=1) + 1e-7
        inputs = {"i": i.tolist(), "u": u.tolist(), "e": e.tolist()}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(inputs, f)
        reference = torch.tensor(json.loads(run("loss", "eval", name, "--branch", "reg", "--inputs", f.name))["values"], dtype=torch.float64)
    elif branch == "softmax":
        pred = torch.randn(n, classes + 1, dtype=torch.float64)
        target = torch.tensor([0, 1, 2, 3, 4, 4])
        iou = torch.rand(n, dtype=torch.float64) * 0.9 + 0.1
        ours = module(pred, target, iou=iou)
        y = torch.nn.functional.one_hot(target, classes + 1).double()
        w = torch.where(target == classes, torch.ones_like(iou), iou)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"x": pred.tolist(), "y": y.tolist(), "w": w.tolist()}, f)
        reference = torch.tensor(json.loads(run("loss", "eval", name, "--branch", "softmax", "--inputs", f.name))["values"], dtype=torch.float64)
    else:
        pred = torch.randn(n, classes, dtype=torch.float64)
        target = torch.tensor([0, 1, 2, 3, 4, 4])
        iou = torch.rand(n, dtype=torch.float64) * 0.9 + 0.1
        ours = module(pred, target, iou=iou)
        y = torch.nn.functional.one_hot(target, classes + 1)[:, :classes].double()
        q = y * iou[:, None]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"x": pred.tolist(), "y": y.tolist(), "w": q.tolist()}, f)
        values = torch.tensor(json.loads(run("loss", "eval", name, "--branch", "sigmoid", "--inputs", f.name))["values"], dtype=torch.float64)
        reference = ((0.25 * y + 0.75 * (1 - y)) * values).sum(dim=1)
    err = float(((ours - reference).abs() / reference.abs().clamp(min=1e-12)).max())
    worst = max(worst, err)
    print(f"{name:10} {branch:8} max relative difference {err:.1e}")
print(f"worst {worst:.1e}")
sys.exit(0 if worst < 1e-9 else 1)
