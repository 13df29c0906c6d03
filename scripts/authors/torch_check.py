"""The one-time cross-check of the NumPy port against the authors' own torch code
(tools/search_space.py from their repository's mirror), on the same random trees and inputs.

Their module is loaded as it is, with torch's default dtype set to float64 before it is imported
(their pi tensor and torch.Tensor([c]) constants), `.cuda()` made the identity and `.float()` kept
in float64 (both patched on torch.Tensor for the run, so a bare number still fails in Sin, Cos
and Softmax, as in theirs). Per tree: both must fail or both give the same shape; values and
gradients must agree within the comparison's tolerances (compare.py).
"""
import importlib.util
import os
import subprocess
import sys
import tempfile

import numpy as np

from . import compare
from .port_eval import evaluate
from .space import ARGUMENTS, GRADIENT_ARGUMENTS, inputs, trees


def load_theirs(mirror):
    import torch
    torch.set_default_dtype(torch.float64)
    source = subprocess.run(["git", "-C", mirror, "show", "HEAD:tools/search_space.py"],
                            capture_output=True, text=True, check=True).stdout
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "their_search_space.py")
    with open(path, "w") as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location("their_search_space", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.Tensor.float = lambda self, *a, **k: self.double()
    return module


def their_result(module, formula, branch, arrays):
    import torch
    from deap import gp
    modes = {"softmax": ("MULTI_CLS", 3), "sigmoid": ("BINARY_CLS", 4), "reg": ("REG", 3)}
    mode, n = modes[branch]
    func = gp.compile(formula, module.get_pset(mode=mode, arg_num=n))
    tensors = {k: torch.tensor(arrays[k], requires_grad=k in GRADIENT_ARGUMENTS[branch]) for k in ARGUMENTS[branch]}
    try:
        out = func(*(tensors[k] for k in ARGUMENTS[branch]))
    except Exception as error:  # noqa: BLE001  (theirs fail in several ways; only "failed" counts)
        return None, f"{type(error).__name__}"
    if not isinstance(out, torch.Tensor):
        return None, "a bare constant"
    values = out.detach().numpy()
    grads = {}
    if out.requires_grad:
        out.sum().backward()
    for k in GRADIENT_ARGUMENTS[branch]:
        g = tensors[k].grad
        grads[k] = np.zeros(arrays[k].shape) if g is None else g.numpy()
    return (values, grads), None


def run(args):
    module = load_theirs(args.mirror)
    failures = 0
    for branch in args.branches.split(","):
        arrays, _ = inputs(branch)
        counts = {"trees": 0, "both fail": 0, "same shape": 0, "agree": 0}
        for f in dict.fromkeys(trees(branch, args.trees, args.seed + ["softmax", "sigmoid", "reg"].index(branch))):
            counts["trees"] += 1
            theirs, _ = their_result(module, f, branch, arrays)
            port = evaluate(f, branch, arrays)
            if theirs is None:
                ok = port.error is not None and not port.error.startswith("a result")
                counts["both fail"] += ok
                if not ok:
                    print(f"  {branch}: their code fails, the port does not: {f}", file=sys.stderr)
                failures += not ok
                continue
            values, grads = theirs
            if port.values is None or np.shape(values) != np.shape(port.values):
                # The port keeps only one loss per sample; theirs of another shape is the same verdict.
                expected = arrays["X"].shape if branch == "sigmoid" else (len(arrays[ARGUMENTS[branch][0]]),)
                ok = port.error is not None and np.shape(values) != expected or (
                    port.error == "no finite loss on any sample" and not np.isfinite(values).any())
                counts["both fail"] += ok
                if not ok:
                    print(f"  {branch}: shapes differ ({np.shape(values)}, {port.error}): {f}", file=sys.stderr)
                failures += not ok
                continue
            counts["same shape"] += 1
            ours = {"values": values.tolist(), "gradients": {k.lower(): g.tolist() for k, g in grads.items()}}
            result = compare.check(port, ours, branch)
            if result["values"][0] or result["gradients"][0]:
                print(f"  {branch}: {compare.describe(f, port, ours, result, branch)}: {f}", file=sys.stderr)
                failures += 1
            else:
                counts["agree"] += 1
        print(f"{branch}: {counts}")
    print("the NumPy port agrees with the authors' torch code" if failures == 0 else f"{failures} differences")
    return 0 if failures == 0 else 1
