"""avg_pool2d's and adaptive_avg_pool2d's CUDA kernels against the CPU ones: the NumPy
kernels to rounding and the naive ones bit for bit (the same sums in the same order),
forward and backward, for every registered CUDA version, on drawn and edge-case
arguments (also split into plane groups by a lowered index limit); the float64 gradient
check through the public API; no host reads of device memory."""
from __future__ import annotations

import contextlib
import importlib
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numba import cuda

import minigrad
import minigrad.nn.functional as F
from minigrad.ops import _pool_cuda
from minigrad.ops import avg_pool2d as avg_decl
from minigrad.ops.avg_pool2d import _adaptive as adaptive_decl
from minigrad.ops.avg_pool2d import naive as naive_ref
from minigrad.ops.avg_pool2d import numpy as numpy_ref
from minigrad.ops.avg_pool2d.cases import adaptive_avg_pool2d_args, avg_pool2d_args
from minigrad.testing import check_op

from _guard import count_device_reads

AVG, ADAPTIVE = "avg_pool2d", "adaptive_avg_pool2d"
OPS = {AVG: avg_decl, ADAPTIVE: adaptive_decl}
IMPLS = {op: minigrad.implementations(op, "cuda") for op in OPS}
CASES = [(op, impl) for op in OPS for impl in IMPLS[op]]
DTYPES = [np.float32, np.float64]


def _module(op: str, impl: str):
    return importlib.import_module(f"minigrad.ops.avg_pool2d.cuda.{impl}")


def _batched(shape):
    return (1,) + tuple(shape) if len(shape) == 3 else tuple(shape)


def check(op: str, impl: str, g, dtype, seed: int = 0) -> None:
    """Forward and backward of ``impl`` on the device: the naive kernels' bits, the
    NumPy kernels' values to rounding."""
    mod = _module(op, impl)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(g.in_shape).astype(dtype)
    grad_out = rng.standard_normal(g.out_shape).astype(dtype)
    d_out, saved = mod.forward(g, cuda.to_device(x))
    assert saved is None
    (d_gx,) = mod.backward(g, cuda.to_device(grad_out), saved, (True,))
    out, gx = d_out.copy_to_host(), d_gx.copy_to_host()
    assert out.shape == g.out_shape and out.dtype == dtype
    assert gx.shape == g.in_shape and gx.dtype == dtype
    np.testing.assert_array_equal(out, naive_ref.forward(g, x)[0])
    np.testing.assert_array_equal(gx, naive_ref.backward(g, grad_out, None, (True,))[0])
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, numpy_ref.forward(g, x)[0], **tol)
    np.testing.assert_allclose(gx, numpy_ref.backward(g, grad_out, None, (True,))[0], **tol)


@contextlib.contextmanager
def index_limit(limit: int | None):
    """Lower the flat-index limit so small tensors are launched in several plane groups."""
    with pytest.MonkeyPatch.context() as mp:
        if limit is not None:
            mp.setattr(_pool_cuda, "INDEX_LIMIT", limit)
        yield


def one_plane_per_group(g) -> int:
    """An index limit that puts each plane in a launch of its own."""
    return max(g.H * g.W, g.Ho * g.Wo) + 1


@pytest.mark.parametrize("impl", IMPLS[AVG])
@pytest.mark.parametrize("dtype", DTYPES)
@given(case=avg_pool2d_args(max_hw=7), seed=st.integers(0, 2**32 - 1), split=st.booleans())
def test_avg_pool2d_matches_cpu(impl, dtype, case, seed, split):
    shape, kwargs = case
    g = avg_decl.declare(_batched(shape), **kwargs)
    with index_limit(one_plane_per_group(g) if split else None):
        check(AVG, impl, g, dtype, seed)


@pytest.mark.parametrize("impl", IMPLS[ADAPTIVE])
@pytest.mark.parametrize("dtype", DTYPES)
@given(case=adaptive_avg_pool2d_args(max_hw=7, max_out=9), seed=st.integers(0, 2**32 - 1),
       split=st.booleans())
def test_adaptive_matches_cpu(impl, dtype, case, seed, split):
    shape, output_size = case
    g = adaptive_decl.declare(_batched(shape), output_size)
    with index_limit(one_plane_per_group(g) if split else None):
        check(ADAPTIVE, impl, g, dtype, seed)


# (op, shape, arguments after the shape)
EDGE_CASES = [
    (AVG, (1, 1, 1, 1), (1,)),                                  # every dim 1
    (AVG, (2, 3, 5, 6), (3, 1, 1)),                             # overlapping, padding
    (AVG, (1, 2, 5, 5), (3, 2, 1, True, True, None)),           # ceil_mode
    (AVG, (1, 1, 6, 7), ((1, 3), (1, 2), (0, 1), True, True, None)),  # past the padding
    (AVG, (1, 2, 7, 5), ((3, 2), (2, 3), (1, 1), True, False, None)),
    (AVG, (2, 1, 4, 6), (2, 3, 1, False, True, -3)),            # stride > kernel, override
    (AVG, (0, 2, 4, 4), (2,)),                                  # empty batch
    (ADAPTIVE, (1, 1, 1, 1), (1,)),
    (ADAPTIVE, (2, 3, 7, 5), ((3, 2),)),                        # overlapping windows
    (ADAPTIVE, (1, 2, 2, 3), ((5, 7),)),                        # repeated windows
    (ADAPTIVE, (2, 2, 6, 9), ((None, 1),)),
    (ADAPTIVE, (0, 2, 4, 4), (2,)),
]


