"""linear's Hypothesis cases (see minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import OpCase, grad_tensors


@st.composite
def _inputs(draw):
    """input (*, in) with no, one or two leading dims (folded into the rows), weight
    (out, in), and a bias (out,) or None."""
    in_f, out_f = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    bias = draw(st.none() | grad_tensors((out_f,)))
    return (draw(grad_tensors(lead + (in_f,))), draw(grad_tensors((out_f, in_f))), bias), {}


def cases() -> dict:
    import minigrad.nn.functional as F
    return {"linear": OpCase(_inputs(), F.linear)}
