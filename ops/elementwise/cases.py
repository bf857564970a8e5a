"""The elementwise ops' Hypothesis cases (see minigrad/testing/cases.py).

Values are kept where the op is differentiable and well conditioned for finite
differences: logs and square roots of positive numbers, divisors, abs, relu, leaky_relu
and elu away from 0 (their kink), tan away from its poles, max/min/clamp and softplus on
distinct values a grid apart from each other and from the bounds (softplus's kink, where
beta * x = threshold, sits on that grid).
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


def _unary(op: str, elements=FLOATS, call=None) -> OpCase:
    import minigrad
    return OpCase(st.tuples(st.tuples(grad_tensors(SMALL, elements)), st.just({})),
                  call or getattr(minigrad, op))


def _with_attrs(call, attrs: dict, elements=FLOATS, distinct=False) -> OpCase:
    """An op with parameters: each one given or left at its default."""
    x = grad_tensors(SMALL, None if distinct else elements, distinct=distinct)
    return OpCase(st.tuples(st.tuples(x), st.fixed_dictionaries({}, optional=attrs)), call)


def _activation_cases() -> dict:
    import minigrad.nn.functional as F
    from minigrad.tensor_ops import elementwise as ew
    # softplus: thresholds / betas on the DISTINCT_GAP grid (20 is the default), never a
    # drawn value.
    softplus = {"beta": st.sampled_from([1.0, 2.0, 0.5]),
                "threshold": st.sampled_from([20.0, 1.0, -0.5, 0.2])}
    return {
        "sin": _unary("sin", call=ew.sin), "cos": _unary("cos", call=ew.cos),
        "tan": _unary("tan", st.floats(-1.2, 1.2), call=ew.tan),
        "sinh": _unary("sinh", call=ew.sinh), "cosh": _unary("cosh", call=ew.cosh),
        "silu": _unary("silu", call=F.silu),
        "leaky_relu": _with_attrs(F.leaky_relu, {"negative_slope": st.floats(-1.5, 1.5)},
                                  AWAY_FROM_ZERO),
        "elu": _with_attrs(F.elu, {"alpha": st.floats(-1.0, 2.0)}, AWAY_FROM_ZERO),
        "gelu": _with_attrs(F.gelu, {"approximate": st.sampled_from(["none", "tanh"])}),
        "softplus": _with_attrs(F.softplus, softplus, distinct=True),
    }


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
    table.update(_activation_cases())
    return table
