"""avg_pool2d and adaptive_avg_pool2d: every registered CPU implementation against the
NumPy one and finite differences (check_op), an independent reference, PyTorch,
hand-computed cases, the argument checks and the layers."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.dispatch import lookup
from minigrad.ops import avg_pool2d as avg_decl
from minigrad.ops.avg_pool2d import _adaptive as adaptive_decl
from minigrad.ops.avg_pool2d.cases import adaptive_avg_pool2d_args, avg_pool2d_args
from minigrad.testing import check_op

AVG, ADAPTIVE = "avg_pool2d", "adaptive_avg_pool2d"
IMPLS = minigrad.implementations(AVG, "cpu")
assert IMPLS == minigrad.implementations(ADAPTIVE, "cpu")
seeds = st.integers(0, 2**32 - 1)


def _data(shape, seed: int, dtype=np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _run(op: str, impl: str, x: np.ndarray, grad_out_seed: int, *args, **kwargs):
    """(out, grad_x) of ``op`` through the front end with ``impl``; grad_out drawn from
    ``grad_out_seed`` in x's dtype."""
    t = minigrad.tensor(x, requires_grad=True)
    with minigrad.use(**{op: impl}):
        out = getattr(F, op)(t, *args, **kwargs)
        g = _data(out.shape, grad_out_seed, x.dtype)
        out.backward(minigrad.tensor(g))
    return out.detach().numpy(), t.grad.numpy(), g


# --- every implementation against the NumPy one, and gradcheck ------------------------


@pytest.mark.parametrize("op", [AVG, ADAPTIVE])
@pytest.mark.parametrize("impl", IMPLS)
def test_check_op(op, impl):
    """minigrad.testing's checks through the front end, with the folders' own cases:
    against NumPy in float64 and float32, and the float64 finite-difference check."""
    check_op(op, implementations=[impl])


# --- an independent reference: padded arrays and explicit window bounds --------------


def _avg_reference(x, kwargs):
    """avg_pool2d by slicing zero-padded copies: the sum of x, of an input mask and of a
    padded-input mask over each window give the sum and both counts."""
    g = avg_decl.declare(x.shape, **kwargs)
    kh, kw, sh, sw, ph, pw = g.kH, g.kW, g.sh, g.sw, g.ph, g.pw
    big = (g.Ho * sh + kh + ph, g.Wo * sw + kw + pw)
    xp = np.zeros(x.shape[:2] + big)
    inside = np.zeros(big)
    padded = np.zeros(big)
    xp[:, :, ph:ph + g.H, pw:pw + g.W] = x
    inside[ph:ph + g.H, pw:pw + g.W] = 1
    padded[:g.H + 2 * ph, :g.W + 2 * pw] = 1
    out = np.empty(g.out_shape)
    for i in range(g.Ho):
        for j in range(g.Wo):
            win = (slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw))
            if g.divisor_override:
                d = g.divisor_override
            else:
                d = (padded if g.count_include_pad else inside)[win].sum()
            out[:, :, i, j] = xp[(...,) + win].sum(axis=(2, 3)) / d
    return out


