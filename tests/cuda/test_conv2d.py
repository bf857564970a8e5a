"""conv2d's CUDA kernels against the CPU NumPy kernel: forward values and the three
gradients, for every registered CUDA version, on drawn attributes (stride, 4-tuple
padding, dilation, groups, bias or not, any subset of gradients) and on edge cases
(size-1 dims, outputs spanning several tiles/blocks in each grid dimension, the split
grad_w reduction, tiled's fallback when nothing fits in shared memory). No kernel call
may read device memory from the host."""
from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numba import config, cuda

import minigrad
from minigrad.dispatch import registry
from minigrad.ops.conv2d import declare
from minigrad.ops.conv2d import numpy as ref
from minigrad.ops.conv2d.cuda import _common

from _guard import count_device_reads, record_grids

OP = "conv2d"
IMPLS = minigrad.implementations(OP, "cuda")
TOL = {np.dtype(np.float32): dict(rtol=1e-4, atol=1e-5),
       np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12)}


def _module(impl: str):
    return importlib.import_module(f"minigrad.ops.{OP}.cuda.{impl}")


def check(impl, x_shape, w_shape, has_bias, kwargs, dtype=np.float64,
          needs=(True, True, True), seed=0) -> None:
    """``impl``'s forward and backward on the device equal the NumPy kernel's."""
    g = declare(x_shape, w_shape, (w_shape[0],) if has_bias else None, **kwargs)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype) if has_bias else None
    out_ref, saved_ref = ref.forward(g, x, w, b)
    g_out = rng.standard_normal(out_ref.shape).astype(dtype)
    grads_ref = ref.backward(g, g_out, saved_ref, needs)

    mod = _module(impl)
    d_in = tuple(None if a is None else cuda.to_device(a) for a in (x, w, b))
    d_gout = cuda.to_device(g_out)
    with count_device_reads() as reads:
        d_out, d_saved = mod.forward(g, *d_in)
        d_grads = mod.backward(g, d_gout, d_saved, needs)
    assert reads.count == 0, f"{impl}: host reads of device memory: {reads.reads}"

    tol = TOL[np.dtype(dtype)]
    out = d_out.copy_to_host()
    assert out.dtype == dtype and out.shape == out_ref.shape
    np.testing.assert_allclose(out, out_ref, **tol, err_msg=f"{impl} forward")
    assert len(d_grads) == 3
    for name, need, d_g, g_ref in zip(("x", "weight", "bias"), needs, d_grads, grads_ref):
        if g_ref is None or not need:
            assert d_g is None, f"{impl}: grad_{name} should be None"
            continue
        g = d_g.copy_to_host()
        assert g.dtype == dtype and g.shape == g_ref.shape and g.flags.c_contiguous
        np.testing.assert_allclose(g, g_ref, **tol, err_msg=f"{impl} grad_{name}")


# ---------------------------------------------------------------- drawn cases


def _int_or_pair(draw, lo: int, hi: int):
    if draw(st.booleans()):
        return draw(st.integers(lo, hi))
    return (draw(st.integers(lo, hi)), draw(st.integers(lo, hi)))


def _pair(v):
    return (v, v) if isinstance(v, int) else v


