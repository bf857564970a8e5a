"""max_pool2d's Hypothesis cases (see minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import OpCase, grad_tensors
from minigrad.testing.strategies import pool2d_args


@st.composite
def _inputs(draw):
    a = draw(pool2d_args(max_hw=6))
    # Distinct values (ties make the gradient ambiguous); return_indices: the indices
    # are compared between implementations too.
    return (draw(grad_tensors(a.input_shape, distinct=True)),), {**a.kwargs, "return_indices": True}


def cases() -> dict:
    import minigrad.nn.functional as F
    return {"max_pool2d": OpCase(_inputs(), F.max_pool2d)}
