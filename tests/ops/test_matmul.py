"""matmul: every registered implementation against the NumPy one, gradient checks, an
independent einsum reference for the NumPy one, the declaration's no-copy normal form,
and the argument errors. linear, an op of its own, is in test_linear.py."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.nn.functional.linear import matmul
from minigrad.ops import matmul as decl
from minigrad.ops.matmul import _batched
from minigrad.testing import check_op, matmul_shapes

IMPLS = minigrad.implementations("matmul", "cpu")
SEEDS = st.integers(0, 2**32 - 1)


# ---------------------------------------------------------------- helpers


def _einsum_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """torch.matmul's semantics spelled as einsum subscripts (its ... broadcasts)."""
    spec = {
        (True, True): "k,k->",
        (True, False): "k,...km->...m",
        (False, True): "...nk,k->...n",
        (False, False): "...nk,...km->...nm",
    }[(a.ndim == 1, b.ndim == 1)]
    return np.asarray(np.einsum(spec, a, b))


def _rand(rng, shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def _run_matmul(impl, a, b, g):
    """Output and both gradients through the front end with ``impl`` selected."""
    ta = minigrad.tensor(a, requires_grad=True)
    tb = minigrad.tensor(b, requires_grad=True)
    with minigrad.use(matmul=impl):
        out = matmul(ta, tb)
        out.backward(minigrad.tensor(g))
    return out.detach(), ta.grad, tb.grad


def _kernel_module(impl):
    return importlib.import_module(f"minigrad.ops.matmul.{impl}")


# ---------------------------------------------------------------- registry


def test_registered():
    assert {"naive", "numpy"} <= set(IMPLS)


# Every shape rule at least once, whatever Hypothesis draws: (input, other).
SHAPE_CASES = [
    ((3,), (3,)),  # dot
    ((2, 3), (3,)),  # matrix @ vector
    ((3,), (3, 2)),  # vector @ matrix
    ((2, 3), (3, 4)),  # matrix @ matrix
    ((4, 2, 3), (3, 2)),  # batch @ matrix: folded into one product
    ((2, 3), (4, 3, 2)),  # matrix @ batch
    ((3,), (2, 1, 3, 2)),  # vector @ batch
    ((2, 2, 3), (3,)),  # batch @ vector
    ((2, 2, 3), (2, 3, 2)),  # same batch
    ((2, 1, 2, 3), (3, 3, 2)),  # broadcast both ways, different ranks
    ((3, 1, 1, 2), (2, 2, 1)),  # size-1 dims on both sides, n = m = 1
    ((1, 2, 3), (1, 1, 3, 2)),  # all batch dims 1
]


# ---------------------------------------------------------------- every impl vs numpy


def _check_against_numpy(impl, a_shape, b_shape, seed):
    rng = np.random.default_rng(seed)
    a, b = _rand(rng, a_shape), _rand(rng, b_shape)
    g = _rand(rng, decl.declare(a_shape, b_shape).out_shape)
    out, ga, gb = _run_matmul(impl, a, b, g)
    ref_out, ref_ga, ref_gb = _run_matmul("numpy", a, b, g)
    assert out.dtype == minigrad.float64
    assert out.shape == ref_out.shape == np.matmul(a, b).shape
    np.testing.assert_allclose(out.numpy(), ref_out.numpy(), rtol=1e-12, atol=1e-12)
    assert ga.shape == a_shape and gb.shape == b_shape
    np.testing.assert_allclose(ga.numpy(), ref_ga.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), ref_gb.numpy(), rtol=1e-12, atol=1e-12)


def _gradcheck(impl, a_shape, b_shape, seed):
    rng = np.random.default_rng(seed)
    a = minigrad.tensor(_rand(rng, a_shape), requires_grad=True)
    b = minigrad.tensor(_rand(rng, b_shape), requires_grad=True)
    with minigrad.use(matmul=impl):
        assert minigrad.gradcheck(matmul, (a, b))