def _adaptive_reference(x, output_size):
    g = adaptive_decl.declare(x.shape, output_size)

    def edges(i, n, m):  # [floor(i*n/m), ceil((i+1)*n/m)) with exact fractions
        lo, hi = Fraction(i * n, m), Fraction((i + 1) * n, m)
        return int(lo), -int(-hi // 1)
    out = np.empty(g.out_shape)
    for i in range(g.Ho):
        h0, h1 = edges(i, g.H, g.Ho)
        for j in range(g.Wo):
            w0, w1 = edges(j, g.W, g.Wo)
            out[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return out


@pytest.mark.parametrize("impl", IMPLS)
@given(case=avg_pool2d_args(max_hw=8), seed=seeds)
def test_avg_pool2d_matches_padded_slices(impl, case, seed):
    shape, kwargs = case
    x = _data((1,) + shape if len(shape) == 3 else shape, seed)
    out, _, _ = _run(AVG, impl, x, seed, **kwargs)
    np.testing.assert_allclose(out, _avg_reference(x, kwargs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
@given(case=adaptive_avg_pool2d_args(), seed=seeds)
def test_adaptive_matches_fraction_edges(impl, case, seed):
    shape, output_size = case
    x = _data((1,) + shape if len(shape) == 3 else shape, seed)
    out, _, _ = _run(ADAPTIVE, impl, x, seed, output_size)
    np.testing.assert_allclose(out, _adaptive_reference(x, output_size), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
@given(case=avg_pool2d_args(), seed=seeds)
def test_backward_is_the_transpose_of_forward(impl, case, seed):
    """Average pooling is linear: <pool(x), G> == <x, pool'(G)> for any x and G."""
    shape, kwargs = case
    x = _data(shape, seed)
    out, grad_x, g = _run(AVG, impl, x, seed + 1, **kwargs)
    np.testing.assert_allclose((out * g).sum(), (x * grad_x).sum(), rtol=1e-10, atol=1e-10)


# --- PyTorch --------------------------------------------------------------------------


def _torch_run(op, x, g, *args, **kwargs):
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, requires_grad=True)
    out = getattr(torch.nn.functional, op)(t, *args, **kwargs)
    out.backward(torch.tensor(g))
    return out.detach().numpy(), t.grad.numpy()


def _assert_like_torch(impl, ours, theirs, exact: bool):
    """naive and numba sum in PyTorch's order and divide as it does: the same bits;
    numpy sums in another order: to rounding."""
    for got, want in zip(ours, theirs):
        assert got.shape == want.shape and got.dtype == want.dtype
        if exact and impl != "numpy":
            np.testing.assert_array_equal(got, want)
        else:
            tol = 1e-12 if got.dtype == np.float64 else 1e-5
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(case=avg_pool2d_args(max_hw=8, max_kernel=4), seed=seeds)
def test_avg_pool2d_matches_torch(impl, dtype, case, seed):
    shape, kwargs = case
    x = _data(shape, seed, dtype)
    out, grad_x, g = _run(AVG, impl, x, seed + 1, **kwargs)
    _assert_like_torch(impl, (out, grad_x), _torch_run(AVG, x, g, **kwargs), exact=True)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(case=adaptive_avg_pool2d_args(max_hw=9, max_out=10), seed=seeds)
def test_adaptive_matches_torch(impl, dtype, case, seed):
    shape, output_size = case
    x = _data(shape, seed, dtype)
    out, grad_x, g = _run(ADAPTIVE, impl, x, seed + 1, output_size)
    # PyTorch pools to 1 x 1 with a mean (another summation order): to rounding there.
    exact = out.shape[-2:] != (1, 1)
    _assert_like_torch(impl, (out, grad_x), _torch_run(ADAPTIVE, x, g, output_size), exact)


def test_torch_output_size_zero_and_larger_than_input():
    torch = pytest.importorskip("torch")
    x = _data((1, 2, 3, 2), 0)
    for size in [(0, 0), (2, 0), (7, 5), (None, 4)]:
        want = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size).numpy()
        got = F.adaptive_avg_pool2d(minigrad.tensor(x), size).numpy()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12)


# --- hand-computed cases --------------------------------------------------------------


ONES = np.ones((1, 1, 5, 5))


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_divisors(impl):
    with minigrad.use(avg_pool2d=impl):
        def pool(**kw):
            return F.avg_pool2d(minigrad.tensor(ONES), 3, 2, 1, **kw).numpy()[0, 0]
        # 3x3 windows every 2 with padding 1 on 5x5: corners hold 2x2 inputs, edges 2x3.
        np.testing.assert_allclose(pool(), [[4 / 9, 6 / 9, 4 / 9], [6 / 9, 1, 6 / 9],
                                            [4 / 9, 6 / 9, 4 / 9]], rtol=1e-15)
        np.testing.assert_array_equal(pool(count_include_pad=False), np.ones((3, 3)))
        np.testing.assert_array_equal(pool(divisor_override=2),
                                      [[2, 3, 2], [3, 4.5, 3], [2, 3, 2]])
        np.testing.assert_array_equal(pool(divisor_override=-4),
                                      [[-1, -1.5, -1], [-1.5, -2.25, -1.5], [-1, -1.5, -1]])


@pytest.mark.parametrize("impl", IMPLS)
def test_ceil_mode_never_counts_past_the_padding(impl):
    # 5 columns, kernel 2, stride 2: ceil_mode adds window [4, 6), past the input
    # (no padding): its divisor is 1 (PyTorch: the padded input ends at 5), also when
    # count_include_pad is True. With padding 1: [-1, 1), [1, 3), [3, 5), and ceil_mode's
    # [5, 7) would start in the right padding: dropped.
    x = minigrad.tensor(np.arange(5.0).reshape(1, 1, 1, 5))
    with minigrad.use(avg_pool2d=impl):
        np.testing.assert_array_equal(F.avg_pool2d(x, (1, 2), ceil_mode=True).numpy(),
                                      [[[[0.5, 2.5, 4.0]]]])
        np.testing.assert_array_equal(F.avg_pool2d(x, (1, 2), padding=(0, 1),
                                                   ceil_mode=True).numpy(),
                                      [[[[0.0, 1.5, 3.5]]]])
        # 6 columns, kernel 3, stride 2, padding 1: ceil_mode adds [5, 8), which the
        # padded input's end (7) cuts to [5, 7): one input and one padding, divisor 2.
        x6 = minigrad.tensor(np.arange(6.0).reshape(1, 1, 1, 6))
        np.testing.assert_allclose(F.avg_pool2d(x6, (1, 3), (1, 2), (0, 1)).numpy(),
                                   [[[[1 / 3, 2.0, 4.0]]]], rtol=1e-15)
        np.testing.assert_allclose(F.avg_pool2d(x6, (1, 3), (1, 2), (0, 1),
                                                ceil_mode=True).numpy(),
                                   [[[[1 / 3, 2.0, 4.0, 2.5]]]], rtol=1e-15)


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_backward_overlapping_windows_add_up(impl):
    # 3x3 windows, stride 1, padding 1, on 3x3: element (h, w) lies in as many windows as
    # its 3x3 neighbourhood has positions inside, each divided by 9.
    x = minigrad.tensor(np.zeros((1, 1, 3, 3)), requires_grad=True)
    with minigrad.use(avg_pool2d=impl):
        F.avg_pool2d(x, 3, 1, 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[0, 0],
                               [[4 / 9, 6 / 9, 4 / 9], [6 / 9, 1, 6 / 9], [4 / 9, 6 / 9, 4 / 9]],
                               rtol=1e-15)


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_adaptive_windows(impl):
    x = minigrad.tensor(np.arange(5.0).reshape(1, 1, 1, 5), requires_grad=True)
    y = minigrad.tensor(np.array([[[[2.0, 4.0]]]]), requires_grad=True)
    with minigrad.use(adaptive_avg_pool2d=impl):
        out = F.adaptive_avg_pool2d(x, (1, 3))       # [0, 2), [1, 4), [3, 5): overlapping
        out.sum().backward()
        more = F.adaptive_avg_pool2d(y, (None, 3))   # [0, 1), [0, 2), [1, 2): repeated
        more.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), [[[[0.5, 2.0, 3.5]]]])
    np.testing.assert_allclose(x.grad.numpy(), [[[[0.5, 0.5 + 1 / 3, 1 / 3, 1 / 3 + 0.5, 0.5]]]],
                               rtol=1e-15)
    np.testing.assert_array_equal(more.detach().numpy(), [[[[2.0, 3.0, 4.0]]]])
    np.testing.assert_array_equal(y.grad.numpy(), [[[[1.5, 1.5]]]])


