"""linear: every registered CPU implementation against the NumPy one (minigrad.testing's
check_op), against einsum and against the composition it replaced,
``matmul(x, w.T) + b``; gradient checks, empty batches and dimensions, strided inputs,
one recorded op, and the argument errors."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import profiler
from minigrad.nn.functional.linear import linear, matmul
from minigrad.ops import linear as decl
from minigrad.ops import matmul as matmul_decl
from minigrad.testing import check_op

IMPLS = minigrad.implementations("linear", "cpu")
SEEDS = st.integers(0, 2**32 - 1)


@st.composite
def linear_cases(draw, max_dim: int = 4):
    """(input_shape, weight_shape, has_bias) with input 1-D, 2-D or 3-D."""
    in_f, out_f = draw(st.integers(1, max_dim)), draw(st.integers(1, max_dim))
    lead = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    return lead + (in_f,), (out_f, in_f), draw(st.booleans())


def _rand(rng, shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def _leaves(x, w, b):
    return (minigrad.tensor(x, requires_grad=True), minigrad.tensor(w, requires_grad=True),
            None if b is None else minigrad.tensor(b, requires_grad=True))


def _grads(out, g, *leaves):
    out.backward(minigrad.tensor(g))
    return (out.detach(),) + tuple(None if t is None else t.grad for t in leaves)


def _run(impl, x, w, b, g):
    """Output and the three gradients through F.linear with ``impl`` selected."""
    tx, tw, tb = _leaves(x, w, b)
    with minigrad.use(linear=impl):
        return _grads(linear(tx, tw, tb), g, tx, tw, tb)


def _run_composition(x, w, b, g):
    """What F.linear was before it was an op: matmul, the tape's transpose and add."""
    tx, tw, tb = _leaves(x, w, b)
    out = matmul(tx, tw.transpose(0, 1))
    if tb is not None:
        out = out + tb
    return _grads(out, g, tx, tw, tb)


def _kernel(impl):
    return importlib.import_module(f"minigrad.ops.linear.{impl}")


def _case(x_shape, w_shape, has_bias, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x, w = _rand(rng, x_shape, dtype), _rand(rng, w_shape, dtype)
    b = _rand(rng, w_shape[:1], dtype) if has_bias else None
    # (*, out): not declare(...).out_shape, which would refuse the strided test's x
    # (drawn for its shape only, with an in_features that differs from w's).
    g = _rand(rng, x_shape[:-1] + w_shape[:1], dtype)
    return x, w, b, g


def _assert_all_close(got, want, rtol, atol):
    for a, e in zip(got, want):
        if e is None:
            assert a is None
            continue
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=rtol, atol=atol)


# ---------------------------------------------------------------- registry


def test_registered():
    assert {"naive", "numpy"} <= set(IMPLS)
    assert minigrad.implementations("linear", "cuda") == ["naive", "tiled", "blocked"]
    assert minigrad.dispatch.selected("linear", "cpu") == \
        minigrad.dispatch.selected("matmul", "cpu")


@pytest.mark.parametrize("impl", IMPLS)
def test_check_op(impl):
    """minigrad.testing's checks: leading dims, with and without bias, values and
    gradients against NumPy in float64 and float32, and gradcheck."""
    check_op("linear", implementations=[impl])


def test_one_recorded_op():
    x = minigrad.randn(2, 3, 4, requires_grad=True)
    w = minigrad.randn(5, 4, requires_grad=True)
    b = minigrad.randn(5, requires_grad=True)
    with profiler.profile() as prof:
        out = linear(x, w, b)
        out.sum().backward()
    assert out.grad_fn.op == "linear" and len(out.grad_fn.edges) == 3
    names = [e.name for e in prof.events()]
    assert names.count("linear") == names.count("linear backward") == 1
    assert not {"matmul", "transpose", "add"} & set(names), names


# ---------------------------------------------------------------- values and gradients


