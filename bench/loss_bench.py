"""Loss-language benchmark: the compiled evaluator against PyTorch eager on the CPU, in one run.

Measures forward + gradient (w.r.t. x) of cse-b-cls over 10^6 sigmoid elements and of cse-a-cls
over 10^5 rows of 81 classes. PyTorch runs the code `autoloss loss show --format pytorch`
exports (so the export is exercised too); NumPy runs the cse-b-cls forward as a second anchor.
Before timing, a parity check: every known loss, exported to PyTorch (float64, autograd), against
`autoloss loss eval` on the same random inputs.

Usage: .venv/bin/python bench/loss_bench.py [--repeats N]   (after `make bench` built the binaries)
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from _timing import json_lines, median_ms
from scipy.special import erf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, ".build", "release", "autoloss")
BENCH = os.path.join(ROOT, ".build", "release", "autoloss-bench")


def exported(name, branch):
    code = subprocess.run([CLI, "loss", "show", name, "--branch", branch, "--format", "pytorch"],
                          check=True, capture_output=True, text=True).stdout
    namespace = {}
    exec(compile(code, f"<{name}>", "exec"), namespace)
    return namespace["loss"]


def random_inputs(branch, rng, rows=16, classes=5):
    if branch == "softmax":
        labels = rng.integers(0, classes, rows)
        y = np.eye(classes)[labels]
        return {"x": rng.uniform(-4, 4, (rows, classes)), "y": y, "w": rng.uniform(0.05, 1, rows)}
    if branch == "sigmoid":
        y = (rng.uniform(0, 1, rows) < 0.5).astype(np.float64)
        return {"x": rng.uniform(-4, 4, rows), "y": y, "w": y * rng.uniform(0.05, 1, rows)}
    u = rng.uniform(10, 1000, rows)
    i = u * rng.uniform(0, 1, rows)
    return {"i": i, "u": u, "e": u + rng.uniform(0, 500, rows)}


def parity():
    """Exported PyTorch (float64) vs the Swift evaluator (Double), values and gradients."""
    losses = subprocess.run([CLI, "loss", "list"], check=True, capture_output=True, text=True).stdout.split("\n")
    rng = np.random.default_rng(0)
    worst = 0.0
    checked = 0
    for line in filter(None, losses):
        name, branch = line.split()[:2]
        inputs = random_inputs(branch, rng)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({k: v.tolist() for k, v in inputs.items()}, f)
        out = json.loads(subprocess.run([CLI, "loss", "eval", name, "--branch", branch, "--inputs", f.name],
                                        check=True, capture_output=True, text=True).stdout)
        os.unlink(f.name)
        tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in inputs.items()}
        values = exported(name, branch)(*tensors.values())
        values.sum().backward()
        pairs = [(np.asarray(out["values"]), values.detach().numpy())]
        # An input the formula does not read gets no torch gradient; ours is zero.
        pairs += [(np.asarray(out["gradients"][k]), t.grad.numpy() if t.grad is not None else np.zeros_like(inputs[k]))
                  for k, t in tensors.items()]
        for ours, theirs in pairs:
            err = np.max(np.abs(ours - theirs) / np.maximum(1e-12, np.abs(theirs)))
            worst = max(worst, float(err))
        checked += 1
    return checked, worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternate PyTorch and Swift this many times and keep each figure's best median "
                             "(the machine is shared: a single run can be off by 2x either way)")
    args = parser.parse_args()
    torch.set_num_threads(2)

    checked, worst = parity()
    print(f"parity: {checked} known losses, exported PyTorch vs autoloss loss eval, max relative difference {worst:.2e}")
    if worst > 1e-9:
        sys.exit("parity check failed")

    rng = np.random.default_rng(42)
    # cse-b-cls: 12,500 locations x 80 classes, one positive in 80.
    n = 1_000_000
    y = (rng.integers(0, 80, n) == 0).astype(np.float32)
    w = (y * rng.uniform(0.1, 1, n)).astype(np.float32)
    x = rng.uniform(-6, 6, n).astype(np.float32)
    b_cls = exported("cse-b-cls", "sigmoid")
    xt = torch.tensor(x, requires_grad=True)
    yt, wt = torch.tensor(y), torch.tensor(w)

    def torch_b():
        xt.grad = None
        b_cls(xt, yt, wt).sum().backward()

    def numpy_b_forward():
        s = 1 / (1 + np.exp(-x))
        e = 0.5 * (1 + erf(math.sqrt(math.pi) / 4 / (1 + np.exp(-(1 - y)))))
        gd = 0.5 + (2 / np.pi) * np.arctan(np.tanh(np.pi * x / 8))
        return -(w * (1 + e) * np.log(s + 1e-20) + (gd - w) * (s - w) * np.log(1 - s + 1e-20))


    # cse-a-cls: 10^5 RoIs x 81 classes, three in four background (last class).
    rows, classes = 100_000, 81
    background = rng.integers(0, 4, rows) != 0
    labels = np.where(background, classes - 1, rng.integers(0, classes - 1, rows))
    ya = np.zeros((rows, classes), np.float32)
    ya[np.arange(rows), labels] = 1
    wa = np.where(background, 1, rng.uniform(0.5, 1, rows)).astype(np.float32)
    xa = torch.tensor(rng.uniform(-4, 4, (rows, classes)).astype(np.float32), requires_grad=True)
    a_cls = exported("cse-a-cls", "softmax")
    yat, wat = torch.tensor(ya), torch.tensor(wa)

    def torch_a():
        xa.grad = None
        a_cls(xa, yat, wat).sum().backward()

    torch_b_ms = numpy_b_ms = torch_a_ms = float("inf")
    ms = {}
    for _ in range(args.rounds):
        torch_b_ms = min(torch_b_ms, median_ms(torch_b, args.repeats))
        numpy_b_ms = min(numpy_b_ms, median_ms(numpy_b_forward, args.repeats))
        torch_a_ms = min(torch_a_ms, median_ms(torch_a, args.repeats))
        for r in json_lines([BENCH, str(args.repeats)]):
            key = (r["bench"], r["impl"])
            ms[key] = min(ms.get(key, float("inf")), r["ms"])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}; "
          f"best median of {args.repeats} runs over {args.rounds} alternating rounds")
    print(f"{'benchmark':<34}{'ms':>9}{'vs torch':>10}")
    rowsout = [
        ("cse-b-cls 1e6, torch eager", torch_b_ms),
        ("cse-b-cls 1e6, numpy forward only", numpy_b_ms),
        ("cse-b-cls 1e6, autoloss compiled", ms[("cse-b-cls", "compiled")]),
        ("cse-b-cls 1e6, hand-fused Swift", ms[("cse-b-cls", "fused")]),
        ("cse-a-cls 1e5x81, torch eager", torch_a_ms),
        ("cse-a-cls 1e5x81, autoloss compiled", ms[("cse-a-cls", "compiled")]),
        ("cse-a-cls 1e5x81, hand-fused Swift", ms[("cse-a-cls", "fused")]),
    ]
    for name, value in rowsout:
        anchor = torch_b_ms if name.startswith("cse-b") else torch_a_ms
        print(f"{name:<34}{value:>9.2f}{anchor / value:>9.1f}x")
    for loss in ("cse-b-cls", "cse-a-cls"):
        share = ms[(loss, "fused")] / ms[(loss, "compiled")]
        print(f"{loss}: the hand-fused loop needs {share:.0%} of the compiled evaluator's time")


if __name__ == "__main__":
    main()