@pytest.mark.parametrize("impl", IMPLS)
def test_adaptive_is_avg_pool_when_the_sizes_divide(impl):
    x = minigrad.tensor(_data((2, 3, 8, 12), 4))
    with minigrad.use(avg_pool2d=impl, adaptive_avg_pool2d=impl):
        # /2/2 and /4 round the same (powers of two): the same bits.
        np.testing.assert_array_equal(F.adaptive_avg_pool2d(x, (4, 6)).numpy(),
                                      F.avg_pool2d(x, 2).numpy())
        np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (2, 3)).numpy(),
                                   F.avg_pool2d(x, 4).numpy(), rtol=1e-14)
        np.testing.assert_allclose(F.adaptive_avg_pool2d(x, 1).numpy(),
                                   x.numpy().mean(axis=(2, 3), keepdims=True), rtol=1e-14)


# (n, kernel, stride, padding) -> output size with ceil_mode False / True (avg_pool2d's
# formula is max_pool2d's without dilation: ops/_pool.py's pool_out_size).
CEIL_CASES = [
    (5, 2, 2, 0, 2, 3),  # 2 windows; ceil adds [4, 6), starting inside
    (4, 2, 3, 1, 2, 2),  # ceil's [5, 7) would start in the right padding: dropped
    (5, 3, 2, 1, 3, 3),  # divisible: the same
    (1, 2, 2, 1, 1, 1),
    (8, 3, 2, 0, 3, 4),
]


