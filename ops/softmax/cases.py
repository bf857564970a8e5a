"""softmax's, log_softmax's and cross_entropy's Hypothesis cases (see
minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import OpCase, grad_tensors
from minigrad.testing.strategies import cross_entropy_args, softmax_args


@st.composite
def _inputs(draw):
    a = draw(softmax_args(max_side=3))
    return (draw(grad_tensors(a.shape, elements=st.floats(-5.0, 5.0))), a.dim), {}


@st.composite
def _cross_entropy_inputs(draw):
    from minigrad.creation import tensor
    a = draw(cross_entropy_args(max_n=3, max_c=3))
    logits = draw(grad_tensors(a.input_shape, elements=st.floats(-5.0, 5.0)))
    weight = None if a.weight is None else tensor(a.weight)  # never requires grad
    return (logits, tensor(a.target), weight), a.kwargs


def cases() -> dict:
    import minigrad.nn.functional as F
    return {"softmax": OpCase(_inputs(), F.softmax),
            "log_softmax": OpCase(_inputs(), F.log_softmax),
            "cross_entropy": OpCase(_cross_entropy_inputs(), F.cross_entropy)}
