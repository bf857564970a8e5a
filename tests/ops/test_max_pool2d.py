"""max_pool2d: every registered implementation against the NumPy one, gradients against
finite differences, hand-computed references, and the argument checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.dispatch import lookup
from minigrad.nn.functional import max_pool2d
from minigrad.ops.max_pool2d import declare
from minigrad.testing import check_op, pool2d_args

OP = "max_pool2d"
IMPLS = minigrad.implementations(OP, "cpu")


def _kernels(impl: str):
    with minigrad.use(**{OP: impl}):
        return lookup(OP, "cpu")[1]


def distinct(shape, seed: int, dtype=np.float64) -> np.ndarray:
    """Distinct values 0.1 apart (ties would make the gradient ambiguous, and the gap
    keeps finite differences from changing any window's winner)."""
    n = int(np.prod(shape))
    values = np.random.default_rng(seed).permutation(n).astype(np.float64) * 0.1 - n * 0.05
    return values.reshape(shape).astype(dtype)


seeds = st.integers(0, 2**32 - 1)


# --- every implementation against the NumPy one ---------------------------------------


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(case=pool2d_args(), seed=seeds)
def test_kernels_match_numpy(impl, dtype, case, seed):
    shape, _, attrs = case
    geom = declare(shape, **attrs)
    x = distinct(shape, seed, dtype)
    ref, mine = _kernels("numpy"), _kernels(impl)
    (out_ref, idx_ref), saved_ref = ref.forward(geom, x)
    (out, idx), saved = mine.forward(geom, x)
    assert out.shape == geom.out_shape and out.dtype == dtype
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(out, out_ref)
    np.testing.assert_array_equal(idx, idx_ref)

    grad_out = np.random.default_rng(seed + 1).standard_normal(out.shape).astype(dtype)
    (g_ref,) = ref.backward(geom, grad_out, saved_ref, (True,))
    (g,) = mine.backward(geom, grad_out, saved, (True,))
    assert g.shape == shape and g.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(g, g_ref, rtol=tol, atol=tol)
    assert mine.backward(geom, grad_out, saved, (False,)) == (None,)


@pytest.mark.parametrize("impl", IMPLS)
def test_check_op(impl):
    """minigrad.testing's checks through the front end (return_indices=True, so the
    indices are compared too): against NumPy in float64 and float32, and gradcheck on
    distinct values."""
    check_op(OP, implementations=[impl])


@pytest.mark.parametrize("impl", IMPLS)
@given(case=pool2d_args(), seed=seeds)
def test_each_output_is_its_window_max(impl, case, seed):
    """An independent reference: slice each window out of the padded input directly."""
    shape, kwargs, attrs = case
    x = distinct(shape, seed)
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(minigrad.tensor(x), **kwargs, return_indices=True)
    out, idx = out.detach().numpy(), idx.detach().numpy()
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = (
        attrs["kernel_size"], attrs["stride"], attrs["padding"], attrs["dilation"])
    big = out.shape[2] * sh + kh * dh + ph, out.shape[3] * sw + kw * dw + pw
    xp = np.full(shape[:2] + big, -np.inf)
    xp[:, :, ph:ph + shape[2], pw:pw + shape[3]] = x
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            window = xp[:, :, i * sh:i * sh + kh * dh:dh, j * sw:j * sw + kw * dw:dw]
            np.testing.assert_array_equal(out[:, :, i, j], window.max(axis=(2, 3)))
    # The index points at the winning input element.
    planes = x.reshape(shape[0], shape[1], -1)
    picked = np.take_along_axis(planes, idx.reshape(shape[0], shape[1], -1), axis=2)
    np.testing.assert_array_equal(picked.reshape(out.shape), out)


# (kernel_size, stride, padding, dilation, ceil_mode): overlapping windows (backward adds
# into the same element), borders in the padding, the 2x2 stride-2 fast path.
THREAD_CASES = [(3, 1, 1, 1, False), (2, 2, 0, 1, True), ((3, 2), (2, 1), (1, 1), (2, 1), True)]


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_same_bits_with_1_and_2_threads(dtype):
    numba = pytest.importorskip("numba")
    kernels = _kernels("numba")
    rng = np.random.default_rng(7)
    # Rounded normals: many ties, so the scan order matters too.
    x = np.round(rng.standard_normal((4, 6, 23, 19)) * 4).astype(dtype)
    counts = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    saved = numba.get_num_threads()
    try:
        for case in THREAD_CASES:
            geom = declare(x.shape, *case)
            grad_out = rng.standard_normal(geom.out_shape).astype(dtype)
            results = []
            for n in counts:
                numba.set_num_threads(n)
                (out, idx), kept = kernels.forward(geom, x)
                (gx,) = kernels.backward(geom, grad_out, kept, (True,))
                results.append((out, idx, gx))
            for out, idx, gx in results[1:]:
                np.testing.assert_array_equal(out, results[0][0])
                np.testing.assert_array_equal(idx, results[0][1])
                np.testing.assert_array_equal(gx, results[0][2])
    finally:
        numba.set_num_threads(saved)


# --- hand-computed references ------------------------------------------------------------


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_example_non_overlapping(impl):
    x = minigrad.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(x, 2, return_indices=True)
        out.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), [[[[5.0, 7.0], [13.0, 15.0]]]])
    np.testing.assert_array_equal(idx.detach().numpy(), [[[[5, 7], [13, 15]]]])
    expected = np.zeros((4, 4))
    expected[[1, 1, 3, 3], [1, 3, 1, 3]] = 1.0
    np.testing.assert_array_equal(x.grad.detach().numpy()[0, 0], expected)


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_example_overlapping_windows_add_up(impl):
    # 3x3 windows, stride 1, padding 1: all nine windows contain the centre, the max.
    data = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]]).reshape(1, 1, 3, 3)
    x = minigrad.tensor(data, requires_grad=True)
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(x, 3, stride=1, padding=1, return_indices=True)
        (out * minigrad.tensor(np.arange(1.0, 10.0).reshape(1, 1, 3, 3))).sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), np.full((1, 1, 3, 3), 9.0))
    np.testing.assert_array_equal(idx.detach().numpy(), np.full((1, 1, 3, 3), 4))
    expected = np.zeros((3, 3))
    expected[1, 1] = 45.0  # 1 + 2 + ... + 9
    np.testing.assert_array_equal(x.grad.detach().numpy()[0, 0], expected)


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_example_dilation_and_stride(impl):
    # 5x5 arange, kernel 2 dilated by 2, stride 3: windows take rows/cols {0, 2}, {3, 5}.
    # Only {0, 2} fits inside; ceil_mode keeps the second (it starts at 3 < 5), whose
    # tap 5 is padding.
    data = np.arange(25.0).reshape(1, 1, 5, 5)
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(minigrad.tensor(data), 2, 3, 0, 2, return_indices=True)
        out_c, idx_c = max_pool2d(minigrad.tensor(data), 2, 3, 0, 2, ceil_mode=True,
                                  return_indices=True)
    np.testing.assert_array_equal(out.detach().numpy(), [[[[12.0]]]])  # rows/cols {0, 2}
    np.testing.assert_array_equal(idx.detach().numpy(), [[[[12]]]])
    # x[h, w] = 5h + w: maxima at (2, 2), (2, 3), (3, 2), (3, 3).
    np.testing.assert_array_equal(out_c.numpy(), [[[[12.0, 13.0], [17.0, 18.0]]]])
    np.testing.assert_array_equal(idx_c.numpy(), [[[[12, 13], [17, 18]]]])