@pytest.mark.parametrize("impl", IMPLS)
def test_check_op(impl):
    """minigrad.testing's checks: every torch.matmul shape rule drawn, values and
    gradients against NumPy in float64 and float32, and gradcheck."""
    check_op("matmul", implementations=[impl])


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("a_shape, b_shape", SHAPE_CASES)
def test_matches_numpy_impl_each_rule(impl, a_shape, b_shape):
    _check_against_numpy(impl, a_shape, b_shape, seed=len(a_shape) * 10 + len(b_shape))


@pytest.mark.parametrize("impl", IMPLS)
@given(shapes=matmul_shapes(), seed=SEEDS)
def test_float32_keeps_dtype(impl, shapes, seed):
    a_shape, b_shape = shapes
    rng = np.random.default_rng(seed)
    a, b = _rand(rng, a_shape, np.float32), _rand(rng, b_shape, np.float32)
    g = _rand(rng, decl.declare(a_shape, b_shape).out_shape, np.float32)
    out, ga, gb = _run_matmul(impl, a, b, g)
    assert out.dtype == ga.dtype == gb.dtype == minigrad.float32
    assert out.numpy().dtype == ga.numpy().dtype == gb.numpy().dtype == np.float32
    ref = _einsum_matmul(a.astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("a_shape, b_shape", SHAPE_CASES)
def test_gradcheck_each_rule(impl, a_shape, b_shape):
    _gradcheck(impl, a_shape, b_shape, seed=0)


@pytest.mark.parametrize("impl", IMPLS)
def test_one_input_needs_grad(impl):
    rng = np.random.default_rng(0)
    a, b, g = _rand(rng, (2, 3, 4)), _rand(rng, (2, 4, 2)), _rand(rng, (2, 3, 2))
    ta = minigrad.tensor(a, requires_grad=True)
    tb = minigrad.tensor(b)
    with minigrad.use(matmul=impl):
        matmul(ta, tb).backward(minigrad.tensor(g))
    assert tb.grad is None
    np.testing.assert_allclose(ta.grad.numpy(), np.einsum("snm,skm->snk", g, b), rtol=1e-12)
    # The kernel itself may skip an unneeded gradient, and must skip it as None.
    kernel = _kernel_module(impl)
    geom = decl.declare(a.shape, b.shape)
    _, saved = kernel.forward(geom, a, b)
    grad_a, grad_b = kernel.backward(geom, g, saved, (False, True))
    assert grad_a is None
    np.testing.assert_allclose(grad_b, np.einsum("snk,snm->skm", a, g), rtol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize(
    "a_shape, b_shape",
    [((2, 0), (0, 3)), ((0, 3), (3, 2)), ((2, 3), (3, 0)), ((0,), (0,)), ((0, 2, 3), (3, 2))],
)
def test_empty_dims(impl, a_shape, b_shape):
    # k == 0 is an empty sum: zeros, as PyTorch.
    rng = np.random.default_rng(0)
    a, b = _rand(rng, a_shape), _rand(rng, b_shape)
    g = _rand(rng, decl.declare(a_shape, b_shape).out_shape)
    out, ga, gb = _run_matmul(impl, a, b, g)
    np.testing.assert_array_equal(out.numpy(), _einsum_matmul(a, b))
    assert ga.shape == a_shape and gb.shape == b_shape


@pytest.mark.parametrize("impl", IMPLS)
def test_nan_and_inf_like_numpy(impl):
    # Edge tiles of the blocked kernels compute on zero padding: an inf next to the
    # padding must not leak a NaN (inf * 0) into the stored part, and NaN/inf must
    # reach exactly the outputs they reach in NumPy.
    rng = np.random.default_rng(3)
    a, b = _rand(rng, (5, 7)), _rand(rng, (7, 70))
    a[4, 2] = np.nan  # last row: inside the edge tile of rows
    b[3, 69] = np.inf  # last column: inside the edge tile of columns
    b[5, 0] = -np.inf
    g = _rand(rng, (5, 70))
    g[0, 69] = np.inf
    out, ga, gb = _run_matmul(impl, a, b, g)
    ref_out, ref_ga, ref_gb = _run_matmul("numpy", a, b, g)
    for got, ref in ((out, ref_out), (ga, ref_ga), (gb, ref_gb)):
        np.testing.assert_array_equal(np.isnan(got.numpy()), np.isnan(ref.numpy()))
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


# Several row tiles, column panels and depth blocks of the numba kernel, with edges:
# 2-D (one folded product), and a batch with broadcast (stride-0) operands.
THREAD_CASES = [((70, 300), (300, 130)), ((3, 1, 37, 260), (2, 260, 70))]


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_same_bits_with_1_and_2_threads(dtype):
    numba = pytest.importorskip("numba")
    kernel = _kernel_module("numba")
    rng = np.random.default_rng(11)
    counts = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    saved = numba.get_num_threads()
    try:
        for a_shape, b_shape in THREAD_CASES:
            a, b = _rand(rng, a_shape, dtype), _rand(rng, b_shape, dtype)
            geom = decl.declare(a_shape, b_shape)
            g = _rand(rng, geom.out_shape, dtype)
            results = []
            for n in counts:
                numba.set_num_threads(n)
                out, kept = kernel.forward(geom, a, b)
                results.append((out,) + tuple(kernel.backward(geom, g, kept, (True, True))))
            for got in results[1:]:
                for x, ref in zip(got, results[0]):
                    assert x.dtype == dtype
                    np.testing.assert_array_equal(x, ref)
    finally:
        numba.set_num_threads(saved)


# ---------------------------------------------------------------- independent reference


@given(shapes=matmul_shapes(), seed=SEEDS)
def test_numpy_impl_matches_einsum(shapes, seed):
    """Values against einsum; gradients through the bilinear identity
    <G, d(A @ B)> = <G, dA @ B + A @ dB> = <gA, dA> + <gB, dB> for random dA, dB,
    with the products taken by einsum, so no code is shared with the kernel."""
    a_shape, b_shape = shapes
    rng = np.random.default_rng(seed)
    a, b = _rand(rng, a_shape), _rand(rng, b_shape)
    g = _rand(rng, decl.declare(a_shape, b_shape).out_shape)
    out, ga, gb = _run_matmul("numpy", a, b, g)
    ref = _einsum_matmul(a, b)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)
    da, db = _rand(rng, a_shape), _rand(rng, b_shape)
    lhs = np.sum(g * (_einsum_matmul(da, b) + _einsum_matmul(a, db)))
    rhs = np.sum(ga.numpy() * da) + np.sum(gb.numpy() * db)
    np.testing.assert_allclose(rhs, lhs, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_computed(impl):
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[5.0, 6.0], [7.0, 8.0]])
    out, ga, gb = _run_matmul(impl, a, b, np.ones((2, 2)))
    np.testing.assert_array_equal(out.numpy(), [[19.0, 22.0], [43.0, 50.0]])
    np.testing.assert_array_equal(ga.numpy(), [[11.0, 15.0], [11.0, 15.0]])  # G @ B^T
    np.testing.assert_array_equal(gb.numpy(), [[4.0, 4.0], [6.0, 6.0]])  # A^T @ G

    # 1-D x 1-D: the dot product, a 0-d result.
    out, ga, gb = _run_matmul(impl, np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]),
                              np.array(2.0))
    assert out.shape == ()
    assert out.numpy() == 32.0
    np.testing.assert_array_equal(ga.numpy(), [8.0, 10.0, 12.0])
    np.testing.assert_array_equal(gb.numpy(), [2.0, 4.0, 6.0])

    # (1, 2) against a batch of 3 (2, 1) columns: input's gradient sums the batch.
    a = np.array([[1.0, 2.0]])
    b = np.arange(6.0).reshape(3, 2, 1)  # columns [0,1], [2,3], [4,5]
    out, ga, gb = _run_matmul(impl, a, b, np.ones((3, 1, 1)))
    np.testing.assert_array_equal(out.numpy().ravel(), [2.0, 8.0, 14.0])
    np.testing.assert_array_equal(ga.numpy(), [[6.0, 9.0]])
    np.testing.assert_array_equal(gb.numpy(), np.tile([[1.0], [2.0]], (3, 1, 1)))


