"""Runs every mmdet module `autoloss export --format mmdet` writes, with torch, against the
formula's values from `autoloss loss eval`. mmdet itself is stood in for by its two names the
module imports (the registry and weight_reduce_loss), so torch is the only requirement.

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


registry = types.ModuleType("mmdet.registry")
registry.MODELS = Registry()
utils = types.ModuleType("mmdet.models.losses.utils")
utils.weight_reduce_loss = weight_reduce_loss
for name, module in [("mmdet", types.ModuleType("mmdet")), ("mmdet.registry", registry),
                     ("mmdet.models", types.ModuleType("mmdet.models")),
                     ("mmdet.models.losses", types.ModuleType("mmdet.models.losses")),
                     ("mmdet.models.losses.utils", utils)]:
    sys.modules[name] = module


def run(*args):
    return subprocess.run([CLI, *args], check=True, capture_output=True, text=True).stdout


torch.manual_seed(0)
worst = 0.0
for line in filter(None, run("loss", "list").split("\n")):
    name, branch = line.split()[:2]
    namespace = {}
    exec(run("export", name, "--branch", branch, "--format", "mmdet", "--name", "Found"), namespace)
    module = namespace["Found"](reduction="none")
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