@pytest.mark.parametrize("impl", IMPLS)
def test_ties_pick_first_in_scan_order(impl):
    # PyTorch: max_pool2d(ones(1,1,2,2), 2, 1, 1, return_indices=True)[1]
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(minigrad.tensor(np.ones((1, 1, 2, 2))), 2, 1, 1,
                              return_indices=True)
    np.testing.assert_array_equal(out.detach().numpy(), np.ones((1, 1, 3, 3)))
    np.testing.assert_array_equal(idx.detach().numpy()[0, 0], [[0, 0, 1], [0, 0, 1], [2, 2, 3]])


@pytest.mark.parametrize("impl", IMPLS)
def test_all_minus_inf_points_inside_the_input(impl):
    # Padding is -inf too, but the index must name an input element (as PyTorch).
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(minigrad.tensor(np.full((1, 1, 2, 2), -np.inf)), 2, 1, 1,
                              return_indices=True)
    assert np.all(np.isneginf(out.detach().numpy()))
    np.testing.assert_array_equal(idx.detach().numpy()[0, 0], [[0, 0, 1], [0, 0, 1], [2, 2, 3]])


@pytest.mark.parametrize("impl", IMPLS)
def test_nan_wins_last_one(impl):
    # PyTorch: max_pool2d([[nan, 1], [nan, 2]], 2) -> nan at index 2.
    data = np.array([[np.nan, 1.0], [np.nan, 2.0]]).reshape(1, 1, 2, 2)
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(minigrad.tensor(data), 2, return_indices=True)
    assert np.isnan(out.detach().numpy()).all()
    np.testing.assert_array_equal(idx.detach().numpy(), [[[[2]]]])