def test_matmul_operator():
    rng = np.random.default_rng(0)
    a, b = _rand(rng, (2, 3)), _rand(rng, (3, 4))
    out = minigrad.tensor(a) @ minigrad.tensor(b)
    np.testing.assert_allclose(out.numpy(), _einsum_matmul(a, b), rtol=1e-12)


# ---------------------------------------------------------------- the normal form


def test_normal_form_avoids_copies():
    a, b = np.ones((3, 4)), np.ones((4, 2))
    a3, b3 = _batched.to_batched(decl.declare(a.shape, b.shape), a, b)
    assert a3.shape == (1, 3, 4) and b3.shape == (1, 4, 2)
    assert np.shares_memory(a3, a) and np.shares_memory(b3, b)

    # A batch against one matrix folds into a single (B*n, k) x (k, m) product.
    a = np.ones((5, 3, 4))
    a3, b3 = _batched.to_batched(decl.declare(a.shape, b.shape), a, b)
    assert a3.shape == (1, 15, 4) and b3.shape == (1, 4, 2)
    assert np.shares_memory(a3, a) and np.shares_memory(b3, b)

    # One matrix against a batch is a stride-0 view, not B copies.
    a, b = np.ones((3, 4)), np.ones((2, 5, 4, 2))
    a3, b3 = _batched.to_batched(decl.declare(a.shape, b.shape), a, b)
    assert a3.shape == (10, 3, 4) and b3.shape == (10, 4, 2)
    assert np.shares_memory(a3, a) and np.shares_memory(b3, b)