@pytest.mark.parametrize("n, k, s, p, floor_out, ceil_out", CEIL_CASES)
def test_output_size_hand_cases(n, k, s, p, floor_out, ceil_out):
    for ceil_mode, expected in ((False, floor_out), (True, ceil_out)):
        g = avg_decl.declare((1, 1, n, 3), (k, 1), (s, 1), (p, 0), ceil_mode)
        assert g.out_shape == (1, 1, expected, 3)
        assert F.avg_pool2d(minigrad.tensor(np.ones((1, 1, n, 3))), (k, 1), (s, 1), (p, 0),
                            ceil_mode).shape == (1, 1, expected, 3)


# --- the front ends and the geometry ---------------------------------------------------


def test_declare_normalises():
    expected = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0),
                "ceil_mode": False, "count_include_pad": True, "divisor_override": None}
    assert avg_decl.declare((1, 1, 5, 5), 2).attrs() == expected
    assert avg_decl.declare((1, 1, 5, 5), [2, 2], (), (0,)).attrs() == expected
    assert avg_decl.declare((1, 1, 5, 5), np.int64(2), None, np.int32(0)).attrs() == expected
    g = avg_decl.declare((2, 3, 5, 7), (3, 2), (1, 2), (1, 0), True, False, np.int16(3))
    assert g.attrs() == {"kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0),
                         "ceil_mode": True, "count_include_pad": False, "divisor_override": 3}
    assert g.in_shape == (2, 3, 5, 7) and g.out_shape == (2, 3, 5, 4)
    assert adaptive_decl.declare((2, 3, 5, 7), (None, 2)).attrs() == {"output_size": (5, 2)}
    assert adaptive_decl.declare((2, 3, 5, 7), 4).out_shape == (2, 3, 4, 4)
    assert adaptive_decl.declare((2, 3, 5, 7), [0, None]).out_shape == (2, 3, 0, 7)


@pytest.mark.parametrize("op, args", [(AVG, (2,)), (ADAPTIVE, ((2, 3),))])
@pytest.mark.parametrize("impl", IMPLS)
def test_the_tape_keeps_nothing_but_the_geometry(op, args, impl):
    x = minigrad.tensor(_data((1, 2, 4, 6), 0), requires_grad=True)
    with minigrad.use(**{op: impl}):
        out = getattr(F, op)(x, *args)
    node = out._node
    assert node.saved is None and node.op == op and node.impl == impl
    assert node.attrs == node.geometry.attrs()


@pytest.mark.parametrize("impl", IMPLS)
def test_kernels_called_directly(impl):
    """The kernel contract: forward(g, x) -> (out, None); backward(g, grad, None, needs)."""
    for op, g in ((AVG, avg_decl.declare((2, 2, 5, 6), 3, 2, 1, True, False)),
                  (ADAPTIVE, adaptive_decl.declare((2, 2, 5, 6), (3, 4)))):
        with minigrad.use(**{op: impl}):
            k = lookup(op, "cpu")[1]
        x = _data(g.in_shape, 1, np.float32)
        out, saved = k.forward(g, x)
        assert saved is None and out.shape == g.out_shape and out.dtype == np.float32
        (gx,) = k.backward(g, np.ones(g.out_shape, np.float32), saved, (True,))
        assert gx.shape == g.in_shape and gx.dtype == np.float32
        assert k.backward(g, np.ones(g.out_shape, np.float32), saved, (False,)) == (None,)


@pytest.mark.parametrize("op, args", [(AVG, (2, 1, 1)), (ADAPTIVE, ((3, 2),))])
@pytest.mark.parametrize("impl", IMPLS)
def test_unbatched_input(op, args, impl):
    data = _data((2, 5, 4), 4)
    x3 = minigrad.tensor(data, requires_grad=True)
    x4 = minigrad.tensor(data[None], requires_grad=True)
    with minigrad.use(**{op: impl}):
        out3, out4 = getattr(F, op)(x3, *args), getattr(F, op)(x4, *args)
        out3.sum().backward()
        out4.sum().backward()
    assert out3.ndim == 3 and out3.shape == out4.shape[1:]
    np.testing.assert_array_equal(out3.detach().numpy(), out4.detach().numpy()[0])
    np.testing.assert_array_equal(x3.grad.numpy(), x4.grad.numpy()[0])


@pytest.mark.parametrize("op, args", [(AVG, (2,)), (ADAPTIVE, (3,))])
@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
def test_dtype_preserved_and_empty_batch(op, args, impl, dtype):
    for shape in [(1, 2, 5, 5), (0, 2, 5, 5)]:
        x = minigrad.tensor(np.ones(shape), dtype=dtype, requires_grad=True)
        with minigrad.use(**{op: impl}):
            out = getattr(F, op)(x, *args)
            out.sum().backward()
        assert out.dtype == dtype and out.detach().numpy().dtype == dtype.np
        assert out.shape[:2] == shape[:2] and x.grad.dtype == dtype and x.grad.shape == shape