# (n, kernel, stride, padding, dilation) -> output size with ceil_mode=False / True.
# With N = n + 2p - d(k-1) - 1: floor gives N // s + 1; ceil gives (N + s - 1) // s + 1,
# minus 1 when its last window would start in the right padding, (out-1)*s >= n + p.
CEIL_CASES = [
    (5, 2, 2, 0, 1, 2, 3),  # N=3: 1+1; ceil 2+1, 2*2 = 4 < 5 kept
    (6, 3, 2, 1, 1, 3, 4),  # N=5: 2+1; ceil 3+1, 3*2 = 6 < 7 kept
    (5, 3, 2, 1, 1, 3, 3),  # N=4, divisible: both 3
    (4, 2, 3, 1, 1, 2, 2),  # N=4: 1+1; ceil 2+1, but 2*3 = 6 >= 5 dropped: 2
    (7, 3, 3, 1, 1, 3, 3),  # N=6, divisible: both 3
    (1, 2, 2, 1, 1, 1, 1),  # N=1: 0+1; ceil 1+1, but 1*2 = 2 >= 2 dropped: 1
    (5, 2, 3, 0, 2, 1, 2),  # N=2: 0+1; ceil 1+1, 1*3 = 3 < 5 kept
    (8, 3, 2, 0, 1, 3, 4),  # N=5: 2+1; ceil 3+1, 3*2 = 6 < 8 kept
]


@pytest.mark.parametrize("n, k, s, p, d, floor_out, ceil_out", CEIL_CASES)
def test_output_size_hand_cases(n, k, s, p, d, floor_out, ceil_out):
    for ceil_mode, expected in ((False, floor_out), (True, ceil_out)):
        geom = declare((1, 1, n, 3), (k, 1), (s, 1), (p, 0), (d, 1), ceil_mode)
        assert geom.out_shape == (1, 1, expected, 3)
        x = minigrad.tensor(distinct((1, 1, n, 3), 0))
        out = max_pool2d(x, (k, 1), (s, 1), (p, 0), (d, 1), ceil_mode)
        assert out.shape == (1, 1, expected, 3)


# --- the front end ------------------------------------------------------------------------


def test_return_indices_and_default_stride():
    x = minigrad.tensor(distinct((1, 2, 6, 6), 3))
    out = max_pool2d(x, 3)
    assert isinstance(out, minigrad.Tensor) and out.shape == (1, 2, 2, 2)
    both = max_pool2d(x, 3, return_indices=True)
    assert isinstance(both, tuple) and len(both) == 2
    assert both[1].dtype == minigrad.int64 and both[1].shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(both[0].numpy(), out.detach().numpy())
    np.testing.assert_array_equal(max_pool2d(x, 3, stride=3).numpy(), out.detach().numpy())


@pytest.mark.parametrize("impl", IMPLS)
def test_unbatched_input(impl):
    data = distinct((2, 5, 5), 4)
    x3 = minigrad.tensor(data, requires_grad=True)
    x4 = minigrad.tensor(data[None], requires_grad=True)
    with minigrad.use(**{OP: impl}):
        out3, idx3 = max_pool2d(x3, 2, 1, 1, return_indices=True)
        out4, idx4 = max_pool2d(x4, 2, 1, 1, return_indices=True)
        out3.sum().backward()
        out4.sum().backward()
    assert out3.shape == (2, 6, 6) and idx3.shape == (2, 6, 6)
    np.testing.assert_array_equal(out3.detach().numpy(), out4.detach().numpy()[0])
    np.testing.assert_array_equal(idx3.numpy(), idx4.numpy()[0])
    assert x3.grad.shape == (2, 5, 5)
    np.testing.assert_array_equal(x3.grad.detach().numpy(), x4.grad.detach().numpy()[0])


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
def test_dtype_preserved(impl, dtype):
    x = minigrad.tensor(distinct((1, 1, 5, 5), 5), dtype=dtype, requires_grad=True)
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(x, 2, ceil_mode=True, return_indices=True)
        out.sum().backward()
    assert out.dtype == dtype and out.detach().numpy().dtype == dtype.np
    assert idx.dtype == minigrad.int64
    assert x.grad.dtype == dtype


@pytest.mark.parametrize("impl", IMPLS)
def test_empty_batch(impl):
    # PyTorch allows a batch of 0 (but no other zero size).
    x = minigrad.tensor(np.zeros((0, 2, 5, 5)), requires_grad=True)
    with minigrad.use(**{OP: impl}):
        out, idx = max_pool2d(x, 2, return_indices=True)
        out.sum().backward()
    assert out.shape == (0, 2, 2, 2) and idx.shape == (0, 2, 2, 2)
    assert x.grad.shape == (0, 2, 5, 5)