@st.composite
def conv_cases(draw):
    """A valid small call (B <= 2, C <= 3, H, W <= 7, kernels <= 3): shapes are built
    from the attributes, so nothing is filtered."""
    groups = draw(st.integers(1, 3))
    c_per_group = draw(st.integers(1, 3 // groups))
    out_per_group = draw(st.integers(1, 3 // groups))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilation = _int_or_pair(draw, 1, 2)
    dh, dw = _pair(dilation)
    kind = draw(st.sampled_from(["explicit", "valid", "same"]))
    stride = 1 if kind == "same" else _int_or_pair(draw, 1, 3)
    if kind == "explicit":
        padding = _int_or_pair(draw, 0, 2)
        ph, pw = _pair(padding)
        pads = (2 * ph, 2 * pw)
    elif kind == "valid":
        padding, pads = "valid", (0, 0)
    else:
        padding, pads = "same", (dh * (kh - 1), dw * (kw - 1))
    min_h = max(1, dh * (kh - 1) + 1 - pads[0])
    min_w = max(1, dw * (kw - 1) + 1 - pads[1])
    h = draw(st.integers(min_h, max(min_h, 7)))
    w = draw(st.integers(min_w, max(min_w, 7)))
    b = draw(st.integers(1, 2))
    x_shape = (b, groups * c_per_group, h, w)
    w_shape = (groups * out_per_group, c_per_group, kh, kw)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return x_shape, w_shape, draw(st.booleans()), kwargs


@pytest.mark.parametrize("impl", IMPLS)
@given(case=conv_cases(), dtype=st.sampled_from([np.float32, np.float64]),
       needs=st.tuples(st.booleans(), st.booleans(), st.booleans()),
       seed=st.integers(0, 2**16))
def test_matches_numpy(impl, case, dtype, needs, seed):
    x_shape, w_shape, has_bias, kwargs = case
    check(impl, x_shape, w_shape, has_bias, kwargs, dtype, needs, seed)


# ---------------------------------------------------------------- edge cases

EDGE = {
    # everything of size 1
    "ones": ((1, 1, 1, 1), (1, 1, 1, 1), True, dict(stride=1, padding=0, dilation=1, groups=1)),
    # output 17 x 16 and input 17 x 16: two 16-row tiles; gemm: 5 column blocks, and
    # B*Ho*Wo = 544 > 512 splits grad_w's reduction in two slices
    "multi_tile": ((2, 1, 17, 16), (2, 1, 3, 3), True,
                   dict(stride=1, padding=1, dilation=1, groups=1)),
    # 65 output channels: 9 forward channel blocks (tiled), 2 row blocks (gemm forward
    # and grad_w)
    "many_out": ((1, 1, 1, 2), (65, 1, 1, 1), True,
                 dict(stride=1, padding=0, dilation=1, groups=1)),
    # 65 input channels: 9 grad_x channel blocks (tiled), 2 row blocks (gemm grad_x),
    # 2 column blocks of grad_w (gemm: 65 taps + the bias column)
    "many_in": ((1, 65, 1, 2), (1, 65, 1, 1), True,
                dict(stride=1, padding=0, dilation=1, groups=1)),
    # 'same' with an even kernel: asymmetric padding (0 top, 1 bottom), groups 3
    "same_even_groups": ((1, 3, 5, 4), (3, 1, 2, 2), False,
                         dict(stride=1, padding="same", dilation=1, groups=3)),
    # strides that are not the dilations, padding larger than the kernel reach
    "strided_dilated": ((2, 2, 7, 6), (4, 1, 3, 2), True,
                        dict(stride=(3, 2), padding=(2, 0), dilation=(2, 1), groups=2)),
    # the window as large as the padded input: a 1 x 1 output
    "full_window": ((1, 2, 3, 2), (1, 2, 3, 3), True,
                    dict(stride=2, padding=(0, 1), dilation=1, groups=1)),
}


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("name", list(EDGE))
def test_edge_cases(impl, name):
    x_shape, w_shape, has_bias, kwargs = EDGE[name]
    check(impl, x_shape, w_shape, has_bias, kwargs)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("needs", [(True, False, False), (False, True, False),
                                   (False, False, True), (False, False, False)])
def test_gradient_subsets_float32(impl, needs):
    check(impl, (2, 2, 5, 4), (2, 2, 2, 3), True,
          dict(stride=(1, 2), padding=1, dilation=1, groups=1), np.float32, needs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("split_min, split_max, slices", [(5, 128, 5), (1, 7, 6)])
def test_direct_split_reduction(monkeypatch, dtype, split_min, split_max, slices):
    """direct's grad_w and grad_b cut B*H_out*W_out into slices summed in order: with
    the slice size patched down, a tiny call has several slices, whose bounds fall
    inside a row and across the two samples (N = 2*3*4 = 24; per = 5, or 4 when the
    cap of 7 slices binds)."""
    direct = _module("direct")
    monkeypatch.setattr(direct, "SPLIT_MIN", split_min)
    monkeypatch.setattr(direct, "SPLIT_MAX", split_max)
    x_shape, w_shape = (2, 4, 5, 4), (4, 2, 2, 2)
    kwargs = dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
    assert direct._split(2 * 3 * 4, int(np.prod(w_shape)))[0] == slices
    assert direct._split(2 * 3 * 4, w_shape[0])[0] == slices
    check("direct", x_shape, w_shape, True, kwargs, dtype)
    check("direct", x_shape, w_shape, True, kwargs, dtype, needs=(False, True, False))
    check("direct", x_shape, w_shape, True, kwargs, dtype, needs=(False, False, True))


def test_tiled_falls_back_when_nothing_fits(monkeypatch):
    """With (almost) no shared memory, every tiled pass runs direct's kernels."""
    monkeypatch.setattr(_common, "SMEM_BYTES", 8)
    check("tiled", (1, 2, 4, 3), (2, 1, 2, 2), True,
          dict(stride=1, padding=1, dilation=1, groups=2))




@pytest.mark.parametrize("cap, x_shape, w_shape, groups", [
    # 3 groups on 2 blocks in z: block 0 does groups 0 and 2 (grad_w: S = 1 slice)
    (2, (2, 3, 3, 2), (6, 1, 2, 1), 3),
    # 65 output and input channels per group: 2 row tiles (y) of forward, grad_x and
    # grad_w on 1 block, 2 groups on 1 block (z)
    (1, (1, 130, 1, 2), (130, 65, 1, 1), 2),
])
def test_gemm_grid_loops(monkeypatch, cap, x_shape, w_shape, groups):
    """gemm with grid y and z capped at ``cap`` blocks: blocks loop over row tiles and
    groups (on a GPU past 65535 of either; groups=70000 used to launch (1, 1, 70000))."""
    monkeypatch.setattr(_module("gemm"), "MAX_GRID_Z", cap)
    grids = record_grids(monkeypatch)
    check("gemm", x_shape, w_shape, True, dict(stride=1, padding=(1, 0), dilation=1,
                                                groups=groups))
    assert grids or not config.ENABLE_CUDASIM
    assert all(y <= cap and z <= cap for _, y, z in grids), grids


def test_registered_with_gemm_default():
    assert IMPLS == ["direct", "tiled", "gemm"]
    assert registry.selected(OP, "cuda") == "gemm"
