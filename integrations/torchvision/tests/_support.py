"""What the tests share: the autoloss binary (exports and `loss eval`), and small detectors."""
import importlib.util
import json
import os
import subprocess
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[3]


def autoloss_binary():
    path = os.environ.get("AUTOLOSS_BIN") or str(ROOT / ".build" / "debug" / "autoloss")
    if not Path(path).is_file():
        raise RuntimeError(f"no autoloss binary at {path}: run `swift build` or set AUTOLOSS_BIN")
    return path


def exported(formula, branch):
    """The loss(...) function of `autoloss export FORMULA --branch B --format pytorch`."""
    code = subprocess.run([autoloss_binary(), "export", formula, "--branch", branch, "--format", "pytorch"],
                          capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash((formula, branch)))}", f.name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    os.unlink(f.name)
    return module.loss


def loss_eval(formula, branch, inputs):
    """`autoloss loss eval`'s values (float64) on `inputs` ({name: tensor})."""
    payload = json.dumps({k: v.detach().double().tolist() for k, v in inputs.items()})
    run = subprocess.run([autoloss_binary(), "loss", "eval", formula, "--branch", branch, "--inputs", "-"],
                         input=payload, capture_output=True, text=True, check=True)
    return torch.tensor(json.loads(run.stdout)["values"], dtype=torch.float64)


class Recorder:
    """A loss callable that keeps the inputs it was given and what it returned."""

    def __init__(self, loss):
        self.loss, self.calls = loss, []

    def __call__(self, *inputs):
        out = self.loss(*inputs)
        self.calls.append(([t.detach().clone() for t in inputs], out.detach().clone()))
        return out


def batch(classes, size=128, seed=0, boxes_per_image=3):
    """Two random images with random boxes: the detectors' losses only need something to match."""
    g = torch.Generator().manual_seed(seed)
    images, targets = [], []
    for _ in range(2):
        images.append(torch.rand(3, size, size, generator=g))
        corner = torch.rand(boxes_per_image, 2, generator=g) * size * 0.6
        extent = 12 + torch.rand(boxes_per_image, 2, generator=g) * size * 0.35
        boxes = torch.cat([corner, (corner + extent).clamp(max=size - 1)], dim=1)
        labels = torch.randint(0, classes, (boxes_per_image,), generator=g)
        targets.append({"boxes": boxes, "labels": labels})
    return images, targets
