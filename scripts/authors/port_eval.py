"""A formula's value, gradients and rounding-error scales under the NumPy port of the authors'
primitives, or the reason their code gives no loss per sample for it."""
import numpy as np
from deap import gp

from . import tape
from .primitives import Variant, reshaped
from .space import ARGUMENTS, GRADIENT_ARGUMENTS, pset

_PSETS = {}
# A number may differ by this many ulps of its rounding-error magnitude, or by this many times
# the spread of the rounding reruns (compare.py).
ULPS = 1024 * np.finfo(np.float64).eps
SPREAD = 16


def _pset(branch, variant):
    key = (branch, tuple(sorted(variant.names)), variant.classes)
    if key not in _PSETS:
        _PSETS[key] = pset(branch, variant)
    return _PSETS[key]


class PortResult:
    """values: one loss per sample (softmax, reg: [N]; sigmoid: [N, C]); gradients: of the summed
    loss by each gradient argument; value_scale, gradient_scale: how far from them a number is
    still within rounding error (compare.py). `error`: why their code gives no loss per sample, else None."""

    def __init__(self, error=None, values=None, gradients=None, value_scale=None, gradient_scale=None):
        self.error = error
        self.values = values
        self.gradients = gradients or {}
        self.value_scale = value_scale
        self.gradient_scale = gradient_scale or {}


def evaluate(formula, branch, arrays, variant=Variant(), rounding_runs=4):
    """Runs `formula` (their prefix string) the way their compiled DEAP function would."""
    base = _run(formula, branch, arrays, variant)
    if base.error is not None:
        return base
    # The spread of reruns with library results moved by an ulp: how far rounding alone moves
    # each number (stochastic arithmetic).
    # Every result up, every result down, then random signs: moves cancel by chance in a few
    # numbers of a random run (an ulp up in tanh, down in the atan after it), not in all runs.
    rng = np.random.default_rng(1603)
    movers = [np.ones, lambda shape: -np.ones(shape)] + [rng] * rounding_runs
    value_spread = np.zeros(base.values.shape)
    gradient_spread = {k: np.zeros(g.shape) for k, g in base.gradients.items()}
    for mover in movers:
        tape.Rounding.rng = mover
        try:
            other = _run(formula, branch, arrays, variant)
        finally:
            tape.Rounding.rng = None
        value_spread = np.fmax(value_spread, _moved(base.values, other.values))
        for k in gradient_spread:
            gradient_spread[k] = np.fmax(gradient_spread[k], _moved(base.gradients[k], other.gradients[k]))
    base.value_scale = np.fmax(ULPS * base.value_scale, SPREAD * value_spread)
    base.gradient_scale = {k: np.fmax(ULPS * m, SPREAD * gradient_spread[k]) for k, m in base.gradient_scale.items()}
    return base


def _moved(a, b):
    """|a - b|, infinite where rounding alone decides whether the number is finite."""
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(a) != np.isfinite(b), np.inf, np.abs(a - b))


def _run(formula, branch, arrays, variant):
    func = gp.compile(formula, _pset(branch, variant))
    leaves = {name: tape.leaf(arrays[name]) for name in ARGUMENTS[branch]}
    try:
        with np.errstate(all="ignore"):
            out = func(*(leaves[name] for name in ARGUMENTS[branch]))
    except (AttributeError, IndexError, ValueError) as error:
        return PortResult(error=f"{type(error).__name__}: {error}")
    if not isinstance(out, tape.Node):
        return PortResult(error="a bare constant")
    if "dot_rows" in variant and out.value.ndim == 2 and out.shape[1] == 1:
        out = reshaped(out, (out.shape[0],))
    expected = arrays["X"].shape if branch == "sigmoid" else (len(arrays[ARGUMENTS[branch][0]]),)
    if out.shape != expected:
        return PortResult(error=f"a result of shape {list(out.shape)}, not one loss per sample {list(expected)}")
    if not np.isfinite(out.value).any() and tape.Rounding.rng is None:
        return PortResult(error="no finite loss on any sample")
    grads = tape.backward(out)
    magnitudes = tape.backward(out, absolute=True)
    gradients, gradient_scale = {}, {}
    value_scale = np.zeros(out.shape)
    for name, node in leaves.items():
        m = magnitudes.get(id(node))
        if name in GRADIENT_ARGUMENTS[branch]:
            gradients[name] = grads.get(id(node), np.zeros(node.shape))
            gradient_scale[name] = m if m is not None else np.zeros(node.shape)
        if m is not None:
            with np.errstate(all="ignore"):
                term = np.where(m == 0, 0.0, np.abs(node.value) * m)
            value_scale = value_scale + _per_sample(term, out.shape, "Softmax" in formula)
    return PortResult(values=out.value, gradients=gradients, value_scale=value_scale, gradient_scale=gradient_scale)


def _per_sample(term, shape, mixes_rows):
    """A leaf's |value| * magnitude gathered to the result's shape: over the classes for a loss
    per row, elementwise for the sigmoid branch unless a softmax mixes the row."""
    if term.shape == shape:
        return term.sum(axis=1, keepdims=True) * np.ones(shape) if mixes_rows and term.ndim == 2 else term
    return term.sum(axis=1)
