"""The authors' three primitive sets rebuilt with DEAP over the NumPy port, their random trees,
and the inputs the comparison evaluates them on.

Primitive sets as in their tools/search_space.py: the same names, arities and order, ephemeral
constants drawn from 1, 2, 3; MULTI_CLS (X, Y, Z) is autoloss's softmax branch, BINARY_CLS
(X, Q, PY, NY) its sigmoid branch, REG (U, I, E) its regression branch.
"""
import functools
import random

import numpy as np
from deap import gp

from .primitives import make_primitives

_ELEMENTWISE = ["Neg", "Exp", "Log", "Abs", "Sqrt", "Softmax", "Softplus", "Sig", "Sgdf", "Salf",
                "Serf", "Tanh", "Sin", "Cos", "Relu"]
_ARITHMETIC = ["Add", "Sub", "Mul", "Div"]
OPERATORS = {
    "softmax": [(n, 1) for n in _ELEMENTWISE] + [(n, 2) for n in _ARITHMETIC] + [("Dot", 2)],
    "sigmoid": [(n, 1) for n in _ELEMENTWISE] + [(n, 2) for n in _ARITHMETIC],
    "reg": [("Add", 2), ("Sub", 2), ("Mul", 2), ("Neg", 1), ("Log", 1), ("Exp", 1), ("Div", 2), ("Abs", 1),
            ("Sqrt", 1), ("Softplus", 1), ("Sig", 1), ("Tanh", 1), ("Relu", 1), ("Sin", 1), ("Cos", 1)],
}
ARGUMENTS = {"softmax": ["X", "Y", "Z"], "sigmoid": ["X", "Q", "PY", "NY"], "reg": ["U", "I", "E"]}
# The arguments whose gradient the comparison checks: the prediction (their code detaches the
# IoU and the labels); in regression i, u and e all carry the predicted box.
GRADIENT_ARGUMENTS = {"softmax": ["X"], "sigmoid": ["X"], "reg": ["U", "I", "E"]}


def pset(branch, variant=None):
    """Their primitive set of `branch`, its primitives the NumPy port's (under `variant`)."""
    prims = make_primitives() if variant is None else make_primitives(variant)
    names = ARGUMENTS[branch]
    s = gp.PrimitiveSet(branch, len(names))
    for name, arity in OPERATORS[branch]:
        s.addPrimitive(prims[name], arity, name=name)
    s.addEphemeralConstant("c_" + branch, functools.partial(random.choice, [1, 2, 3]))
    s.renameArguments(**{f"ARG{k}": n for k, n in enumerate(names)})
    return s


def trees(branch, count, seed, depths=(2, 6)):
    """`count` trees of gp.genHalfAndHalf (depths 2 to 6), as prefix strings, from `seed`."""
    random.seed(seed)
    s = pset(branch)
    return [str(gp.PrimitiveTree(gp.genHalfAndHalf(s, min_=depths[0], max_=depths[1]))) for _ in range(count)]


def inputs(branch):
    """Inputs from ordinary to extreme, as arrays by argument name, and autoloss's inputs file.
    Batch sizes differ from the class counts so that no misplaced broadcast passes unnoticed."""
    rng = np.random.default_rng(2021)
    if branch == "softmax":
        return _softmax_inputs(rng)
    if branch == "sigmoid":
        return _sigmoid_inputs(rng)
    return _reg_inputs(rng)


def _logit_rows(rng, classes):
    rows = [rng.uniform(-4, 4, classes) for _ in range(6)]
    rows += [rng.uniform(-1e-3, 1e-3, classes) for _ in range(2)]
    rows += [np.array([30, -30] + [0] * (classes - 2)), np.array([-30, 30] + [1] * (classes - 2)),
             np.full(classes, 30.0), np.array([-30.0] * (classes - 1) + [30]),
             np.array([1e3, -1e3] + [5] * (classes - 2)), np.array([-1e3] * (classes - 1) + [2.5]),
             rng.uniform(-30, 30, classes), np.zeros(classes)]
    return np.array(rows, dtype=np.float64)


def _softmax_inputs(rng):
    classes = 5  # C + 1, background last
    x = _logit_rows(rng, classes)
    n = len(x)
    labels = np.array([k % classes for k in range(n)])
    ious = np.array([1e-7, 1e-3, 0.5, 0.999, 1.0, 0.3, 0.75, 0.05] * 2)[:n]
    w = np.where(labels == classes - 1, 1.0, ious)  # background rows: 1, as in their code
    y = np.eye(classes)[labels]
    z = np.repeat(w[:, None], classes, axis=1)  # their Z: the IoU over every class
    return {"X": x, "Y": y, "Z": z}, {"x": x.tolist(), "y": y.tolist(), "w": w.tolist()}


def _sigmoid_inputs(rng):
    classes = 4
    x = _logit_rows(rng, classes + 1)[:, :classes]
    n = len(x)
    labels = np.array([k % (classes + 1) for k in range(n)])  # `classes`: no positive in the row
    ious = np.array([1e-7, 1e-3, 0.5, 0.999, 1.0, 0.3, 0.75, 0.05] * 2)[:n]
    py = np.zeros((n, classes))
    q = np.zeros((n, classes))
    for r, c in enumerate(labels):
        if c < classes:
            py[r, c] = 1
            q[r, c] = ious[r]
    arrays = {"X": x, "Q": q, "PY": py, "NY": 1 - py}
    return arrays, {"x": x.tolist(), "y": py.tolist(), "w": q.tolist()}


def _reg_inputs(rng):
    """i, u, e of box pairs as their reg_loss computes them (u and e get +1e-7)."""
    pairs = []
    for s in [1e-3, 1.0, 16.0, 800.0, 1e5]:
        t = np.array([s, s, 2 * s, 1.5 * s])
        pairs += [(t, t), (t + 0.05 * s, t), (t + 0.7 * s, t), (t + 6 * s, t),
                  (np.array([0, 0, 3 * s, 3 * s]), t)]
    pairs.append((np.array([10.0, 10, 10 + rng.uniform(1, 50), 10 + rng.uniform(1, 50)]), np.array([12.0, 8, 40, 30])))
    i, u, e = [], [], []
    for p, t in pairs:
        wh = np.clip(np.minimum(p[2:], t[2:]) - np.maximum(p[:2], t[:2]), 0, None)
        overlap = wh[0] * wh[1]
        area = lambda b: (b[2] - b[0]) * (b[3] - b[1])  # noqa: E731
        ewh = np.clip(np.maximum(p[2:], t[2:]) - np.minimum(p[:2], t[:2]), 0, None)
        i.append(overlap)
        u.append(area(p) + area(t) - overlap + 1e-7)
        e.append(ewh[0] * ewh[1] + 1e-7)
    i, u, e = (np.array(v, dtype=np.float64) for v in (i, u, e))
    return {"U": u, "I": i, "E": e}, {"i": i.tolist(), "u": u.tolist(), "e": e.tolist()}