def test_declare_normalises():
    expected = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0),
                "dilation": (1, 1), "ceil_mode": False}
    assert declare((1, 1, 5, 5), 2).attrs() == expected
    assert declare((1, 1, 5, 5), [2, 2], (), (0,), 1).attrs() == expected
    assert declare((1, 1, 5, 5), np.int64(2), None, np.int32(0)).attrs() == expected
    assert declare((1, 1, 5, 7), (3, 2), (1, 2), (1, 0), (2, 1), True).attrs() == {
        "kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0),
        "dilation": (2, 1), "ceil_mode": True}


# --- bad input ----------------------------------------------------------------------------

BAD_ARGS = [
    # (kwargs, exception, message pattern)
    ({"kernel_size": 0}, ValueError, "kernel_size: expected positive"),
    ({"kernel_size": (2, -1)}, ValueError, "kernel_size: expected positive"),
    ({"kernel_size": 2, "stride": 0}, ValueError, "stride: expected positive"),
    ({"kernel_size": 2, "stride": (1, -1)}, ValueError, "stride: expected positive"),
    ({"kernel_size": 2, "padding": -1}, ValueError, "padding: expected non-negative"),
    ({"kernel_size": 3, "padding": 2}, ValueError, "padding: should be at most half"),
    ({"kernel_size": 2, "padding": (1, 2)}, ValueError, "padding: should be at most half"),
    # The rule is on the undilated kernel: dilation does not allow more padding.
    ({"kernel_size": 2, "padding": 2, "dilation": 3}, ValueError, "padding: should be at most"),
    ({"kernel_size": 2, "dilation": 0}, ValueError, "dilation: expected positive"),
    ({"kernel_size": 6}, ValueError, r"input: spatial size \(5, 5\) is too small"),
    ({"kernel_size": 3, "dilation": 3}, ValueError, "input: spatial size .* too small"),
    ({"kernel_size": (2, 3, 4)}, ValueError, "kernel_size: expected a single int or a tuple"),
    ({"kernel_size": ()}, ValueError, "kernel_size: expected a single int or a tuple"),
    ({"kernel_size": 2, "stride": (1, 2, 3)}, ValueError, "stride: expected a single int"),
    ({"kernel_size": True}, TypeError, "kernel_size: expected an int"),
    ({"kernel_size": 2.0}, TypeError, "kernel_size: expected an int"),
    ({"kernel_size": (2, 2.5)}, TypeError, "kernel_size: expected ints"),
    ({"kernel_size": "2"}, TypeError, "kernel_size: expected an int"),
    ({"kernel_size": 2, "stride": True}, TypeError, "stride: expected an int"),
    ({"kernel_size": 2, "padding": True}, TypeError, "padding: expected an int"),
    ({"kernel_size": 2, "dilation": (1, False)}, TypeError, "dilation: expected ints"),
    ({"kernel_size": 2, "ceil_mode": 1}, TypeError, "ceil_mode: expected a bool"),
    ({"kernel_size": 2, "return_indices": 1}, TypeError, "return_indices: expected a bool"),
]


@pytest.mark.parametrize("kwargs, exc, match", BAD_ARGS)
def test_bad_arguments(kwargs, exc, match):
    x = minigrad.tensor(np.zeros((1, 1, 5, 5)))
    with pytest.raises(exc, match=match):
        max_pool2d(x, **kwargs)


def test_window_only_in_padding_is_refused():
    # Kernel 2 dilated by 5 with padding 1 on 4 rows: taps -1 and 4, both padding.
    # PyTorch returns -inf with index 20 (outside the 4x4 input) here.
    x = minigrad.tensor(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="dilation: .* covers only padding"):
        max_pool2d(x, 2, 1, 1, 5)
    with pytest.raises(ValueError, match="covers only padding"):
        declare((1, 1, 9, 4), 2, 1, 1, (1, 5))


def test_bad_input_tensor():
    with pytest.raises(TypeError, match="input"):
        max_pool2d(np.zeros((1, 1, 4, 4)), 2)
    with pytest.raises(TypeError, match="input"):
        max_pool2d(minigrad.tensor(np.zeros((1, 1, 4, 4), dtype=np.int64)), 2)
    for shape in [(4, 4), (1, 1, 1, 4, 4)]:
        with pytest.raises(ValueError, match="input"):
            max_pool2d(minigrad.tensor(np.zeros(shape)), 2)
    for shape in [(1, 0, 4, 4), (1, 1, 0, 4)]:
        with pytest.raises(ValueError, match="input: expected sizes C, H, W >= 1"):
            declare(shape, 2)
    with pytest.raises(ValueError, match="input: expected a 4-D shape"):
        declare((1, 4, 4), 2)
