"""pad's Hypothesis cases (see minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import OpCase, grad_tensors

from . import NON_CONSTANT_RANKS, declare


def _amounts(draw, n: int, mode: str) -> tuple[int, int]:
    """(before, after) for a dim of size n, valid for ``mode``: negative amounts (crops)
    included, never a negative output size."""
    if mode == "circular":
        # A crop of one on a side, at most; the other side wraps at most what is left.
        crop = -1 if n >= 3 else 0
        b = draw(st.integers(crop, n))
        a = draw(st.integers(0 if b < 0 or b == n else crop, n - 1 if b < 0 else n))
        return b, a
    low = -n if mode == "constant" else -1
    high = {"constant": 2, "reflect": n - 1, "replicate": 3}[mode]
    least = 1 if mode == "reflect" else 0  # PyTorch's reflect leaves at least one
    b = draw(st.integers(max(low, least - n), high))
    a = draw(st.integers(max(low, least - n - b), high))
    return b, a


@st.composite
def pad_args(draw, max_side: int = 3):
    """(input shape, kwargs) of a valid pad call: every mode; constant on 1-D to 4-D
    inputs with 1 to ndim padded dims and fill values; the other modes on PyTorch's
    rank / pad-length combinations."""
    mode = draw(st.sampled_from(("constant", "constant", "reflect", "replicate", "circular")))
    if mode == "constant":
        ndim = draw(st.integers(1, 4))
        k = draw(st.integers(1, ndim))
    else:
        length = draw(st.sampled_from(sorted(NON_CONSTANT_RANKS)))
        ndim = draw(st.sampled_from(NON_CONSTANT_RANKS[length]))
        k = length // 2
    lead = [draw(st.integers(1, 2)) for _ in range(ndim - k)]
    sides = [draw(st.integers(1, max_side)) for _ in range(k)]
    pad = []
    for n in reversed(sides):  # the last dim first
        pad += _amounts(draw, n, mode)
    kwargs = {"pad": tuple(pad) if draw(st.booleans()) else list(pad), "mode": mode}
    if mode == "constant" and draw(st.booleans()):
        kwargs["value"] = draw(st.sampled_from([0.0, 1.5, -2.0]))
    shape = tuple(lead + sides)
    declare(shape, **kwargs)  # every draw is valid: a bug here is the strategy's
    return shape, kwargs


@st.composite
def _inputs(draw):
    shape, kwargs = draw(pad_args())
    return (draw(grad_tensors(shape)),), kwargs


def cases() -> dict:
    from minigrad.nn.functional.pad import pad
    return {"pad": OpCase(_inputs(), pad)}
