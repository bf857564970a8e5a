"""conv2d's Hypothesis cases (see minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import OpCase, grad_tensors
from minigrad.testing.strategies import conv2d_args


@st.composite
def _inputs(draw):
    a = draw(conv2d_args(max_hw=5, max_batch=2, max_channels=3))
    bias = None if a.bias_shape is None else draw(grad_tensors(a.bias_shape))
    return (draw(grad_tensors(a.input_shape)), draw(grad_tensors(a.weight_shape)), bias), a.kwargs


def cases() -> dict:
    import minigrad.nn.functional as F
    return {"conv2d": OpCase(_inputs(), F.conv2d)}