@pytest.mark.parametrize("op, shape, args", EDGE_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_edge_cases(op, shape, args, dtype):
    for impl in IMPLS[op]:
        check(op, impl, OPS[op].declare(shape, *args), dtype)


@pytest.mark.parametrize("op, impl", CASES)
def test_plane_groups(op, impl):
    # 2x3 planes of 7x9 (outputs 4x5 or 3x4): groups of 1, 2 and then the rest.
    g = (avg_decl.declare((2, 3, 7, 9), 3, 2, 1) if op == AVG
         else adaptive_decl.declare((2, 3, 7, 9), (3, 4)))
    for limit in (64, 127, 200):
        with index_limit(limit):
            check(op, impl, g, np.float64)
    with index_limit(62):  # a 7x9 plane is 63 elements: too large to index
        with pytest.raises(RuntimeError, match="a plane of 63 elements is too large"):
            _module(op, impl).forward(g, cuda.to_device(np.ones(g.in_shape)))


@pytest.mark.parametrize("impl", IMPLS[ADAPTIVE])
def test_adaptive_to_nothing_sends_no_gradient(impl):
    g = adaptive_decl.declare((1, 2, 3, 4), (0, 2))
    mod = _module(ADAPTIVE, impl)
    out, saved = mod.forward(g, cuda.to_device(np.ones(g.in_shape)))
    assert out.shape == (1, 2, 0, 2)
    (gx,) = mod.backward(g, cuda.to_device(np.ones(g.out_shape)), saved, (True,))
    np.testing.assert_array_equal(gx.copy_to_host(), np.zeros(g.in_shape))


@pytest.mark.parametrize("op, impl", CASES)
def test_too_large_for_32_bit_window_maths_is_refused_before_launch(op, impl):
    # Adaptive windows compute i*n // m: 4096 outputs of 2**20 inputs pass 2**31. One
    # 1 x 2**20 plane is below the index limit, so only the window check can refuse it.
    g = (adaptive_decl.declare((1, 1, 1, 2**20), (1, 4096)) if op == ADAPTIVE
         else avg_decl.declare((1, 1, 1, 2**31 - 8), (1, 2**30)))
    x = cuda.device_array((1, 1, 1, 1), np.float32)  # never read: refused first
    with pytest.raises(RuntimeError, match="too large for the kernels' 32-bit"):
        _module(op, impl).forward(g, x)
    with pytest.raises(RuntimeError, match="too large for the kernels' 32-bit"):
        _module(op, impl).backward(g, cuda.device_array(g.out_shape, np.float32), None,
                                   (True,))


class _HostThreadReads(list):
    """The simulator runs each GPU thread as a Python thread whose element reads the
    counter also sees; only reads from the calling (host) thread are host reads."""

    def append(self, name):
        if threading.current_thread() is threading.main_thread():
            super().append(name)


@pytest.mark.parametrize("op, impl", CASES)
def test_no_host_reads_and_no_grad_when_not_needed(op, impl):
    mod = _module(op, impl)
    g = (avg_decl.declare((2, 2, 6, 7), 3, 2, 1, True, False) if op == AVG
         else adaptive_decl.declare((2, 2, 6, 7), (4, 3)))
    x = cuda.to_device(np.random.default_rng(0).standard_normal(g.in_shape).astype(np.float32))
    with count_device_reads() as counter:
        counter.reads = _HostThreadReads()
        out, saved = mod.forward(g, x)
        grad_out = cuda.to_device(np.ones(g.out_shape, np.float32))
        (gx,) = mod.backward(g, grad_out, saved, (True,))
        assert mod.backward(g, grad_out, saved, (False,)) == (None,)
    assert counter.reads == []
    assert out.is_c_contiguous() and gx.is_c_contiguous()


# --- through the public API -----------------------------------------------------------


@pytest.mark.parametrize("op", list(OPS))
def test_check_op_against_numpy(op):
    """minigrad.testing's checks on cuda: each CUDA version against the CPU's numpy
    implementation (values and gradients, float64 and float32) and the float64
    finite-difference check of the CUDA forward against the CUDA backward."""
    check_op(op, "cuda", max_examples=4)


@pytest.mark.parametrize("op, impl", CASES)
def test_gradcheck(op, impl):
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((1, 2, 3, 4)), dtype=minigrad.float64,
                        requires_grad=True, device="cuda")
    if op == AVG:
        def fn(t):
            return F.avg_pool2d(t, 2, stride=1, padding=1, ceil_mode=True,
                                count_include_pad=False)
    else:
        def fn(t):
            return F.adaptive_avg_pool2d(t, (2, 5))
    with minigrad.use(**{op: impl}):
        assert minigrad.gradcheck(fn, [x])