@pytest.mark.parametrize("impl", IMPLS)
def test_adaptive_to_nothing_sends_no_gradient(impl):
    x = minigrad.tensor(_data((1, 2, 3, 4), 0), requires_grad=True)
    with minigrad.use(adaptive_avg_pool2d=impl):
        out = F.adaptive_avg_pool2d(x, (2, 0))
        assert out.shape == (1, 2, 2, 0)
        out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((1, 2, 3, 4)))


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_same_bits_with_1_and_2_threads(dtype):
    numba = pytest.importorskip("numba")
    x = _data((4, 6, 23, 19), 7, dtype)
    geometries = [avg_decl.declare(x.shape, 3, 1, 1), avg_decl.declare(x.shape, 2, 2, 0, True),
                  adaptive_decl.declare(x.shape, (7, 30))]
    counts = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    saved = numba.get_num_threads()
    try:
        for g, op in zip(geometries, (AVG, AVG, ADAPTIVE)):
            with minigrad.use(**{op: "numba"}):
                k = lookup(op, "cpu")[1]
            grad_out = _data(g.out_shape, 8, dtype)
            results = []
            for n in counts:
                numba.set_num_threads(n)
                results.append((k.forward(g, x)[0], k.backward(g, grad_out, None, (True,))[0]))
            for out, gx in results[1:]:
                np.testing.assert_array_equal(out, results[0][0])
                np.testing.assert_array_equal(gx, results[0][1])
    finally:
        numba.set_num_threads(saved)


# --- bad input ------------------------------------------------------------------------

AVG_BAD = [
    # (kwargs, exception, message pattern); all shape-independent but the last two
    ({"kernel_size": 0}, ValueError, "kernel_size: expected positive"),
    ({"kernel_size": (2, -1)}, ValueError, "kernel_size: expected positive"),
    ({"kernel_size": 2, "stride": 0}, ValueError, "stride: expected positive"),
    ({"kernel_size": 2, "padding": -1}, ValueError, "padding: expected non-negative"),
    ({"kernel_size": 3, "padding": 2}, ValueError, "padding: should be at most half"),
    ({"kernel_size": 2, "padding": (1, 2)}, ValueError, "padding: should be at most half"),
    ({"kernel_size": (2, 3, 4)}, ValueError, "kernel_size: expected a single int or a tuple"),
    ({"kernel_size": 2, "stride": (1, 2, 3)}, ValueError, "stride: expected a single int"),
    ({"kernel_size": True}, TypeError, "kernel_size: expected an int"),
    ({"kernel_size": 2.0}, TypeError, "kernel_size: expected an int"),
    ({"kernel_size": (2, 2.5)}, TypeError, "kernel_size: expected ints"),
    ({"kernel_size": 2, "padding": "bogus"}, TypeError, "padding: expected an int"),
    ({"kernel_size": 2, "stride": True}, TypeError, "stride: expected an int"),
    ({"kernel_size": 2, "ceil_mode": 1}, TypeError, "ceil_mode: expected a bool"),
    ({"kernel_size": 2, "count_include_pad": None}, TypeError,
     "count_include_pad: expected a bool"),
    ({"kernel_size": 2, "divisor_override": 0}, ValueError, "divisor_override: expected a nonzero"),
    ({"kernel_size": 2, "divisor_override": 1.5}, TypeError, "divisor_override: expected an int"),
    ({"kernel_size": 2, "divisor_override": True}, TypeError, "divisor_override: expected an int"),
    ({"kernel_size": 6}, ValueError, r"input: spatial size \(5, 5\) is too small"),
    ({"kernel_size": (2, 8), "padding": (0, 1)}, ValueError, "input: spatial size .* too small"),
]
LAYER_CASES = AVG_BAD[:-2]

ADAPTIVE_BAD = [
    ({"output_size": -1}, ValueError, r"output_size: expected sizes >= 0, got \(-1, -1\)"),
    ({"output_size": (2, -3)}, ValueError, "output_size: expected sizes >= 0"),
    ({"output_size": (2, 3, 4)}, ValueError, "output_size: expected an int or a tuple of 2"),
    ({"output_size": (2,)}, ValueError, "output_size: expected an int or a tuple of 2"),
    ({"output_size": 2.5}, TypeError, "output_size: expected an int or a tuple"),
    ({"output_size": True}, TypeError, "output_size: expected an int or a tuple"),
    ({"output_size": (2, "3")}, TypeError, "output_size: expected ints or None"),
    ({"output_size": None}, TypeError, "output_size: expected an int or a tuple"),
]


