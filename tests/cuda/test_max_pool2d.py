"""max_pool2d's CUDA kernels against the CPU NumPy kernel: forward values and indices
exactly, backward gradients to rounding, for every registered CUDA version, on drawn
and edge-case shapes (also with tiny tiles and grid limits, so small inputs still span
several blocks and exercise the kernels' grid loops)."""
from __future__ import annotations

import contextlib
import importlib
import threading

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numba import cuda

import minigrad
from minigrad.ops import _pool_cuda
from minigrad.ops.max_pool2d import declare
from minigrad.ops.max_pool2d import numpy as ref
from minigrad.ops.max_pool2d.cuda import _window, fused, tiled

from _guard import count_device_reads

OP = "max_pool2d"
IMPLS = minigrad.implementations(OP, "cuda")
DTYPES = [np.float32, np.float64]


def _module(impl: str):
    return importlib.import_module(f"minigrad.ops.{OP}.cuda.{impl}")


@contextlib.contextmanager
def small_blocks(grid_limit: int = 2):
    """Tiny tiles and a tiny grid limit: several blocks per axis, looping kernels."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_window, "TILES", ((4, 2), (2, 1), (1, 1)))
        mp.setattr(_window, "MAX_GRID_YZ", grid_limit)
        mp.setattr(fused, "TILE", (4, 2))
        yield


def distinct(shape, seed: int, dtype) -> np.ndarray:
    """Distinct values (ties would make the gradient ambiguous)."""
    n = int(np.prod(shape))
    values = np.random.default_rng(seed).permutation(n).astype(np.float64) * 0.1 - n * 0.05
    return values.reshape(shape).astype(dtype)


def check(impl: str, x: np.ndarray, geom, seed: int = 0) -> None:
    """Forward and backward of ``impl`` on the device equal the NumPy kernel's."""
    mod = _module(impl)
    (out_ref, idx_ref), saved_ref = ref.forward(geom, x)
    d_x = cuda.to_device(x)
    (d_out, d_idx), d_saved = mod.forward(geom, d_x)
    out, idx = d_out.copy_to_host(), d_idx.copy_to_host()
    assert out.dtype == x.dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(out, out_ref)
    np.testing.assert_array_equal(idx, idx_ref)

    grad_out = np.random.default_rng(seed + 1).standard_normal(out.shape).astype(x.dtype)
    (g_ref,) = ref.backward(geom, grad_out, saved_ref, (True,))
    (d_g,) = mod.backward(geom, cuda.to_device(grad_out), d_saved, (True,))
    g = d_g.copy_to_host()
    assert g.shape == x.shape and g.dtype == x.dtype
    rtol, atol = (1e-12, 1e-12) if x.dtype == np.float64 else (1e-4, 1e-5)
    np.testing.assert_allclose(g, g_ref, rtol=rtol, atol=atol)


