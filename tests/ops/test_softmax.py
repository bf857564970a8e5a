"""softmax and log_softmax: every registered implementation against the NumPy one,
gradients against finite differences, independent references (the textbook formula,
rows summing to 1, shift invariance), stability at +-1e4, and the argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.dispatch import lookup
from minigrad.nn.functional.activation import log_softmax, softmax
from minigrad.ops.softmax import declare_log_softmax, declare_softmax
from minigrad.testing import check_op, softmax_args

FRONT = {"softmax": softmax, "log_softmax": log_softmax}
DECLARE = {"softmax": declare_softmax, "log_softmax": declare_log_softmax}
# Every (op, implementation) pair that is registered, enumerated rather than listed.
CASES = [(op, impl) for op in FRONT for impl in minigrad.implementations(op, "cpu")]


def _kernels(op: str, impl: str):
    with minigrad.use(**{op: impl}):
        return lookup(op, "cpu")[1]


def _values(shape, seed: int, scale: float = 3.0, dtype=np.float64) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def _reference(op: str, x: np.ndarray, dim: int) -> np.ndarray:
    """The textbook formula, unshifted: fine for the moderate values it is used on."""
    x1 = x.reshape(x.shape or (1,))
    e = np.exp(x1)
    y = e / e.sum(axis=dim, keepdims=True)
    return (y if op == "softmax" else np.log(y)).reshape(x.shape)


seeds = st.integers(0, 2**32 - 1)


# --- every implementation against the NumPy one ---------------------------------------


@pytest.mark.parametrize("op, impl", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(case=softmax_args(), seed=seeds)
def test_kernels_match_numpy(op, impl, dtype, case, seed):
    shape, _, dim = case
    x = _values(shape, seed, dtype=dtype)
    ref, mine = _kernels(op, "numpy"), _kernels(op, impl)
    geom = DECLARE[op](x.shape, dim)
    y_ref, saved_ref = ref.forward(geom, x)
    y, saved = mine.forward(geom, x)
    assert y.shape == shape and y.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(y, y_ref, rtol=tol, atol=tol)

    g_out = _values(shape, seed + 1, scale=1.0, dtype=dtype)
    (g_ref,) = ref.backward(geom, g_out, saved_ref, (True,))
    (g,) = mine.backward(geom, g_out, saved, (True,))
    assert g.shape == shape and g.dtype == dtype
    np.testing.assert_allclose(g, g_ref, rtol=tol, atol=tol)
    assert mine.backward(geom, g_out, saved, (False,)) == (None,)


@pytest.mark.parametrize("op, impl", CASES)
def test_check_op(op, impl):
    """minigrad.testing's checks through the front end: against NumPy in float64 and
    float32, and gradcheck (0-d and empty inputs included)."""
    check_op(op, implementations=[impl])


# (shape, dim): rows (the last dimension) with ragged sizes, and a middle dimension long
# enough to be cut into two chunks of rows, so both parallel kernels and the combining
# of per-chunk partials run. Both are large enough to take the parallel path.
THREAD_CASES = [((300, 257), -1), ((2, 700, 100), 1)]


@pytest.mark.parametrize("op", [op for op in FRONT if "numba" in minigrad.implementations(op)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_same_bits_with_1_and_2_threads(op, dtype):
    numba = pytest.importorskip("numba")
    from minigrad.ops.softmax.numba import PARALLEL_MIN

    kernels = _kernels(op, "numba")
    counts = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    saved = numba.get_num_threads()
    try:
        for shape, dim in THREAD_CASES:
            x = _values(shape, 11, dtype=dtype)
            g_out = _values(shape, 12, scale=1.0, dtype=dtype)
            assert x.size >= PARALLEL_MIN
            geom = DECLARE[op](x.shape, dim)
            results = []
            for n in counts:
                numba.set_num_threads(n)
                y, kept = kernels.forward(geom, x)
                (g,) = kernels.backward(geom, g_out, kept, (True,))
                results.append((y, g))
            for y, g in results[1:]:
                np.testing.assert_array_equal(y, results[0][0])
                np.testing.assert_array_equal(g, results[0][1])
    finally:
        numba.set_num_threads(saved)


# --- independent references -------------------------------------------------------------


@pytest.mark.parametrize("op, impl", CASES)
@given(case=softmax_args(), seed=seeds)
def test_matches_textbook_formula(op, impl, case, seed):
    shape, dim, norm_dim = case
    x = _values(shape, seed)
    with minigrad.use(**{op: impl}):
        y = FRONT[op](minigrad.tensor(x), dim).numpy()
    np.testing.assert_allclose(y, _reference(op, x, norm_dim), rtol=1e-10, atol=1e-12)
    probs = y if op == "softmax" else np.exp(y)
    assert np.all((probs > 0) & (probs <= 1))
    if shape == () or shape[norm_dim] > 0:
        sums = probs.reshape(shape or (1,)).sum(axis=norm_dim)
        np.testing.assert_allclose(sums, 1.0, rtol=1e-12)


@pytest.mark.parametrize("op, impl", CASES)
@given(case=softmax_args(min_side=1), seed=seeds, shift=st.sampled_from([-1e4, 50.0, 1e4]))
def test_shift_invariance(op, impl, case, seed, shift):
    """softmax(x + c) = softmax(x), log_softmax too: the max-subtraction at work."""
    shape, dim, _ = case
    x = _values(shape, seed)
    with minigrad.use(**{op: impl}):
        y = FRONT[op](minigrad.tensor(x), dim).numpy()
        y_shifted = FRONT[op](minigrad.tensor(x + shift), dim).numpy()
    np.testing.assert_allclose(y_shifted, y, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("op, impl", CASES)
def test_hand_example(op, impl):
    # exp([0, log 2, log 3]) = [1, 2, 3]: softmax [1/6, 1/3, 1/2]; along dim 0 of the
    # transpose as well.
    x = np.array([[0.0, math.log(2.0), math.log(3.0)], [5.0, 5.0, 5.0]])
    expected = np.array([[1 / 6, 1 / 3, 1 / 2], [1 / 3, 1 / 3, 1 / 3]])
    if op == "log_softmax":
        expected = np.log(expected)
    with minigrad.use(**{op: impl}):
        np.testing.assert_allclose(FRONT[op](minigrad.tensor(x), 1).numpy(), expected, rtol=1e-14)
        np.testing.assert_allclose(FRONT[op](minigrad.tensor(x.T), -2).numpy(), expected.T,
                                   rtol=1e-14)


@pytest.mark.parametrize("impl", minigrad.implementations("softmax", "cpu"))
def test_hand_gradient_softmax(impl):
    # y = [1/4, 3/4]; the Jacobian is diag(y) - y y^T = [[3, -3], [-3, 3]] / 16, so with
    # grad_out [1, 0]: [3/16, -3/16].
    x = minigrad.tensor(np.array([[0.0, math.log(3.0)]]), requires_grad=True)
    with minigrad.use(softmax=impl):
        softmax(x, 1).backward(minigrad.tensor([[1.0, 0.0]], dtype=minigrad.float64))
    np.testing.assert_allclose(x.grad.numpy(), [[3 / 16, -3 / 16]], rtol=1e-14)


@pytest.mark.parametrize("impl", minigrad.implementations("log_softmax", "cpu"))
def test_hand_gradient_log_softmax(impl):
    # d log_softmax_i / dx_j = delta_ij - y_j with y = [1/4, 3/4]; grad_out [1, 1] gives
    # [1, 1] - 2 * y = [1/2, -1/2].
    x = minigrad.tensor(np.array([[0.0, math.log(3.0)]]), requires_grad=True)
    with minigrad.use(log_softmax=impl):
        log_softmax(x, 1).backward(minigrad.tensor([[1.0, 1.0]], dtype=minigrad.float64))
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5]], rtol=1e-14)


# --- stability, special shapes, dtypes ---------------------------------------------------


@pytest.mark.parametrize("op, impl", CASES)
@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
def test_stable_at_large_logits(op, impl, dtype):
    data = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    x = minigrad.tensor(data, dtype=dtype, requires_grad=True)
    with minigrad.use(**{op: impl}):
        y = FRONT[op](x, 1)
        y.backward(minigrad.tensor(np.arange(9.0).reshape(3, 3), dtype=dtype))
    y = y.detach().numpy()
    assert y.dtype == dtype.np and x.grad.dtype == dtype
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(x.grad.numpy()))
    expected = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]])
    if op == "softmax":
        np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-30)
    else:
        # x - logsumexp(x), with logsumexp = 1e4, -1e4 + log 3 and 1e4 + log 2.
        l2, l3 = math.log(2.0), math.log(3.0)
        expected_log = [[0.0, -2e4, -1e4], [-l3, -l3, -l3], [-l2, -l2, -2e4 - l2]]
        np.testing.assert_allclose(y, expected_log, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("op, impl", CASES)
def test_zero_dim_input(op, impl):
    # Built by reshaping so that the test does not depend on how tensor(3.0) is made.
    leaf = minigrad.tensor(np.array([3.0]), requires_grad=True)
    x = leaf.reshape(())
    assert x.shape == ()
    with minigrad.use(**{op: impl}):
        for dim in (0, -1):
            y = FRONT[op](x, dim)
            assert y.shape == ()
            assert y.item() == (1.0 if op == "softmax" else 0.0)
        y.backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), [0.0])


@pytest.mark.parametrize("op, impl", CASES)
@pytest.mark.parametrize("shape, dim", [((0, 3), 1), ((2, 0), 1), ((2, 0), 0), ((0,), 0)])
def test_empty_input(op, impl, shape, dim):
    x = minigrad.tensor(np.zeros(shape), requires_grad=True)
    with minigrad.use(**{op: impl}):
        y = FRONT[op](x, dim)
        y.sum().backward()
    assert y.shape == shape and x.grad.shape == shape


def test_tensor_methods_use_the_front_ends():
    x = minigrad.tensor(_values((2, 3), 0))
    np.testing.assert_array_equal(x.softmax(-1).numpy(), softmax(x, -1).numpy())
    np.testing.assert_array_equal(x.log_softmax(0).numpy(), log_softmax(x, 0).numpy())


@pytest.mark.parametrize("declare", list(DECLARE.values()))
def test_declare_normalises(declare):
    assert declare((2, 3), -1).attrs() == {"dim": 1}
    assert declare((2, 3, 4), np.int64(-3)).attrs() == {"dim": 0}
    assert declare((), -1).attrs() == {"dim": 0}
    assert declare((5,), 0).attrs() == {"dim": 0}
    # The geometry: (shape, dim, outer, n, inner), a 0-d input one row of one element.
    assert declare((2, 3, 4), -2) == ((2, 3, 4), 1, 2, 3, 4)
    assert declare((), 0) == ((), 0, 1, 1, 1)


# --- bad input ----------------------------------------------------------------------------

BAD_DIMS = [
    # IndexError, PyTorch's type (each is also a ValueError, minigrad's before).
    ((2, 3), 2, IndexError, r"dim: out of range, expected an int in \[-2, 1\] .* got 2"),
    ((2, 3), -3, IndexError, r"dim: out of range, expected an int in \[-2, 1\]"),
    ((), 1, IndexError, r"dim: out of range, expected an int in \[-1, 0\]"),
    ((4,), -2, IndexError, r"dim: out of range, expected an int in \[-1, 0\]"),
    ((2, 3), 1.0, TypeError, "dim: expected an int, got float"),
    ((2, 3), True, TypeError, "dim: expected an int, got bool"),
    ((2, 3), None, TypeError, "dim: expected an int, got NoneType"),
    ((2, 3), "1", TypeError, "dim: expected an int, got str"),
]


@pytest.mark.parametrize("op", list(FRONT))
@pytest.mark.parametrize("shape, dim, exc, match", BAD_DIMS)
def test_bad_dim(op, shape, dim, exc, match):
    with pytest.raises(exc, match=match):
        FRONT[op](minigrad.tensor(np.zeros(shape)), dim)


@pytest.mark.parametrize("op", list(FRONT))
def test_bad_input(op):
    with pytest.raises(TypeError, match="input must be a Tensor, got ndarray"):
        FRONT[op](np.zeros((2, 3)), 1)
    with pytest.raises(TypeError, match="input must be a floating point tensor"):
        FRONT[op](minigrad.tensor(np.zeros((2, 3), dtype=np.int64)), 1)
    with pytest.raises(TypeError, match="input must be a floating point tensor"):
        FRONT[op](minigrad.tensor([True, False]), 0)