@pytest.mark.parametrize("op, kwargs, exc, match", [(AVG, *c) for c in AVG_BAD]
                         + [(ADAPTIVE, *c) for c in ADAPTIVE_BAD])
def test_bad_arguments(op, kwargs, exc, match):
    x = minigrad.tensor(np.zeros((1, 1, 5, 5)), requires_grad=True)
    with pytest.raises(exc, match=match):
        getattr(F, op)(x, **kwargs)


@pytest.mark.parametrize("layer, op, kwargs", [(nn.AvgPool2d, AVG, c[0]) for c in LAYER_CASES]
                         + [(nn.AdaptiveAvgPool2d, ADAPTIVE, c[0]) for c in ADAPTIVE_BAD])
def test_layers_refuse_what_the_op_refuses_with_the_same_message(layer, op, kwargs):
    x = minigrad.tensor(np.zeros((1, 1, 5, 5)))
    with pytest.raises((TypeError, ValueError)) as functional:
        getattr(F, op)(x, **kwargs)
    with pytest.raises(functional.type) as built:
        layer(**kwargs)
    assert str(built.value) == str(functional.value)


@pytest.mark.parametrize("op, args", [(AVG, (2,)), (ADAPTIVE, (2,))])
def test_bad_input_tensor(op, args):
    fn = getattr(F, op)
    with pytest.raises(TypeError, match="input"):
        fn(np.zeros((1, 1, 4, 4)), *args)
    with pytest.raises(TypeError, match="input must be a floating point"):
        fn(minigrad.tensor(np.zeros((1, 1, 4, 4), dtype=np.int64)), *args)
    for shape in [(4, 4), (1, 1, 1, 4, 4)]:
        with pytest.raises(ValueError, match="input: expected a 3-D or 4-D tensor"):
            fn(minigrad.tensor(np.zeros(shape)), *args)
    decl = avg_decl if op == AVG else adaptive_decl
    for shape in [(1, 0, 4, 4), (1, 1, 0, 4), (1, 1, 4, 0)]:
        with pytest.raises(ValueError, match="input: expected sizes C, H, W >= 1"):
            decl.declare(shape, *args)
        with pytest.raises(ValueError, match="input: expected sizes C, H, W >= 1"):
            fn(minigrad.tensor(np.zeros(shape)), *args)
    with pytest.raises(ValueError, match="input: expected a 4-D shape"):
        decl.declare((1, 4, 4), *args)


# --- the layers -----------------------------------------------------------------------


def test_avg_pool2d_layer():
    layer = nn.AvgPool2d(3, padding=1, ceil_mode=True, count_include_pad=False,
                         divisor_override=None)
    assert (layer.kernel_size, layer.stride, layer.padding) == (3, 3, 1)
    assert repr(layer) == "AvgPool2d(kernel_size=3, stride=3, padding=1)"
    assert repr(nn.AvgPool2d((2, 3), (1, 2))) == \
        "AvgPool2d(kernel_size=(2, 3), stride=(1, 2), padding=0)"
    assert list(layer.parameters()) == []
    x = minigrad.tensor(_data((2, 3, 7, 8), 0), requires_grad=True)
    out = layer(x)
    np.testing.assert_array_equal(
        out.detach().numpy(),
        F.avg_pool2d(x, 3, 3, 1, True, False).detach().numpy())
    assert out.shape == (2, 3, 3, 3)
    out.sum().backward()
    assert x.grad.shape == x.shape
    assert nn.AvgPool2d(2, divisor_override=3).divisor_override == 3


def test_adaptive_avg_pool2d_layer_as_global_pooling():
    assert repr(nn.AdaptiveAvgPool2d((3, None))) == "AdaptiveAvgPool2d(output_size=(3, None))"
    model = nn.Sequential(nn.Conv2d(2, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    x = minigrad.tensor(_data((3, 2, 9, 7), 1, np.float32))
    out = model(x)
    assert out.shape == (3, 4)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    layer = nn.AdaptiveAvgPool2d([2, None])
    assert layer.output_size == [2, None] and layer(x).shape == (3, 2, 2, 7)
