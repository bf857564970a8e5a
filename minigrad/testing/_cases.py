"""How :func:`minigrad.testing.check_op` draws inputs for the built-in ops.

One :class:`OpCase` per op: a strategy drawing ``(args, kwargs)`` and the public
function to call with them. Values are kept where the op is differentiable and well
conditioned for finite differences: logs and square roots of positive numbers,
divisors, abs and relu away from 0, max/min/clamp on distinct values a grid apart
from each other and from the bounds.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import dtype as dt
from .strategies import (DISTINCT_GAP, conv2d_args, cross_entropy_args, matmul_shapes,
                         pool2d_args, shapes, softmax_args, tensors)


class OpCase(NamedTuple):
    """inputs: a strategy of ``(args, kwargs)``; call: ``call(*args, **kwargs)`` runs
    the op through its public front end; gradcheck: False where finite differences
    cannot work (a float32 output)."""
    inputs: st.SearchStrategy
    call: Callable
    gradcheck: bool = True


SMALL = shapes(min_dims=0, max_dims=3, max_side=3)
FLOATS = st.floats(-2.0, 2.0, allow_subnormal=False)
POSITIVE = st.floats(0.2, 3.0)
AWAY_FROM_ZERO = st.floats(0.2, 2.0) | st.floats(-2.0, -0.2)


def _grad(shape, elements=None, distinct=False):
    return tensors(shape, elements=elements, distinct=distinct, requires_grad=True)


# ---------------------------------------------------------------- CNN ops


@st.composite
def _conv2d(draw):
    a = draw(conv2d_args(max_hw=5, max_batch=2, max_channels=3))
    bias = None if a.bias_shape is None else draw(_grad(a.bias_shape))
    return (draw(_grad(a.input_shape)), draw(_grad(a.weight_shape)), bias), a.kwargs


@st.composite
def _max_pool2d(draw):
    a = draw(pool2d_args(max_hw=6))
    # return_indices: the indices are compared between implementations too.
    return (draw(_grad(a.input_shape, distinct=True)),), {**a.kwargs, "return_indices": True}


@st.composite
def _softmax(draw):
    a = draw(softmax_args(max_side=3))
    return (draw(_grad(a.shape, elements=st.floats(-5.0, 5.0))), a.dim), {}


@st.composite
def _cross_entropy(draw):
    a = draw(cross_entropy_args(max_n=3, max_c=3))
    logits = draw(_grad(a.input_shape, elements=st.floats(-5.0, 5.0)))
    from ..creation import tensor
    weight = None if a.weight is None else tensor(a.weight)  # never requires grad
    return (logits, tensor(a.target), weight), a.kwargs


@st.composite
def _matmul(draw):
    a_shape, b_shape = draw(matmul_shapes(max_dim=3, max_batch=3, max_batch_ndim=2))
    return (draw(_grad(a_shape)), draw(_grad(b_shape))), {}


@st.composite
def _linear(draw):
    """input (*, in) with no, one or two leading dims (folded into the rows), weight
    (out, in), and a bias (out,) or None."""
    in_f, out_f = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    bias = draw(st.none() | _grad((out_f,)))
    return (draw(_grad(lead + (in_f,))), draw(_grad((out_f, in_f))), bias), {}


# ---------------------------------------------------------------- elementwise


@st.composite
def _distinct_pair(draw, sa, sb):
    """Two tensors whose values are all different from each other as well."""
    both = draw(tensors((int(np.prod(sa)) + int(np.prod(sb)),), distinct=True)).numpy()
    from ..creation import tensor
    n = int(np.prod(sa))
    return (tensor(both[:n].reshape(sa), requires_grad=True),
            tensor(both[n:].reshape(sb), requires_grad=True))


def _broadcastable(draw):
    return draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                  max_side=3)).input_shapes


def _binary(op: str, a_elements=FLOATS, b_elements=FLOATS, distinct=False) -> OpCase:
    import minigrad

    @st.composite
    def draw_inputs(draw):
        sa, sb = _broadcastable(draw)
        if distinct:
            return draw(_distinct_pair(sa, sb)), {}
        return (draw(_grad(sa, a_elements)), draw(_grad(sb, b_elements))), {}
    return OpCase(draw_inputs(), getattr(minigrad, op))


def _comparison(op: str) -> OpCase:
    from ..tensor_ops.elementwise import compare

    @st.composite
    def draw_inputs(draw):
        sa, sb = _broadcastable(draw)
        # Few distinct values, so equal elements (the interesting case) are common.
        grid = st.integers(-2, 2).map(float)
        return (draw(tensors(sa, elements=grid)), draw(tensors(sb, elements=grid))), {}
    return OpCase(draw_inputs(), lambda a, b: compare(op, a, b))


def _unary(op: str, elements=FLOATS) -> OpCase:
    import minigrad
    return OpCase(st.tuples(st.tuples(_grad(SMALL, elements)), st.just({})),
                  getattr(minigrad, op))


@st.composite
def _clamp(draw):
    bound = st.integers(-4, 4).map(lambda m: m * DISTINCT_GAP)  # never a drawn value
    lo = draw(st.none() | bound)
    hi = draw(bound if lo is None else st.none() | bound)  # lo > hi allowed, as torch
    return (draw(_grad(SMALL, distinct=True)),), {"min": lo, "max": hi}


@st.composite
def _where(draw):
    sc, sx, sy = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=3, min_dims=0, max_dims=3, max_side=3)).input_shapes
    return (draw(tensors(sc, dtype=dt.bool_)), draw(_grad(sx)), draw(_grad(sy))), {}


def _cast(x):
    from ..tensor_ops.elementwise import cast
    return cast(x, dt.float32 if x.dtype is dt.float64 else dt.float64)


# ---------------------------------------------------------------- reductions


@st.composite
def _dims(draw, ndim: int, allow_tuple: bool = True, allow_none: bool = True):
    """None, an int (maybe negative) or a tuple of distinct dims, valid for ``ndim``."""
    span = max(ndim, 1)
    kinds = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-span, span - 1))
    axes = draw(st.lists(st.integers(0, span - 1), unique=True, max_size=span))
    return tuple(a - span if draw(st.booleans()) else a for a in axes)


def _reduction(op: str, distinct: bool = False, differentiable: bool = True,
               allow_tuple: bool = True) -> OpCase:
    import minigrad

    @st.composite
    def draw_inputs(draw):
        shape = draw(SMALL)
        x = draw(tensors(shape, distinct=distinct, requires_grad=differentiable))
        return (x,), {"dim": draw(_dims(len(shape), allow_tuple)), "keepdim": draw(st.booleans())}
    return OpCase(draw_inputs(), getattr(minigrad, op))


def builtin_cases() -> dict[str, OpCase]:
    """The table, built on first use (it imports the front ends)."""
    import minigrad
    import minigrad.nn.functional as F

    cases = {
        "conv2d": OpCase(_conv2d(), F.conv2d),
        "max_pool2d": OpCase(_max_pool2d(), F.max_pool2d),
        "softmax": OpCase(_softmax(), F.softmax),
        "log_softmax": OpCase(_softmax(), F.log_softmax),
        "cross_entropy": OpCase(_cross_entropy(), F.cross_entropy),
        "matmul": OpCase(_matmul(), F.matmul),
        "linear": OpCase(_linear(), F.linear),
        "add": _binary("add"), "sub": _binary("sub"), "mul": _binary("mul"),
        "div": _binary("div", b_elements=AWAY_FROM_ZERO),
        "pow": _binary("pow", a_elements=st.floats(0.5, 2.0)),
        "maximum": _binary("maximum", distinct=True),
        "minimum": _binary("minimum", distinct=True),
        "neg": _unary("neg"), "exp": _unary("exp"), "tanh": _unary("tanh"),
        "sigmoid": _unary("sigmoid", st.floats(-4.0, 4.0)),
        "log": _unary("log", POSITIVE), "sqrt": _unary("sqrt", POSITIVE),
        "abs": _unary("abs", AWAY_FROM_ZERO), "relu": _unary("relu", AWAY_FROM_ZERO),
        "clamp": OpCase(_clamp(), lambda x, **kw: x.clamp(**kw)),
        "where": OpCase(_where(), minigrad.where),
        # A float32 result cannot be finite-differenced at gradcheck's eps.
        "cast": OpCase(st.tuples(st.tuples(_grad(SMALL)), st.just({})), _cast, gradcheck=False),
        "sum": _reduction("sum"), "mean": _reduction("mean"),
        # An int dim returns (values, indices); None or a tuple the values only.
        "max": _reduction("max", distinct=True), "min": _reduction("min", distinct=True),
        "argmax": _reduction("argmax", distinct=True, differentiable=False, allow_tuple=False),
        "argmin": _reduction("argmin", distinct=True, differentiable=False, allow_tuple=False),
    }
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        cases[op] = _comparison(op)
    return cases