@st.composite
def pool_cases(draw, max_hw: int = 8):
    """(shape, geometry); H, W start at the smallest size giving one output."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    s = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    sizes = [draw(st.integers(max(1, (k[a] - 1) * d[a] + 1 - 2 * p[a]), max_hw))
             for a in range(2)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sizes)
    try:
        geom = declare(shape, k, s, p, d, draw(st.booleans()))
    except ValueError:
        assume(False)
    return shape, geom


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@given(case=pool_cases(), seed=st.integers(0, 2**32 - 1), tiny=st.booleans())
def test_matches_numpy(impl, dtype, case, seed, tiny):
    shape, geom = case
    with small_blocks() if tiny else contextlib.nullcontext():
        check(impl, distinct(shape, seed, dtype), geom, seed)


# (shape, kernel_size, stride, padding, dilation, ceil_mode)
EDGE_CASES = [
    ((1, 1, 1, 1), 1, None, 0, 1, False),              # every dim 1
    ((1, 1, 1, 7), (1, 3), (1, 2), (0, 1), 1, True),   # one row, ceil_mode's extra window
    ((2, 3, 5, 1), (2, 1), 1, 0, 1, False),            # one column, overlapping rows
    ((1, 1, 7, 9), 3, 1, 1, 1, False),                 # overlapping 3x3, padding
    ((1, 2, 9, 10), (3, 2), (2, 1), (1, 1), (2, 3), True),
    ((0, 2, 4, 4), 2, None, 0, 1, False),              # empty batch
]


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", EDGE_CASES)
def test_edge_cases(impl, case):
    shape, *args = case
    check(impl, distinct(shape, 3, np.float32), declare(shape, *args))


@pytest.mark.parametrize("impl", IMPLS)
def test_several_blocks_per_grid_axis(impl):
    # Real tiles: 9 x 33 outputs (2x2 windows, stride 1) of a 10 x 34 input are 2 x 2
    # tiles of 32 x 8 (neither a multiple) in 2 planes; then with a grid limit of 1 block
    # in y and z the kernels loop over tile rows and planes.
    x = distinct((1, 2, 10, 34), 5, np.float32)
    check(impl, x, declare(x.shape, 2, 1))
    with small_blocks(grid_limit=1):
        check(impl, x[:, :, :7, :9].copy(), declare((1, 2, 7, 9), 3, 2, 1))


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_nan_and_minus_inf_pick_the_cpu_winner(impl, dtype):
    # A NaN wins (the last one in scan order); a window of -inf names its first input tap.
    x = distinct((1, 2, 6, 6), 1, dtype)
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = np.nan
    x[0, 1, :3, :3] = -np.inf
    geom = declare(x.shape, 3, 2, 1)
    mod = _module(impl)
    (out_ref, idx_ref), _ = ref.forward(geom, x)
    (d_out, d_idx), _ = mod.forward(geom, cuda.to_device(x))
    np.testing.assert_array_equal(d_out.copy_to_host(), out_ref)
    np.testing.assert_array_equal(d_idx.copy_to_host(), idx_ref)


@pytest.mark.parametrize("impl", IMPLS)
def test_overlapping_windows_add_up(impl):
    # 3x3 windows, stride 1, padding 1: all nine windows pick the centre.
    x = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]]).reshape(1, 1, 3, 3)
    geom = declare(x.shape, 3, 1, 1)
    mod = _module(impl)
    d_x = cuda.to_device(x)
    _, saved = mod.forward(geom, d_x)
    grad_out = cuda.to_device(np.arange(1.0, 10.0).reshape(1, 1, 3, 3))
    (g,) = mod.backward(geom, grad_out, saved, (True,))
    expected = np.zeros((1, 1, 3, 3))
    expected[0, 0, 1, 1] = 45.0
    np.testing.assert_array_equal(g.copy_to_host(), expected)


def test_tiled_falls_back_to_direct_for_windows_too_large_to_stage():
    x = distinct((1, 2, 7, 8), 2, np.float64)
    with pytest.MonkeyPatch.context() as mp:
        # Forcing the fallback never compiles the tiled kernels with these sizes.
        mp.setattr(tiled, "FWD_CAP", 8)
        mp.setattr(tiled, "BWD_CAP", 1)
        assert _window.pick_tile(lambda tw, th: (th + 2) * (tw + 2) <= tiled.FWD_CAP) is None
        check("tiled", x, declare(x.shape, 3, 1, 1))


class _HostThreadReads(list):
    """The simulator runs each GPU thread as a Python thread whose element reads the
    counter also sees; only reads from the calling (host) thread are host reads."""

    def append(self, name):
        if threading.current_thread() is threading.main_thread():
            super().append(name)


@pytest.mark.parametrize("impl", IMPLS)
def test_no_host_reads_and_no_grad_when_not_needed(impl):
    mod = _module(impl)
    x = cuda.to_device(distinct((2, 2, 6, 7), 4, np.float32))
    geom = declare(x.shape, 3, 2, 1)
    with count_device_reads() as counter:
        counter.reads = _HostThreadReads()
        out, saved = mod.forward(geom, x)
        grad_out = cuda.to_device(np.ones(out[0].shape, np.float32))
        (g,) = mod.backward(geom, grad_out, saved, (True,))
        assert mod.backward(geom, grad_out, saved, (False,)) == (None,)
    assert counter.reads == []
    assert g.is_c_contiguous() and out[0].is_c_contiguous() and out[1].is_c_contiguous()


@pytest.mark.parametrize("impl", IMPLS)
def test_large_tensors_are_launched_in_plane_groups(impl):
    # The kernels divide indices in 32 bits; past INDEX_LIMIT elements the host launches
    # them on groups of planes. A tiny limit makes 2x3 planes of 7x9 (output 4x5) need
    # groups of 1, 2 and then the rest.
    x = distinct((2, 3, 7, 9), 6, np.float64)
    for limit in (64, 127, 200):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_pool_cuda, "INDEX_LIMIT", limit)
            check(impl, x, declare(x.shape, 3, 2, 1))
            check(impl, x, declare(x.shape, 2, 1, 0, 2))


def test_plane_groups_cover_the_planes_below_the_limit():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_pool_cuda, "INDEX_LIMIT", 100)
        groups = list(_window.plane_groups(10, 30, 12))
        assert groups == [(0, 3), (3, 6), (6, 9), (9, 10)]
        assert list(_window.plane_groups(0, 30, 12)) == []
    assert list(_window.plane_groups(256 * 6, 28 * 28, 14 * 14)) == [(0, 256 * 6)]


@pytest.mark.parametrize("impl", IMPLS)
def test_a_plane_too_large_to_index_is_refused_before_launch(impl):
    x = cuda.to_device(distinct((1, 1, 4, 5), 7, np.float32))
    geom = declare(x.shape, 2, 1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_pool_cuda, "INDEX_LIMIT", 20)  # one 4x5 plane is 20 elements
        with pytest.raises(RuntimeError, match="plane of 20 elements"):
            _module(impl).forward(geom, x)
