"""softmax, log_softmax and cross_entropy on CUDA: every registered version against the
NumPy kernels, forward values and gradients, on Hypothesis-drawn shapes, dims and
attributes; then the edges: 0-d and empty inputs, size-1 dims, rows longer than a
block's (or a warp's) stride, more rows than one block holds (read from each version's
launch sizes), NaN rows, huge logits, ignored and out-of-range targets, and no host
reads of device memory.

Kernels are called directly with device arrays, as the front end calls them (the
registry's kernel pairs, with the declarations' geometry). The simulator runs every GPU
thread as a Python thread, so shapes stay small.
"""
from __future__ import annotations

import gc
import threading
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from numba import config, cuda

import minigrad
from minigrad.dispatch import lookup
from minigrad.ops import _cuda
from minigrad.ops.softmax import declare_cross_entropy, declare_softmax
from minigrad.ops.softmax.cuda import _rows

from _guard import count_device_reads, record_grids


def _kernels(op: str, device: str, impl: str):
    """The registry's kernel pair of ``op``'s implementation ``impl`` on ``device``."""
    with minigrad.use(**{op: impl}):
        return lookup(op, device)[1]


# The NumPy kernels, the reference.
ROW_OPS = {op: _kernels(op, "cpu", "numpy") for op in ("softmax", "log_softmax")}
ce_ref = _kernels("cross_entropy", "cpu", "numpy")
ROW_CASES = [(op, v) for op in ROW_OPS for v in minigrad.implementations(op, "cuda")]
CE_VERSIONS = minigrad.implementations("cross_entropy", "cuda")
DTYPES = st.sampled_from([np.float32, np.float64])
seeds = st.integers(0, 2**32 - 1)

# The simulator computes 0/0 of NumPy scalars ("mean" over no counted target) with a
# RuntimeWarning where a GPU just gives NaN.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _module(op: str, version: str):
    return _kernels(op, "cuda", version)


def _ce_geometry(x, t, w, attrs):
    return declare_cross_entropy(x.shape, t.shape, "int64", None if w is None else w.shape,
                                 **attrs)


def _close(got, want, dtype) -> None:
    assert got.dtype == dtype and got.shape == want.shape
    if dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def _strategy(version: str) -> _rows.Strategy:
    return _rows.STRATEGIES[version]




# Rows one block of each version holds at a time: 3 of those on a grid capped at 2
# blocks make block 0 loop (rows of slots 0 and 2).
ROWS_PER_BLOCK = {"row": _rows.ROW_THREADS, "block": 1, "warp": _rows.WARPS_PER_BLOCK}


