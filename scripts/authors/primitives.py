"""A float64 NumPy port of the primitives of the CSE-Autoloss authors' search space
(tools/search_space.py of github.com/PerdonLiu/CSE-Autoloss), written for this test, not copied.

What it keeps of theirs, on purpose:
- eps = 1e-20 inside Log and Div; Exp clamps its input at 88 (PyTorch's clamp backward: zero
  gradient above); Softplus is F.softplus (beta 1, threshold 20: x itself above 20, gradient 1).
- Every operator but Sin, Cos and Softmax wraps a bare Python number into a one-element tensor
  (their toCuda), which then broadcasts; Sin, Cos and Softmax call `.cuda()` on their operand
  directly, so on a bare constant they raise, as theirs do.
- Dot multiplies (broadcasting) and sums over axis 1, or over axis 0 when the product is 1-D
  (so Dot of two per-sample values sums over the batch); Softmax is over axis 1 (an error on a
  1-D operand).
- The scaled S-curves are computed by their formulas, operation by operation, so that the
  gradients are the ones their autograd computes, cancellations included.
Their float32 casts (`.float()`) are not ported: the comparison is in float64.

`Variant` switches on, one at a time, the definitions autoloss keeps deliberately (see
Sources/LossLanguage/README.md): used only to name the reason of a disagreement.
"""
import math

import numpy as np

from .tape import binary, constant, rounded, unary, Node

EPS = 1e-20


class Variant:
    """Which of autoloss's deliberate differences to apply (none: the authors' definitions)."""

    def __init__(self, *names, classes=None):
        self.names = set(names)
        self.classes = classes  # the class count, for "dot_rows"

    def __contains__(self, name):
        return name in self.names


THEIRS = Variant()
# The deliberate differences, each with the reason the figures give for it.
DELIBERATE = {
    "gd": "gd as (2/pi) atan(exp(pi x / 4)): exact in the far tails, where theirs rounds to 0 or 1 "
          "and its autograd derivative cancels to 0",
    "exp_select": "exp's gradient is 0 where exp underflows or is clamped, even under an infinite "
                  "gradient (theirs: inf * 0 = NaN)",
    "dot_rows": "dot of per-sample values sums over the classes (C+1 times their product), never "
                "over the batch: a loss per sample does not mix samples",
    "alf": "alf's ratio is +-1 beyond |x/2| = 1e15 and its derivative (1/4)(1 + h^2)^(-3/2) in one "
           "piece (theirs: h^2 overflows, giving 0.5 and NaN)",
}


def wrap(x):
    """Their toCuda: a bare number becomes a one-element tensor."""
    return x if isinstance(x, Node) else constant(x)


def cuda_only(x):
    """Their `x.cuda()` on an operand that is not a tensor: an AttributeError, as theirs raise."""
    if not isinstance(x, Node):
        raise AttributeError(f"'{type(x).__name__}' object has no attribute 'cuda'")
    return x


def _ignore():
    return np.errstate(all="ignore")


# Elementary operations, with PyTorch's derivatives. The results of the library functions
# (elementwise) and of the reductions are `rounded` in the rounding reruns: the places where two
# implementations differ by an ulp (libm, summation order); + - * / are correctly rounded in both.

def add(a, b):
    with _ignore():
        v = a.value + b.value
    return binary(a, b, v, np.ones(v.shape), np.ones(v.shape))


def sub(a, b):
    with _ignore():
        v = a.value - b.value
    return binary(a, b, v, np.ones(v.shape), -np.ones(v.shape))


def mul(a, b):
    with _ignore():
        v = a.value * b.value
        return binary(a, b, v, np.broadcast_to(b.value, v.shape), np.broadcast_to(a.value, v.shape))


def div(a, b):
    """a / b; PyTorch's partials 1/b and -(a/b)/b."""
    with _ignore():
        v = a.value / b.value
        return binary(a, b, v, np.broadcast_to(1 / b.value, v.shape), -(v / b.value))


def scale(a, c):
    """a * c for a Python number c (no tape node for the number)."""
    with _ignore():
        return unary(a, a.value * c, np.full(a.shape, c))


def shift(a, c):
    with _ignore():
        return unary(a, a.value + c, np.ones(a.shape))


def elementwise(a, f, df, select=False):
    with _ignore():
        v = rounded(f(a.value))
        return unary(a, v, df(a.value, v), select)


def softmax_rows(a):
    if a.value.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    with _ignore():
        z = np.exp(a.value - a.value.max(axis=1, keepdims=True))
        p = rounded(z / z.sum(axis=1, keepdims=True))

    def vjp(g, absolute):
        with _ignore():
            if absolute:  # sum_j |g_j| p_j |delta_jk - p_k|
                total = (g * p).sum(axis=1, keepdims=True)
                return g * p * (1 - p) + p * (total - g * p)
            return p * (g - (g * p).sum(axis=1, keepdims=True))
    return Node(p, ((a, vjp),))


def sum_axis(a, axis):
    v = rounded(a.value.sum(axis=axis))

    def vjp(g, absolute):
        g = np.abs(g) if absolute else g
        return np.broadcast_to(np.expand_dims(g, axis), a.shape).copy()
    return Node(v, ((a, vjp),))


def reshaped(a, shape):
    def vjp(g, absolute):
        return (np.abs(g) if absolute else g).reshape(a.shape)
    return Node(a.value.reshape(shape), ((a, vjp),))


def as_column(a):
    """A per-sample [N] value as [N, 1] (constants, [1], stay)."""
    return reshaped(a, (a.shape[0], 1)) if a.value.ndim == 1 and a.shape[0] > 1 else a


