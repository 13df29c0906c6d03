"""A small reverse-mode tape over float64 NumPy arrays, with PyTorch's broadcasting and backward
rules, for the port of the authors' primitives (primitives.py).

Each elementary operation records, per operand, the local derivative it multiplies the incoming
gradient by, the way PyTorch's autograd does (so an infinite gradient times a zero derivative is
NaN, as in theirs), or `select` for the operations whose PyTorch backward is a mask (relu, clamp).
The same tape runs a second reverse pass on absolute values, which gives the scale a gradient's
rounding error is measured against (see compare.py).
"""
import numpy as np


class Rounding:
    """While `rng` is set, the results of library functions and reductions are moved by one ulp
    up or down at random (what two libms or summation orders differ by): rerunning a formula so
    shows how far rounding alone moves a number. `rng`: a NumPy Generator (random signs) or a
    function of the shape giving the moves (all up, all down)."""
    rng = None


def rounded(v):
    """An operation's result, moved by up to one rounding while `Rounding.rng` is set (before
    the derivatives that use it are computed)."""
    v = np.asarray(v, dtype=np.float64)
    if Rounding.rng is None:
        return v
    with np.errstate(all="ignore"):
        moves = Rounding.rng(v.shape) if callable(Rounding.rng) else Rounding.rng.choice([-1.0, 1.0], v.shape)
        return v + moves * np.spacing(np.abs(v))


class Node:
    """A value on the tape: `value` (an ndarray), and per operand a backward rule."""

    __slots__ = ("value", "parents", "leaf")

    def __init__(self, value, parents=(), leaf=False):
        self.value = np.asarray(value, dtype=np.float64)
        self.parents = parents  # tuples (node, vjp) with vjp(g, absolute) -> gradient
        self.leaf = leaf

    @property
    def shape(self):
        return self.value.shape


def constant(c):
    """toCuda's wrapping of a Python number: a one-element tensor, which broadcasts anywhere."""
    return Node(np.array([float(c)]))


def leaf(array):
    return Node(np.array(array, dtype=np.float64), leaf=True)


def _reduce_to(g, shape):
    """Sums a gradient over the axes broadcasting added or stretched (PyTorch's sum_to_size)."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _times(g, d, absolute, select=False):
    with np.errstate(all="ignore"):
        if absolute:
            out = np.abs(g) * np.abs(d)
            return np.where((g == 0) | (d == 0), 0.0, out)
        out = g * d
        return np.where(d == 0, 0.0, out) if select else out


def unary(a, value, derivative, select=False):
    """f(a) with f'(a) = derivative (arrays of a's shape)."""
    return Node(value, ((a, lambda g, ab: _times(g, derivative, ab, select)),))


def binary(a, b, value, da, db):
    """a op b with broadcasting; da, db: the partials, in the result's shape."""
    return Node(value, ((a, lambda g, ab: _reduce_to(_times(g, da, ab), a.shape)),
                        (b, lambda g, ab: _reduce_to(_times(g, db, ab), b.shape))))


def backward(root, absolute=False):
    """d(sum of root)/d(leaf) for every leaf reached, as {id(leaf): gradient}; with `absolute`,
    the sum over paths of the products of |local derivatives| instead."""
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent, _ in node.parents:
            stack.append((parent, False))
    grads = {id(root): np.ones(root.shape)}
    for node in reversed(order):
        g = grads.get(id(node))
        if g is None:
            continue
        for parent, vjp in node.parents:
            contribution = vjp(g, absolute)
            with np.errstate(all="ignore"):
                grads[id(parent)] = grads[id(parent)] + contribution if id(parent) in grads else contribution
    return grads
