"""avg_pool2d's and adaptive_avg_pool2d's Hypothesis cases (see minigrad/testing/cases.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from minigrad.testing.cases import OpCase, grad_tensors

from . import declare


@st.composite
def avg_pool2d_args(draw, max_hw: int = 6, max_kernel: int = 3):
    """(input shape, kwargs) of a valid avg_pool2d call: kernel_size 1..max_kernel,
    stride None or 1..3, padding up to half the kernel, ceil_mode, count_include_pad,
    divisor_override (None mostly); square pairs sometimes written as one int; the input
    sometimes unbatched (C, H, W). H and W start at the smallest size giving one output."""
    def spelled(pair):
        return pair[0] if pair[0] == pair[1] and draw(st.booleans()) else pair

    k = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    s = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    hw = [draw(st.integers(max(1, k[a] - 2 * p[a]), max(max(1, k[a] - 2 * p[a]), max_hw)))
          for a in range(2)]
    kwargs = {"kernel_size": spelled(k), "stride": None if s is None else spelled(s),
              "padding": spelled(p), "ceil_mode": draw(st.booleans()),
              "count_include_pad": draw(st.booleans()),
              "divisor_override": draw(st.none() | st.none() | st.sampled_from([-2, 1, 3, 5]))}
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *hw)
    declare(shape, **kwargs)  # every draw is valid: a bug here is the strategy's
    if draw(st.booleans()):
        shape = shape[1:] if shape[0] == 1 else shape
    return shape, kwargs


@st.composite
def _inputs(draw):
    shape, kwargs = draw(avg_pool2d_args())
    return (draw(grad_tensors(shape)),), kwargs



@st.composite
def adaptive_avg_pool2d_args(draw, max_hw: int = 7, max_out: int = 8):
    """(input shape, output_size) of a valid adaptive_avg_pool2d call: outputs smaller
    than, equal to and larger than the input (overlapping and repeated windows), written
    as an int, a pair or a pair with None; the input sometimes unbatched (C, H, W)."""
    h, w = draw(st.integers(1, max_hw)), draw(st.integers(1, max_hw))
    oh, ow = draw(st.integers(1, max_out)), draw(st.integers(1, max_out))
    output_size = draw(st.sampled_from([(oh, ow), [oh, ow], oh, (None, ow), (oh, None)]))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)
    if draw(st.booleans()) and shape[0] == 1:
        shape = shape[1:]
    return shape, output_size


@st.composite
def _adaptive_inputs(draw):
    shape, output_size = draw(adaptive_avg_pool2d_args())
    return (draw(grad_tensors(shape)),), {"output_size": output_size}


def cases() -> dict:
    import minigrad.nn.functional as F
    return {"avg_pool2d": OpCase(_inputs(), F.avg_pool2d),
            "adaptive_avg_pool2d": OpCase(_adaptive_inputs(), F.adaptive_avg_pool2d)}