def keep_column(a):
    return reshaped(a, (a.shape[0], 1))


def _sqrt(a):
    return elementwise(a, np.sqrt, lambda x, v: 1 / (2 * v))


def _pow2(a):
    return elementwise(a, lambda x: x * x, lambda x, v: 2 * x)


# Their primitives.

def make_primitives(variant=THEIRS):
    """The authors' primitives by their names, under `variant`."""

    def Neg(x):
        return scale(wrap(x), -1.0)

    def Add(x1, x2):
        return add(wrap(x1), wrap(x2))

    def Sub(x1, x2):
        return sub(wrap(x1), wrap(x2))

    def Mul(x1, x2):
        return mul(wrap(x1), wrap(x2))

    def Div(x1, x2):
        return div(wrap(x1), shift(wrap(x2), EPS))

    def Dot(x1, x2):
        if "dot_rows" in variant:
            # A per-sample value is [N, 1], repeated over the classes; the result stays [N, 1].
            m = mul(as_column(wrap(x1)), as_column(wrap(x2)))
            if m.value.ndim == 1:
                return m  # two constants: their product
            return scale(m, float(variant.classes)) if m.shape[1] == 1 else keep_column(sum_axis(m, 1))
        m = mul(wrap(x1), wrap(x2))
        return sum_axis(m, 0 if m.value.ndim == 1 else 1)

    def Log(x):
        return elementwise(shift(wrap(x), EPS), np.log, lambda a, v: 1 / a)

    def Sqrt(x):
        return _sqrt(wrap(x))

    def Exp(x):
        x = wrap(x)
        clamped = elementwise(x, lambda a: np.minimum(a, 88.0), lambda a, v: (a <= 88.0).astype(float), select=True)
        if "exp_select" in variant:
            return elementwise(x, lambda a: np.exp(np.minimum(a, 88.0)),
                               lambda a, v: np.where(a <= 88.0, v, 0.0), select=True)
        return elementwise(clamped, np.exp, lambda a, v: v)

    def Abs(x):
        # torch.abs's backward: grad * sgn(a), sgn 0 at 0 and at NaN.
        return elementwise(wrap(x), np.abs, lambda a, v: np.where(a > 0, 1.0, np.where(a < 0, -1.0, 0.0)))

    def Relu(x):
        # torch.relu's backward masks on the result: zero where relu(a) <= 0, so NaN passes.
        return elementwise(wrap(x), lambda a: np.where(a > 0, a, 0.0 * a), lambda a, v: np.where(v <= 0, 0.0, 1.0), select=True)

    def Sig(x):
        return elementwise(wrap(x), lambda a: 1 / (1 + np.exp(-a)), lambda a, v: (1 - v) * v)

    def Tanh(x):
        return elementwise(wrap(x), np.tanh, lambda a, v: 1 - v * v)

    def Sin(x):
        return elementwise(cuda_only(x), np.sin, lambda a, v: np.cos(a))

    def Cos(x):
        return elementwise(cuda_only(x), np.cos, lambda a, v: -np.sin(a))

    def Softmax(x):
        return softmax_rows(cuda_only(x))

    def Softplus(x):
        # F.softplus, beta 1, threshold 20: log1p(exp(x)), and x itself above the threshold.
        return elementwise(wrap(x), lambda a: np.where(a > 20, a, np.log1p(np.exp(np.minimum(a, 20)))),
                           lambda a, v: np.where(a > 20, 1.0, np.exp(np.minimum(a, 20)) / (np.exp(np.minimum(a, 20)) + 1)))

    def Serf(x):
        t = scale(scale(wrap(x), math.sqrt(math.pi) / 2), 0.5)
        e = elementwise(t, _erf, lambda a, v: (2 / math.sqrt(math.pi)) * np.exp(-a * a))
        return scale(shift(e, 1.0), 0.5)

    def Salf(x):
        if "alf" in variant:
            def f(a):
                h = a / 2
                return (1 + np.where(np.abs(h) > 1e15, np.sign(h), h / np.sqrt(1 + h * h))) / 2
            return elementwise(wrap(x), f, lambda a, v: 0.25 / np.sqrt(1 + (a / 2) ** 2) ** 3)
        h = scale(wrap(x), 0.5)
        r = div(h, _sqrt(shift(_pow2(h), 1.0)))
        return scale(shift(r, 1.0), 0.5)

    def Sgdf(x):
        if "gd" in variant:
            return elementwise(wrap(x), lambda a: (2 / math.pi) * np.arctan(np.exp((math.pi / 4) * a)),
                               lambda a, v: 0.5 * np.exp(-np.abs(math.pi / 4 * a)) / (1 + np.exp(-np.abs(math.pi / 4 * a)) ** 2))
        t = scale(scale(wrap(x), math.pi), 0.25)
        th = elementwise(scale(t, 0.5), np.tanh, lambda a, v: 1 - v * v)
        g = scale(elementwise(th, np.arctan, lambda a, v: 1 / (1 + a * a)), 2.0)
        g = div(scale(g, 2.0), constant(math.pi))
        return scale(shift(g, 1.0), 0.5)

    return {f.__name__: f for f in (Neg, Add, Sub, Mul, Div, Dot, Log, Sqrt, Exp, Abs, Relu, Sig, Tanh,
                                    Sin, Cos, Softmax, Softplus, Serf, Salf, Sgdf)}


_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def _erf(a):
    """erf elementwise (NumPy has none; math.erf is correctly rounded to about an ulp)."""
    return np.asarray(_erf_scalar(a), dtype=np.float64)