# ---------------------------------------------------------------- bad input


def _t(shape, dtype=np.float64):
    return minigrad.tensor(np.ones(shape, dtype))


@pytest.mark.parametrize(
    "a_shape, b_shape, match",
    [
        ((2, 3), (4, 5), r"cannot be multiplied.*\(2, 3\).*\(4, 5\)"),
        ((3,), (4,), r"cannot be multiplied.*\(3,\).*\(4,\)"),
        ((2, 3), (4,), r"cannot be multiplied.*\(2, 3\).*\(4,\)"),
        ((3,), (4, 5), r"cannot be multiplied.*\(3,\).*\(4, 5\)"),
        ((2, 2, 3), (2, 4, 5), r"cannot be multiplied.*\(2, 2, 3\).*\(2, 4, 5\)"),
        ((), (3,), r"at least 1-D.*input of shape \(\).*other of shape \(3,\)"),
        ((3,), (), r"at least 1-D.*input of shape \(3,\).*other of shape \(\)"),
        ((2, 2, 3), (3, 3, 4), r"batch dimensions.*\(2, 2, 3\).*\(3, 3, 4\)"),
    ],
)
def test_matmul_bad_shapes(a_shape, b_shape, match):
    with pytest.raises(ValueError, match=match):
        matmul(_t(a_shape), _t(b_shape))


def test_matmul_bad_dtypes():
    with pytest.raises(TypeError, match=r"input \(.*float32\) and other \(.*float64\)"):
        matmul(_t((2, 3), np.float32), _t((3, 4)))
    with pytest.raises(TypeError, match=r"input must be a floating point"):
        matmul(_t((2, 3), np.int64), _t((3, 4), np.int64))
    with pytest.raises(TypeError, match=r"other must be a floating point"):
        matmul(_t((2, 3)), _t((3, 4), np.int64))
    with pytest.raises(TypeError, match=r"other must be a Tensor, got ndarray"):
        matmul(_t((2, 3)), np.ones((3, 4)))