@pytest.mark.parametrize("impl", IMPLS)
@given(case=linear_cases(), seed=SEEDS)
def test_matches_einsum(impl, case, seed):
    x_shape, w_shape, has_bias = case
    x, w, b, g = _case(x_shape, w_shape, has_bias, seed)
    out, gx, gw, gb = _run(impl, x, w, b, g)
    ref = np.einsum("...i,oi->...o", x, w) + (0.0 if b is None else b)
    assert out.shape == ref.shape == x_shape[:-1] + w_shape[:1]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx.numpy(), np.einsum("...o,oi->...i", g, w), rtol=1e-12,
                               atol=1e-12)
    g2, x2 = g.reshape(-1, w_shape[0]), x.reshape(-1, w_shape[1])  # rows: all positions
    np.testing.assert_allclose(gw.numpy(), np.einsum("no,ni->oi", g2, x2), rtol=1e-12,
                               atol=1e-12)
    if b is None:
        assert gb is None
    else:
        np.testing.assert_allclose(gb.numpy(), g2.sum(axis=0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(case=linear_cases(max_dim=6), seed=SEEDS)
def test_matches_the_old_composition(impl, dtype, case, seed):
    # The op must be a drop-in for matmul(x, w.T) + b: same values, gradients, dtypes.
    x, w, b, g = _case(*case, seed, dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    _assert_all_close(_run(impl, x, w, b, g), _run_composition(x, w, b, g), tol, tol)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("x_shape", [(3,), (2, 3), (2, 2, 3)])
@pytest.mark.parametrize("has_bias", [False, True])
def test_gradcheck(impl, x_shape, has_bias):
    rng = np.random.default_rng(len(x_shape))
    x = minigrad.tensor(_rand(rng, x_shape), requires_grad=True)
    w = minigrad.tensor(_rand(rng, (2, 3)), requires_grad=True)
    args = (x, w)
    if has_bias:
        args += (minigrad.tensor(_rand(rng, (2,)), requires_grad=True),)
    with minigrad.use(linear=impl):
        assert minigrad.gradcheck(linear, args)


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_computed(impl):
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = np.array([[1.0, 0.0], [1.0, -1.0]])
    b = np.array([10.0, 20.0])
    out, gx, gw, gb = _run(impl, x, w, b, np.ones((3, 2)))
    np.testing.assert_array_equal(out.numpy(), [[11.0, 19.0], [13.0, 19.0], [15.0, 19.0]])
    np.testing.assert_array_equal(gx.numpy(), np.tile([2.0, -1.0], (3, 1)))  # G @ w
    np.testing.assert_array_equal(gw.numpy(), [[9.0, 12.0], [9.0, 12.0]])  # G^T @ x
    np.testing.assert_array_equal(gb.numpy(), [3.0, 3.0])  # G's rows summed


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("x_shape, w_shape", [
    ((0, 3), (4, 3)),  # empty batch: zero dw and db
    ((2, 0, 3), (4, 3)),  # empty among leading dims
    ((2, 0), (4, 0)),  # no input features: out = bias, dw empty, dx empty
    ((2, 3), (0, 3)),  # no output features: dx = zeros (an empty sum)
])
def test_empty_dims(impl, x_shape, w_shape):
    x, w, b, g = _case(x_shape, w_shape, True, seed=0)
    out, gx, gw, gb = _run(impl, x, w, b, g)
    assert out.shape == x_shape[:-1] + w_shape[:1]
    np.testing.assert_array_equal(out.numpy(), np.einsum("...i,oi->...o", x, w) + b)
    assert gx.shape == x_shape and gw.shape == w_shape and gb.shape == w_shape[:1]
    np.testing.assert_array_equal(gx.numpy(), np.zeros(x_shape))
    if 0 in x_shape[:-1]:
        np.testing.assert_array_equal(gw.numpy(), np.zeros(w_shape))
        np.testing.assert_array_equal(gb.numpy(), np.zeros(w_shape[:1]))


@pytest.mark.parametrize("impl", IMPLS)
def test_strided_input_and_weight(impl):
    # CPU tensors may be views: a transposed input and a weight read from a wider one.
    rng = np.random.default_rng(5)
    x, w, b, g = _case((3, 4), (5, 7), True, seed=5)
    tx = minigrad.tensor(_rand(rng, (4, 3)), requires_grad=True)
    tw = minigrad.tensor(w, requires_grad=True)
    with minigrad.use(linear=impl):
        out = linear(tx.transpose(0, 1), tw[:, 1:5], minigrad.tensor(b))
    out.backward(minigrad.tensor(g))
    xv, wv = tx.detach().numpy().T, w[:, 1:5]
    np.testing.assert_allclose(out.detach().numpy(), xv @ wv.T + b, rtol=1e-12)
    np.testing.assert_allclose(tx.grad.numpy(), (g @ wv).T, rtol=1e-12)
    want_w = np.zeros_like(w)
    want_w[:, 1:5] = g.T @ xv
    np.testing.assert_allclose(tw.grad.numpy(), want_w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("impl", IMPLS)
def test_kernel_computes_only_what_is_asked(impl):
    x, w, b, g = _case((2, 3), (4, 3), True, seed=1)
    kernel = _kernel(impl)
    geom = decl.declare(x.shape, w.shape, b.shape)
    _, saved = kernel.forward(geom, x, w, b)
    assert kernel.backward(geom, g, saved, (False, False, False)) == (None, None, None)
    gx, gw, gb = kernel.backward(geom, g, saved, (False, True, False))
    assert gx is None and gb is None
    np.testing.assert_allclose(gw, g.T @ x, rtol=1e-12)
    geom = decl.declare(x.shape, w.shape, None)
    _, saved = kernel.forward(geom, x, w, None)
    assert kernel.backward(geom, g, saved, (True, True, True))[2] is None


def test_keeps_float32():
    x = minigrad.tensor(np.ones((2, 3), np.float32))
    w = minigrad.tensor(np.ones((4, 3), np.float32))
    b = minigrad.tensor(np.ones(4, np.float32))
    out = linear(x, w, b)
    assert out.dtype == minigrad.float32
    np.testing.assert_array_equal(out.numpy(), np.full((2, 4), 4.0, np.float32))


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_same_bits_with_1_and_2_threads(dtype):
    numba = pytest.importorskip("numba")
    kernel = _kernel("numba")
    x, w, b, g = _case((3, 70, 37), (70, 37), True, seed=11, dtype=dtype)  # 5 db tasks
    counts = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    saved = numba.get_num_threads()
    geom = decl.declare(x.shape, w.shape, b.shape)
    results = []
    try:
        for n in counts:
            numba.set_num_threads(n)
            out, kept = kernel.forward(geom, x, w, b)
            results.append((out,) + tuple(kernel.backward(geom, g, kept, (True,) * 3)))
    finally:
        numba.set_num_threads(saved)
    for got in results[1:]:
        for a, ref in zip(got, results[0]):
            assert a.dtype == dtype
            np.testing.assert_array_equal(a, ref)


# ---------------------------------------------------------------- bad input


def _t(shape, dtype=np.float64):
    return minigrad.tensor(np.ones(shape, dtype))


@pytest.mark.parametrize(
    "x_shape, w_shape, b_shape, match",
    [
        ((2, 3), (4, 2), None, r"in_features.*\(2, 3\).*\(4, 2\)"),
        ((3,), (4, 2), (4,), r"in_features.*\(3,\).*\(4, 2\)"),
        ((2, 3), (4, 3), (3,), r"bias: expected shape \(4,\).*got shape \(3,\)"),
        ((2, 3), (4, 3), (1, 4), r"bias: expected shape \(4,\).*got shape \(1, 4\)"),
        ((2, 3), (3,), None, r"weight: expected a 2-D.*got shape \(3,\)"),
        ((), (4, 3), None, r"input: expected .*at least 1-D"),
    ],
)
def test_bad_shapes(x_shape, w_shape, b_shape, match):
    bias = None if b_shape is None else _t(b_shape)
    with pytest.raises(ValueError, match=match):
        linear(_t(x_shape), _t(w_shape), bias)


def test_bad_dtypes():
    with pytest.raises(TypeError, match=r"input \(.*float32\) and weight \(.*float64\)"):
        linear(_t((2, 3), np.float32), _t((4, 3)))
    with pytest.raises(TypeError, match=r"input \(.*float64\) and bias \(.*float32\)"):
        linear(_t((2, 3)), _t((4, 3)), _t((4,), np.float32))
    with pytest.raises(TypeError, match=r"input must be a floating point"):
        linear(_t((2, 3), np.int64), _t((4, 3), np.int64))
    with pytest.raises(TypeError, match=r"weight must be a floating point"):
        linear(_t((2, 3)), _t((4, 3), np.int64))
    with pytest.raises(TypeError, match=r"bias must be a Tensor, got list"):
        linear(_t((2, 3)), _t((4, 3)), [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(TypeError, match=r"weight must be a Tensor, got ndarray"):
        linear(_t((2, 3)), np.ones((4, 3)))


def test_declaration_names():
    # matmul's declaration keeps the name linear's checks had before linear was an op.
    assert matmul_decl.check_linear_args is decl.check_linear_args
    assert decl.check_linear_args((5, 2, 3), (4, 3), (4,)) == (5, 2, 4)
    assert decl.declare((3,), (4, 3), None).attrs() == {}
    with pytest.raises(TypeError, match=r"weight: expected a shape"):
        decl.check_linear_args((2, 3), 4, None)
