"""The elementwise ops' Hypothesis cases (see minigrad/testing/cases.py).

Values are kept where the op is differentiable and well conditioned for finite
differences: logs and square roots of positive numbers, divisors, abs and relu away from
0, max/min/clamp on distinct values a grid apart from each other and from the bounds.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad import dtype as dt
from minigrad.testing.cases import (AWAY_FROM_ZERO, FLOATS, POSITIVE, SMALL, OpCase,
                                    grad_tensors)
from minigrad.testing.strategies import DISTINCT_GAP, tensors


@st.composite
def _distinct_pair(draw, sa, sb):
    """Two tensors whose values are all different from each other as well."""
    both = draw(tensors((int(np.prod(sa)) + int(np.prod(sb)),), distinct=True)).numpy()
    from minigrad.creation import tensor
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
        return (draw(grad_tensors(sa, a_elements)), draw(grad_tensors(sb, b_elements))), {}
    return OpCase(draw_inputs(), getattr(minigrad, op))


def _comparison(op: str) -> OpCase:
    from minigrad.tensor_ops.elementwise import compare

    @st.composite
    def draw_inputs(draw):
        sa, sb = _broadcastable(draw)
        # Few distinct values, so equal elements (the interesting case) are common.
        grid = st.integers(-2, 2).map(float)
        return (draw(tensors(sa, elements=grid)), draw(tensors(sb, elements=grid))), {}
    return OpCase(draw_inputs(), lambda a, b: compare(op, a, b))


def _unary(op: str, elements=FLOATS) -> OpCase:
    import minigrad
    return OpCase(st.tuples(st.tuples(grad_tensors(SMALL, elements)), st.just({})),
                  getattr(minigrad, op))


@st.composite
def _clamp(draw):
    bound = st.integers(-4, 4).map(lambda m: m * DISTINCT_GAP)  # never a drawn value
    lo = draw(st.none() | bound)
    hi = draw(bound if lo is None else st.none() | bound)  # lo > hi allowed, as torch
    return (draw(grad_tensors(SMALL, distinct=True)),), {"min": lo, "max": hi}


@st.composite
def _where(draw):
    sc, sx, sy = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=3, min_dims=0, max_dims=3, max_side=3)).input_shapes
    return (draw(tensors(sc, dtype=dt.bool_)), draw(grad_tensors(sx)), draw(grad_tensors(sy))), {}


def _cast(x):
    from minigrad.tensor_ops.elementwise import cast
    return cast(x, dt.float32 if x.dtype is dt.float64 else dt.float64)


def cases() -> dict:
    import minigrad
    table = {
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
        "cast": OpCase(st.tuples(st.tuples(grad_tensors(SMALL)), st.just({})), _cast,
                       gradcheck=False),
    }
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        table[op] = _comparison(op)
    return table
