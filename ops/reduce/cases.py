"""The reductions' Hypothesis cases (see minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import SMALL, OpCase
from minigrad.testing.strategies import tensors


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


def cases() -> dict:
    return {
        "sum": _reduction("sum"), "mean": _reduction("mean"),
        # An int dim returns (values, indices); None or a tuple the values only.
        "max": _reduction("max", distinct=True), "min": _reduction("min", distinct=True),
        "argmax": _reduction("argmax", distinct=True, differentiable=False, allow_tuple=False),
        "argmin": _reduction("argmin", distinct=True, differentiable=False, allow_tuple=False),
    }
