"""Runs autoloss on the formulas the port evaluates and compares, number by number.

"Agree" (as scripts/export_parity.py and ExportParityTests): where the port's number is finite,
autoloss's must be finite and |a - b| <= rtol * max(|a|, |b|), rtol = 1e-9 for values and 1e-6
for gradients, or, beyond that, within the number's rounding error (counted as ill-conditioned):
1024 ulps of its rounding-error magnitude (for a gradient the sum over paths of the products of
|local derivatives|, for a value the sum of |input| times those: a difference of far larger
terms), or 16 times the spread of six reruns of the port with every library function's result moved
by an ulp (all up, all down, four at random) (an intermediate near a cancellation: log(tanh(t)) at tanh(t) = 1 - 5e-12,
whose last bit neither side determines). Where the port's number is NaN or infinite, autoloss's must not be
finite either, unless those reruns made it finite (sin of e^45, whose sign its last bit decides).
"""
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .port_eval import evaluate
from .primitives import DELIBERATE, Variant
from .space import GRADIENT_ARGUMENTS

RTOL = {"values": 1e-9, "gradients": 1e-6}


def run_autoloss(binary, formulas, branch, inputs_path, workers=2):
    """autoloss loss eval per formula (one process each, `workers` at a time): the printed JSON,
    or the error line it exited with."""
    def one(formula):
        p = subprocess.run([binary, "loss", "eval", formula, "--branch", branch, "--inputs", inputs_path],
                           capture_output=True, text=True)
        if p.returncode != 0:
            return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
        return json.loads(p.stdout)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, formulas))


def _flat(v):
    return np.array([np.nan if a is None else a for a in np.ravel(np.array(v, dtype=object))], dtype=np.float64)


def disagreements(theirs, ours_numbers, scale, rtol):
    """Indices where the two disagree, and how many agreed only through the conditioning scale."""
    t = np.ravel(theirs)
    o = _flat(ours_numbers)
    s = np.ravel(np.broadcast_to(scale, np.shape(theirs)))
    if o.shape != t.shape:
        return list(range(len(t))), 0
    with np.errstate(all="ignore"):
        diff = np.abs(t - o)
        close = diff <= rtol * np.maximum(np.abs(t), np.abs(o))
        conditioned = diff <= s
    finite_t, finite_o = np.isfinite(t), np.isfinite(o)
    undetermined = np.isinf(s)  # rounding alone decides whether it is finite
    ok = undetermined | np.where(finite_t, finite_o & (close | conditioned), ~finite_o)
    ill = int(np.sum(finite_t & finite_o & ~close & conditioned))
    return [int(k) for k in np.nonzero(~ok)[0]], ill


def check(port, ours, branch):
    """{'values': (bad indices, ill-conditioned count), 'gradients': ...} for one formula."""
    values = disagreements(port.values, ours["values"], port.value_scale, RTOL["values"])
    bad, ill = [], 0
    for name in GRADIENT_ARGUMENTS[branch]:
        b, i = disagreements(port.gradients[name], ours["gradients"].get(name.lower(), []),
                             port.gradient_scale[name], RTOL["gradients"])
        bad += [(name, k) for k in b]
        ill += i
    return {"values": values, "gradients": (bad, ill)}


def explain(formula, branch, arrays, ours):
    """The deliberate difference of autoloss's that accounts for a disagreement, if one does: the
    port rerun with that one definition of autoloss's agrees."""
    for name in DELIBERATE:
        port = evaluate(formula, branch, arrays, Variant(name, classes=arrays["X"].shape[-1] if "X" in arrays else None))
        if port.error is None:
            r = check(port, ours, branch)
            if not r["values"][0] and not r["gradients"][0]:
                return name
    return None


def describe(formula, port, ours, result, branch):
    """One line saying where a formula disagrees: the first differing number on each side."""
    if result["values"][0]:
        k = result["values"][0][0]
        theirs = np.ravel(port.values)[k]
        mine = _flat(ours["values"])
        return f"value[{k}]: theirs {theirs!r}, autoloss {mine[k] if k < len(mine) else 'missing'!r}"
    name, k = result["gradients"][0][0]
    theirs = np.ravel(port.gradients[name])[k]
    mine = _flat(ours["gradients"].get(name.lower(), []))
    return f"d/d{name}[{k}]: theirs {theirs!r}, autoloss {mine[k] if k < len(mine) else 'missing'!r}"