def _capped_grid(monkeypatch, version: str) -> tuple[int, list]:
    """(rows, grids): the row launches capped at 2 blocks, and rows for 3 blocks."""
    monkeypatch.setattr(_cuda, "MAX_BLOCKS", 2)
    rows = 2 * ROWS_PER_BLOCK[version] + 1
    assert -(-rows // ROWS_PER_BLOCK[version]) == 3
    return rows, record_grids(monkeypatch)


def _assert_capped(grids) -> None:
    assert grids or not config.ENABLE_CUDASIM
    # The shapes keep the one-thread-per-element launches within 2 blocks too.
    assert all(g[0] <= 2 for g in grids), grids


# --- softmax and log_softmax ---------------------------------------------------------------


def _check_rows(op, version, x, dim, g=None):
    ref, mod = ROW_OPS[op], _module(op, version)
    if g is None:
        g = np.random.default_rng(1).standard_normal(x.shape).astype(x.dtype)
    geom = declare_softmax(x.shape, dim)
    want, saved = ref.forward(geom, x)
    (want_g,) = ref.backward(geom, g, saved, (True,))
    out, saved = mod.forward(geom, cuda.to_device(x))
    (got_g,) = mod.backward(geom, cuda.to_device(g), saved, (True,))
    assert out.is_c_contiguous() and got_g.is_c_contiguous()
    _close(out.copy_to_host(), want, x.dtype)
    _close(got_g.copy_to_host(), want_g, x.dtype)


@st.composite
def shapes_and_dims(draw):
    """(shape, normalised dim): 0-D to 3-D, size-1 and size-0 dims included, few rows
    (each row is a block in the "block" version: the simulator is slow)."""
    shape = draw(array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
                 .filter(lambda s: np.prod(s) <= 24))
    dim = draw(st.integers(0, max(len(shape), 1) - 1))
    return shape, dim


@pytest.mark.parametrize("op, version", ROW_CASES)
@given(case=shapes_and_dims(), dtype=DTYPES, seed=seeds)
def test_row_ops_match_numpy(op, version, case, dtype, seed):
    shape, dim = case
    x = (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)
    _check_rows(op, version, x, dim)


@pytest.mark.parametrize("op, version", ROW_CASES)
def test_row_ops_past_one_block(op, version):
    """More rows than one block of the version holds, rows longer than its stride,
    along the last dim and along a middle one (rows strided in memory)."""
    launch = _strategy(version).launch
    rows = {"row": _rows.ROW_THREADS + 1, "block": 2, "warp": _rows.WARPS_PER_BLOCK + 1}
    n = 2 if version == "row" else 37  # a warp's 32 lanes and the block's 16 threads twice
    nb, nt = launch(rows[version], n)
    stride = {"row": 1, "block": nt, "warp": _rows.WARP}[version]
    assert nb > 1 and n > stride
    rng = np.random.default_rng(0)
    _check_rows(op, version, rng.standard_normal((rows[version], n)), 1)
    _check_rows(op, version, rng.standard_normal((1, n, 3)).astype(np.float32), 1)


@pytest.mark.parametrize("op, version", ROW_CASES)
def test_row_ops_grid_loops(op, version, monkeypatch):
    """More rows than the capped grid holds (on a GPU past 65535 blocks): blocks loop over
    their slots of rows, along the last dim and along a middle one."""
    rows, grids = _capped_grid(monkeypatch, version)
    n = 2 if version == "row" else 9  # the block version's tree: 4 threads
    rng = np.random.default_rng(9)
    _check_rows(op, version, rng.standard_normal((rows, n)), 1)
    _check_rows(op, version, rng.standard_normal((1, n, rows)).astype(np.float32), 1)
    _assert_capped(grids)


@pytest.mark.parametrize("op, version", ROW_CASES)
def test_row_ops_edges(op, version):
    _check_rows(op, version, np.array(1.5), 0)  # 0-d: one row of one element
    _check_rows(op, version, np.zeros((2, 0, 3)), 1)
    _check_rows(op, version, np.zeros((3, 0)), 0)  # rows of length 3 along dim 0 ... of 0
    # Huge logits are fine (the max is subtracted), and a NaN spoils its own row only.
    x = np.array([[1e4, -1e4, 0.0], [np.nan, 1.0, 2.0], [-np.inf, 0.0, 1.0]])
    geom = declare_softmax(x.shape, 1)
    out = _module(op, version).forward(geom, cuda.to_device(x))[0].copy_to_host()
    want = ROW_OPS[op].forward(geom, x)[0]
    assert np.isnan(out[1]).all() and np.isfinite(out[0]).all()
    np.testing.assert_allclose(out, want, rtol=1e-12)


# --- cross_entropy --------------------------------------------------------------------------


def _check_ce(version, x, t, w, attrs, g=None, needs=(True, False, False)):
    mod = _module("cross_entropy", version)
    reduction = attrs["reduction"]
    if g is None:
        shape = (x.shape[0],) if reduction == "none" else ()
        g = np.asarray(np.random.default_rng(2).standard_normal(shape), x.dtype)
    geom = _ce_geometry(x, t, w, attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want, saved = ce_ref.forward(geom, x, t, w)
        want_g = ce_ref.backward(geom, g, saved, needs)[0]
    dev = (cuda.to_device(x), cuda.to_device(t), None if w is None else cuda.to_device(w))
    out, saved = mod.forward(geom, *dev)
    grads = mod.backward(geom, cuda.to_device(g), saved, needs)
    assert grads[1] is None and grads[2] is None
    _close(out.copy_to_host(), want, x.dtype)
    if needs[0]:
        _close(grads[0].copy_to_host(), want_g, x.dtype)
    else:
        assert grads[0] is None
    return out.copy_to_host(), None if grads[0] is None else grads[0].copy_to_host()


@st.composite
def ce_cases(draw):
    dtype = draw(DTYPES)
    n, c = draw(st.integers(0, 5)), draw(st.integers(1, 9))
    rng = np.random.default_rng(draw(seeds))
    x = (rng.standard_normal((n, c)) * 3).astype(dtype)
    t = rng.integers(0, c, n).astype(np.int64)
    ignore_index = draw(st.sampled_from([-100, 0, c - 1, 2**70]))
    if n and draw(st.booleans()):
        t[rng.random(n) < 0.4] = ignore_index if ignore_index < 2**63 else 0
    w = rng.random(c).astype(dtype) + 0.1 if draw(st.booleans()) else None
    attrs = {"ignore_index": ignore_index,
             "reduction": draw(st.sampled_from(["none", "mean", "sum"])),
             "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0]))}
    return x, t, w, attrs


@pytest.mark.parametrize("version", CE_VERSIONS)
@given(case=ce_cases())
def test_cross_entropy_matches_numpy(version, case):
    _check_ce(version, *case)


@pytest.mark.parametrize("version", CE_VERSIONS)
def test_cross_entropy_past_one_block(version):
    """More samples than one block of the version holds, more classes than its stride."""
    n = {"row": _rows.ROW_THREADS + 1, "block": 2, "warp": _rows.WARPS_PER_BLOCK + 1}[version]
    c = 2 if version == "row" else 37
    assert _strategy(version).launch(n, c)[0] > 1
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((n, c)), rng.integers(0, c, n).astype(np.int64)
    _check_ce(version, x, t, rng.random(c) + 0.5,
              {"ignore_index": 1, "reduction": "mean", "label_smoothing": 0.2})


@pytest.mark.parametrize("version", CE_VERSIONS)
@pytest.mark.parametrize("reduction, smoothing", [("mean", 0.2), ("none", 0.0)])
def test_cross_entropy_grid_loops(version, reduction, smoothing, monkeypatch):
    """More samples than the capped grid holds (on a GPU past 65535 blocks): blocks loop
    over their slots of rows, an ignored target among them."""
    rows, grids = _capped_grid(monkeypatch, version)
    c = 2 if version == "row" else 9
    rng = np.random.default_rng(10)
    x, t = rng.standard_normal((rows, c)), rng.integers(0, c, rows).astype(np.int64)
    t[rows // 2] = -100
    _check_ce(version, x, t, rng.random(c) + 0.5,
              {"ignore_index": -100, "reduction": reduction, "label_smoothing": smoothing})
    _assert_capped(grids)


def test_cross_entropy_reduction_past_one_block():
    """More samples than the one-block "finish" and "total" reductions have threads."""
    n = _rows.BLOCK_MAX + 9
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((n, 1)), np.zeros(n, np.int64)
    t[::3] = -100
    _check_ce("row", x, t, None, {"ignore_index": -100, "reduction": "mean",
                                  "label_smoothing": 0.0})


@pytest.mark.parametrize("version", CE_VERSIONS)
def test_cross_entropy_nothing_counted_and_bad_targets(version):
    x = np.random.default_rng(5).standard_normal((3, 4))
    # Every target ignored: "mean" is 0/0 = NaN, the gradient 0 (as numpy.py, PyTorch).
    loss, grad = _check_ce(version, x, np.full(3, 7, np.int64), None,
                           {"ignore_index": 7, "reduction": "mean", "label_smoothing": 0.1})
    assert np.isnan(loss) and (grad == 0).all()
    # A target out of range (the front end refuses it first): NaN, never a number.
    mod = _module("cross_entropy", version)
    t = np.array([1, 9, -3])
    dev = (cuda.to_device(x), cuda.to_device(t), None)
    for reduction in ("none", "mean"):
        attrs = {"ignore_index": -100, "reduction": reduction, "label_smoothing": 0.0}
        geom = _ce_geometry(x, t, None, attrs)
        out, saved = mod.forward(geom, *dev)
        g = cuda.to_device(np.ones(out.shape))
        grad = mod.backward(geom, g, saved, (True, False, False))[0].copy_to_host()
        loss = out.copy_to_host()
        if reduction == "none":
            assert np.isfinite(loss[0]) and np.isnan(loss[1:]).all()
            assert np.isfinite(grad[0]).all() and np.isnan(grad[1:]).all()
        else:
            assert np.isnan(loss)


@pytest.mark.parametrize("version", CE_VERSIONS)
def test_cross_entropy_no_grad_needed_and_float32(version):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((2, 3)) * 1e4).astype(np.float32)  # huge logits: stable
    _check_ce(version, x, np.array([0, 2]), None,
              {"ignore_index": -100, "reduction": "sum", "label_smoothing": 0.0},
              needs=(False, False, False))


def test_warp_backward_from_its_saved_values_alone():
    """The fused gradient travels in what warp's forward saves (gfused, scale0, target),
    not beside its output: backward needs neither the loss array nor the logits."""
    rng = np.random.default_rng(7)
    x, t = rng.standard_normal((3, 5)), np.array([4, 0, 2])
    attrs = {"ignore_index": -100, "reduction": "mean", "label_smoothing": 0.1}
    geom = _ce_geometry(x, t, None, attrs)
    dev = (cuda.to_device(x), cuda.to_device(t), None)
    out, saved = _module("cross_entropy", "warp").forward(geom, *dev)
    assert len(saved) == 3 and not any(s is dev[0] for s in saved)
    del out, dev
    gc.collect()
    g = np.asarray(0.5)
    grad = _module("cross_entropy", "warp").backward(geom, cuda.to_device(g), saved,
                                                     (True, False, False))[0]
    want = ce_ref.backward(geom, g, (x, t, None), (True, False, False))[0]
    _close(grad.copy_to_host(), want, np.float64)


# --- no hidden round-trips -------------------------------------------------------------------


class _HostThreadReads(list):
    """Reads made by the test's own (host) thread; the simulator's GPU threads read
    device memory from their own threads, as a GPU does."""

    def append(self, name):
        if threading.current_thread() is threading.main_thread():
            super().append(name)


@pytest.mark.parametrize("version", CE_VERSIONS)
def test_no_host_reads(version):
    rng = np.random.default_rng(8)
    x = cuda.to_device(rng.standard_normal((2, 3)).astype(np.float32))
    t = cuda.to_device(np.array([2, 0]))
    g = cuda.to_device(np.ones(x.shape, np.float32))
    g0 = cuda.to_device(np.ones((), np.float32))
    with count_device_reads() as counter:
        counter.reads = _HostThreadReads()
        for op in ROW_OPS:
            mod = _module(op, version)
            geom = declare_softmax(x.shape, 0)
            out, saved = mod.forward(geom, x)
            mod.backward(geom, g, saved, (True,))
            assert mod.backward(geom, g, saved, (False,)) == (None,)
        mod = _module("cross_entropy", version)
        attrs = {"ignore_index": 0, "reduction": "mean", "label_smoothing": 0.1}
        geom = declare_cross_entropy(x.shape, t.shape, "int64", None, **attrs)
        out, saved = mod.forward(geom, x, t, None)
        mod.backward(geom, g0, saved, (True, False, False))
    assert counter.reads == []
