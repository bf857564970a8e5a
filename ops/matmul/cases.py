"""matmul's Hypothesis cases (see minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import OpCase, grad_tensors
from minigrad.testing.strategies import matmul_shapes


@st.composite
def _inputs(draw):
    a_shape, b_shape = draw(matmul_shapes(max_dim=3, max_batch=3, max_batch_ndim=2))
    return (draw(grad_tensors(a_shape)), draw(grad_tensors(b_shape))), {}


def cases() -> dict:
    import minigrad.nn.functional as F
    return {"matmul": OpCase(_inputs(), F.matmul)}
