"""conv2d: every registered implementation against the NumPy one, gradient checks,
an independent reference for the NumPy one, and the argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import minigrad
from minigrad.nn.functional.conv import conv2d
from minigrad.ops import conv2d as decl
from minigrad.testing import check_op, conv2d_args

IMPLS = minigrad.implementations("conv2d", "cpu")


def _arrays(x_shape, w_shape, bias_shape, seed, dtype=np.float64):
    """Random x, w and b (None when ``bias_shape`` is falsy) from ``seed``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype) if bias_shape else None
    return x, w, b


def _run(impl, x, w, b, kwargs, grad_out_seed=1):
    """Forward and backward through the public front end with ``impl`` selected."""
    tx = minigrad.tensor(x, requires_grad=True)
    tw = minigrad.tensor(w, requires_grad=True)
    tb = None if b is None else minigrad.tensor(b, requires_grad=True)
    with minigrad.use(conv2d=impl):
        out = conv2d(tx, tw, tb, **kwargs)
        go = np.random.default_rng(grad_out_seed).standard_normal(out.shape)
        out.backward(minigrad.tensor(go.astype(x.dtype)))
    grads = [tx.grad.numpy(), tw.grad.numpy(), None if tb is None else tb.grad.numpy()]
    return out.detach().numpy(), grads


# Hypothesis favours small draws: also run every attribute at once, and an even kernel
# with padding="same" (asymmetric padding). (case as conv2d_args draws it, seed)
FEATURE_CASES = [
    (((2, 4, 5, 6), (4, 2, 2, 3), (4,),
      dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2), (1, 1, 2, 2)), 0),
    (((1, 2, 4, 5), (2, 2, 2, 3), (2,),
      dict(stride=1, padding="same", dilation=(1, 2), groups=1), (0, 1, 2, 2)), 1),
]


def _all_features(test):
    for case, seed in FEATURE_CASES:
        test = example(case=case, seed=seed)(test)
    return test


# ---------------------------------------------------------------- reference


def _reference(x, w, b, stride, pad4, dilation, groups):
    """conv2d from 1-D np.correlate: zero-dilate the kernel, pad the input, correlate
    row by row at stride 1, then subsample by the stride. Shares no code with ops/."""
    sh, sw = stride
    dh, dw = dilation
    top, bottom, left, right = pad4
    c_out, cg, kh, kw = w.shape
    og = c_out // groups
    w_dil = np.zeros((c_out, cg, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    w_dil[:, :, ::dh, ::dw] = w
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    full_h = xp.shape[2] - w_dil.shape[2] + 1
    full_w = xp.shape[3] - w_dil.shape[3] + 1
    out = np.zeros((x.shape[0], c_out, full_h, full_w))
    for n in range(x.shape[0]):
        for oc in range(c_out):
            g = oc // og
            for c in range(cg):
                for i in range(full_h):
                    for p in range(w_dil.shape[2]):
                        out[n, oc, i] += np.correlate(
                            xp[n, g * cg + c, i + p], w_dil[oc, c, p], mode="valid"
                        )
            if b is not None:
                out[n, oc] += b[oc]
    return out[:, :, ::sh, ::sw]


def _as_pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


# ---------------------------------------------------------------- tests


def test_registered_and_default():
    assert "numpy" in IMPLS and "naive" in IMPLS
    # The declaration prefers numba and falls back to numpy where numba is missing.
    expected = "numba" if "numba" in IMPLS else "numpy"
    assert minigrad.dispatch.selected("conv2d", "cpu") == expected


def test_hand_computed_example():
    # w = [[1, 0], [0, -1]]: out[i, j] = x[i, j] - x[i+1, j+1] = -4 for x = arange(9).
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    with minigrad.use(conv2d="numpy"):
        out = conv2d(minigrad.tensor(x), minigrad.tensor(w), minigrad.tensor(np.array([0.5])))
    np.testing.assert_array_equal(out.numpy(), np.full((1, 1, 2, 2), -3.5))
    # stride 2, padding 1: out[i, j] = x_pad[2i, 2j] - x_pad[2i+1, 2j+1] with
    # x_pad[r, c] = x[r-1, c-1] inside and 0 on the border:
    # out[0,0] = 0 - x[0,0], out[0,1] = 0 - x[0,2], out[1,0] = 0 - x[2,0],
    # out[1,1] = x[1,1] - x[2,2].
    with minigrad.use(conv2d="numpy"):
        out = conv2d(minigrad.tensor(x), minigrad.tensor(w), stride=2, padding=1)
    expected = np.array([[-0.0, -2.0], [-6.0, 4.0 - 8.0]])
    np.testing.assert_array_equal(out.numpy()[0, 0], expected)


@given(case=conv2d_args(max_hw=6, max_batch=2, max_channels=3), seed=st.integers(0, 2**16))
@_all_features
def test_numpy_matches_independent_reference(case, seed):
    x_shape, w_shape, bias_shape, kwargs, pad4 = case
    x, w, b = _arrays(x_shape, w_shape, bias_shape, seed)
    expected = _reference(x, w, b, _as_pair(kwargs["stride"]), pad4,
                          _as_pair(kwargs["dilation"]), kwargs["groups"])
    with minigrad.use(conv2d="numpy"):
        out = conv2d(minigrad.tensor(x), minigrad.tensor(w),
                     None if b is None else minigrad.tensor(b), **kwargs)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@given(case=conv2d_args(), seed=st.integers(0, 2**16))
@_all_features
def test_numpy_backward_is_the_adjoint_of_forward(case, seed):
    """conv2d is linear in x and in w, so <conv(x, w), g> = <x, grad_x> = <w, grad_w>
    (without bias) and grad_bias = g summed over (B, H, W): an independent check of the
    NumPy backward against its forward."""
    x_shape, w_shape, bias_shape, kwargs, _ = case
    x, w, b = _arrays(x_shape, w_shape, bias_shape, seed)
    out, (gx, gw, gb) = _run("numpy", x, w, b, kwargs, grad_out_seed=seed + 1)
    g = np.random.default_rng(seed + 1).standard_normal(out.shape)
    lin = np.sum((out - (0 if b is None else b.reshape(1, -1, 1, 1))) * g)
    np.testing.assert_allclose(np.sum(x * gx), lin, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.sum(w * gw), lin, rtol=1e-10, atol=1e-10)
    if b is not None:
        np.testing.assert_allclose(gb, g.sum(axis=(0, 2, 3)), rtol=1e-12, atol=1e-12)


def _sample(case, seed):
    """A check_op sample (args, kwargs) from a conv2d_args case."""
    x_shape, w_shape, bias_shape, kwargs, _ = case
    arrays = _arrays(x_shape, w_shape, bias_shape, seed)
    return tuple(None if a is None else minigrad.tensor(a, requires_grad=True)
                 for a in arrays), kwargs


@pytest.mark.parametrize("impl", IMPLS)
def test_check_op(impl):
    """minigrad.testing's checks: values and gradients against the NumPy implementation
    (float64 and float32) and gradcheck, on drawn cases and the all-features ones."""
    check_op("conv2d", implementations=[impl],
             examples=[_sample(case, seed) for case, seed in FEATURE_CASES])


@pytest.mark.parametrize("impl", IMPLS)
def test_unbatched_input(impl):
    x, w, b = _arrays((2, 5, 4), (3, 2, 2, 3), True, seed=3)
    kwargs = dict(stride=(1, 2), padding=1, dilation=(2, 1))
    out3, grads3 = _run(impl, x, w, b, kwargs)
    out4, grads4 = _run(impl, x[None], w, b, kwargs)
    assert out3.shape == out4.shape[1:]
    np.testing.assert_allclose(out3, out4[0], rtol=1e-12)
    assert grads3[0].shape == x.shape
    np.testing.assert_allclose(grads3[0], grads4[0][0], rtol=1e-12)
    np.testing.assert_allclose(grads3[1], grads4[1], rtol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("has_bias", [False, True])
def test_float32_is_preserved(impl, has_bias):
    x, w, b = _arrays((2, 2, 5, 5), (4, 1, 3, 3), has_bias, seed=5, dtype=np.float32)
    kwargs = dict(stride=2, padding=(1, 0), groups=2)
    out, grads = _run(impl, x, w, b, kwargs)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads if g is not None)
    out64, _ = _run("numpy", *(None if a is None else a.astype(np.float64) for a in (x, w, b)),
                    kwargs)
    np.testing.assert_allclose(out, out64, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("impl", IMPLS)
def test_only_some_inputs_require_grad(impl):
    x, w, b = _arrays((1, 2, 4, 4), (2, 2, 2, 2), True, seed=7)
    tx, tw, tb = minigrad.tensor(x), minigrad.tensor(w, requires_grad=True), minigrad.tensor(b)
    with minigrad.use(conv2d=impl):
        conv2d(tx, tw, tb, padding=1).sum().backward()
    assert tx.grad is None and tb.grad is None
    # With sum() as the loss, grad_out is all ones and grad_w[oc, c, p, q] is the sum of
    # the input pixels tap (p, q) sees: a sum over a shifted slice of the padded input.
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.array([[[xp[0, c, p:p + 5, q:q + 5].sum() for q in range(2)]
                          for p in range(2)] for c in range(2)])
    np.testing.assert_allclose(tw.grad.numpy(), np.stack([expected] * 2), rtol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
def test_forward_saves_only_the_input_and_weight(impl):
    """The tape keeps what forward saved: x and weight (backward needs nothing else; the
    geometry says whether there was a bias), never the output."""
    with minigrad.use(conv2d=impl):
        kernels = minigrad.dispatch.lookup("conv2d", "cpu")[1]
    x, w, b = _arrays((2, 2, 5, 4), (4, 1, 3, 2), True, seed=19)
    g = decl.declare(x.shape, w.shape, b.shape, padding=1, groups=2)
    out, saved = kernels.forward(g, x, w, b)
    assert out.shape == g.out_shape
    assert len(saved) == 2 and saved[0] is x and saved[1] is w


def test_same_padding_keeps_the_size_and_pads_bottom_right():
    # Even kernel: total padding 1 per axis, PyTorch puts it at the bottom/right.
    x, w, _ = _arrays((1, 1, 4, 5), (1, 1, 2, 2), False, seed=9)
    out = conv2d(minigrad.tensor(x), minigrad.tensor(w), padding="same")
    assert out.shape == (1, 1, 4, 5)
    expected = _reference(x, w, None, (1, 1), (0, 1, 0, 1), (1, 1), 1)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    assert decl.declare((1, 1, 4, 5), (1, 1, 4, 3), None, padding="same",
                        dilation=(1, 2)).attrs()["padding"] == (1, 2, 2, 2)


def test_declare_normalises():
    g = decl.declare((2, 4, 7, 7), (6, 2, 3, 3), (6,), stride=[2, 1],
                     padding=(1, 0), dilation=np.int64(2), groups=2)
    attrs = g.attrs()
    assert attrs == {"stride": (2, 1), "padding": (1, 1, 0, 0), "dilation": (2, 2),
                     "groups": 2}
    assert all(type(v) is int for v in attrs["dilation"])
    valid = decl.declare((1, 1, 3, 3), (1, 1, 3, 3), None, padding="valid")
    assert valid.attrs()["padding"] == (0, 0, 0, 0)
    # The geometry the kernels read: plain ints (the CUDA kernels take them as arguments).
    assert g == decl.Geometry(B=2, C=4, H=7, W=7, Co=6, Cg=2, Og=3, kH=3, kW=3, Ho=3, Wo=3,
                              sh=2, sw=1, top=1, bottom=1, left=0, right=0, dh=2, dw=2,
                              groups=2, has_bias=True)
    assert all(type(v) is int for k, v in g._asdict().items() if k != "has_bias")
    assert (g.out_shape, g.Hp, g.Wp) == ((2, 6, 3, 3), 9, 7)


@given(case=conv2d_args())
def test_output_shape_counts_the_windows(case):
    x_shape, w_shape, _, kwargs, _ = case
    g = decl.declare(x_shape, w_shape, None, **kwargs)
    attrs = g.attrs()
    b, c_out, h_out, w_out = g.out_shape
    assert (b, c_out) == (x_shape[0], w_shape[0])
    # Count the window start positions that fit in the padded input, one by one.
    (sh, sw), (t, bo, le, r), (dh, dw) = attrs["stride"], attrs["padding"], attrs["dilation"]
    span_h, span_w = dh * (w_shape[2] - 1) + 1, dw * (w_shape[3] - 1) + 1
    assert h_out == len(range(0, x_shape[2] + t + bo - span_h + 1, sh))
    assert w_out == len(range(0, x_shape[3] + le + r - span_w + 1, sw))


# ---------------------------------------------------------------- numba kernels

# (weight shape, attributes): stride 1 with padding (the padded-pitch im2col), a stride
# with dilation and asymmetric padding (the row-by-row im2col), groups.
THREAD_CASES = [
    ((6, 3, 3, 3), dict(padding=1)),
    ((4, 3, 2, 3), dict(stride=(2, 3), padding=(2, 1), dilation=(1, 2))),
    ((6, 1, 3, 2), dict(padding="same", dilation=(2, 1), groups=3)),
]


def _numba_kernels():
    with minigrad.use(conv2d="numba"):
        return minigrad.dispatch.lookup("conv2d", "cpu")[1]


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_same_bits_with_1_and_2_threads(dtype):
    """grad_weight and grad_bias are reductions over the batch: with fixed chunks they
    must not depend on how many threads run them (nor must anything else)."""
    numba = pytest.importorskip("numba")
    kernels = _numba_kernels()
    counts = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    saved = numba.get_num_threads()
    try:
        for w_shape, kwargs in THREAD_CASES:
            # 11 samples: several backward chunks, the last one partial.
            x, w, b = _arrays((11, 3, 13, 12), w_shape, True, seed=11, dtype=dtype)
            g = decl.declare(x.shape, w.shape, b.shape, **kwargs)
            go = np.random.default_rng(12).standard_normal(g.out_shape).astype(dtype)
            results = []
            for n in counts:
                numba.set_num_threads(n)
                out, kept = kernels.forward(g, x, w, b)
                grads = kernels.backward(g, go, kept, (True, True, True))
                results.append((out, *grads))
            for other in results[1:]:
                for got, first in zip(other, results[0]):
                    assert got.dtype == dtype
                    np.testing.assert_array_equal(got, first)
    finally:
        numba.set_num_threads(saved)


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
def test_numba_kernels_non_contiguous_and_partial_grads():
    """Views (a transposed input, a broadcast grad_out) give the same results as copies,
    and only the requested gradients come back."""
    kernels = _numba_kernels()
    x, w, b = _arrays((3, 2, 6, 5), (4, 2, 3, 3), True, seed=13)
    x_view = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    assert not x_view.flags.c_contiguous
    g = decl.declare(x.shape, w.shape, b.shape, stride=1, padding=(1, 2))
    out, saved_view = kernels.forward(g, x_view, w, b)
    out_copy, saved = kernels.forward(g, x, w, b)
    np.testing.assert_array_equal(out, out_copy)
    go = np.broadcast_to(np.float64(0.5), out.shape)
    full = kernels.backward(g, np.full(out.shape, 0.5), saved, (True, True, True))
    for needs in [(True, False, False), (False, True, False), (False, False, True)]:
        got = kernels.backward(g, go, saved_view, needs)
        for want, grad, ref in zip(needs, got, full):
            if want:
                np.testing.assert_array_equal(grad, ref)
            else:
                assert grad is None


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
def test_numba_non_finite_values_propagate_like_numpy():
    """The stride-1 kernels compute some padding columns they then drop; those must not
    turn finite gradient entries into NaN when an input holds inf (0 * inf = NaN)."""
    x, w, b = _arrays((2, 2, 6, 7), (3, 2, 3, 3), True, seed=17)
    x[0, 1, 0, 0] = np.inf    # a corner pixel: only tap (0, 0) ever sees it
    x[1, 0, 3, 6] = -np.inf   # on the right edge
    w_inf = w.copy()
    w_inf[1, 0, 2, 2] = np.inf
    numba_k = _numba_kernels()
    with minigrad.use(conv2d="numpy"):
        numpy_k = minigrad.dispatch.lookup("conv2d", "cpu")[1]
    g = decl.declare(x.shape, w.shape, b.shape)
    # inf in x makes some grad_weight entries non-finite, inf in w some grad_x entries.
    for xi, wi, mixed in [(x, w, 1), (np.nan_to_num(x, posinf=1.0, neginf=-1.0), w_inf, 0)]:
        go = np.random.default_rng(18).standard_normal(g.out_shape)
        ref_out, ref_saved = numpy_k.forward(g, xi, wi, b)
        out, saved = numba_k.forward(g, xi, wi, b)
        np.testing.assert_allclose(out, ref_out, rtol=1e-12)  # NaN/inf in the same places
        ref = numpy_k.backward(g, go, ref_saved, (True, True, True))
        got = numba_k.backward(g, go, saved, (True, True, True))
        for r, a in zip(ref, got):
            np.testing.assert_allclose(a, r, rtol=1e-12)
        assert np.isfinite(ref[mixed]).any() and not np.isfinite(ref[mixed]).all()


# ---------------------------------------------------------------- bad input

X = (1, 4, 5, 5)
W = (2, 4, 3, 3)

BAD_ARGS = [
    # (input shape, weight shape, bias shape, kwargs, exception, message pattern)
    (X, (2, 4, 3), None, {}, ValueError, r"weight: expected a 4-D"),
    ((4, 5, 5), W, None, {}, ValueError, r"input: expected a 4-D"),
    (X, (2, 3, 3, 3), None, {}, ValueError, r"weight: expected weight.shape\[1\] \* groups"),
    (X, (3, 2, 3, 3), None, {"groups": 2}, ValueError, r"out_channels.*divisible by groups"),
    ((1, 3, 5, 5), (3, 1, 3, 3), None, {"groups": 2}, ValueError,
     r"C_in=3 must be divisible by groups"),
    (X, W, None, {"groups": 0}, ValueError, r"groups: expected a positive int"),
    (X, W, None, {"groups": 1.0}, TypeError, r"groups: expected an int"),
    (X, W, None, {"groups": True}, TypeError, r"groups: expected an int"),
    (X, W, (3,), {}, ValueError, r"bias: expected shape \(2,\)"),
    (X, W, (2, 1), {}, ValueError, r"bias: expected shape \(2,\)"),
    (X, W, None, {"stride": 0}, ValueError, r"stride: expected positive"),
    (X, W, None, {"stride": (1, -1)}, ValueError, r"stride: expected positive"),
    (X, W, None, {"dilation": 0}, ValueError, r"dilation: expected positive"),
    (X, W, None, {"padding": -1}, ValueError, r"padding: expected non-negative"),
    (X, W, None, {"padding": (0, -2)}, ValueError, r"padding: expected non-negative"),
    (X, W, None, {"padding": "full"}, ValueError, r"padding: expected .*'valid' or 'same'"),
    (X, W, None, {"padding": "same", "stride": 2}, ValueError,
     r"padding='same' is not supported for strided"),
    (X, (2, 4, 6, 6), None, {}, ValueError, r"kernel size \(6, 6\) can't be larger"),
    (X, W, None, {"dilation": 3}, ValueError, r"kernel size \(7, 7\) can't be larger"),
    (X, W, None, {"stride": 1.5}, TypeError, r"stride: expected an int or a tuple"),
    (X, W, None, {"stride": True}, TypeError, r"stride: expected an int or a tuple"),
    (X, W, None, {"padding": (1, 1.0)}, TypeError, r"padding: expected ints"),
    (X, W, None, {"dilation": (1, False)}, TypeError, r"dilation: expected ints"),
    (X, W, None, {"stride": (1, 2, 3)}, ValueError, r"stride: expected a single int or a tuple"),
    (X, W, None, {"padding": (1, 1, 1, 1)}, ValueError, r"padding: expected a single int"),
    (X, W, None, {"dilation": [2]}, ValueError, r"dilation: expected a single int"),
    (X, (2, 4, 0, 3), None, {}, ValueError, r"weight: expected all dimensions >= 1"),
]


@pytest.mark.parametrize("x_shape, w_shape, b_shape, kwargs, exc, match", BAD_ARGS)
def test_bad_arguments_raise_clear_errors(x_shape, w_shape, b_shape, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        decl.declare(x_shape, w_shape, b_shape, **kwargs)
    if len(x_shape) == 4:  # a 3-D input is legal through the front end (unbatched)
        x, w, b = (None if s is None else minigrad.tensor(np.zeros(s)) for s in
                   (x_shape, w_shape, b_shape))
        with pytest.raises(exc, match=match):
            conv2d(x, w, b, **kwargs)


def test_bad_tensors():
    x = minigrad.tensor(np.zeros((1, 2, 4, 4)))
    w = minigrad.tensor(np.zeros((1, 2, 2, 2)))
    with pytest.raises(TypeError, match="input"):
        conv2d(np.zeros((1, 2, 4, 4)), w)
    with pytest.raises(TypeError, match="weight"):
        conv2d(x, [[1.0]])
    with pytest.raises(TypeError, match="input"):
        conv2d(minigrad.tensor(np.zeros((1, 2, 4, 4), dtype=np.int64)), w)
    with pytest.raises((TypeError, RuntimeError), match="float32"):
        conv2d(x, minigrad.tensor(np.zeros((1, 2, 2, 2), dtype=np.float32)))
    with pytest.raises((TypeError, RuntimeError), match="bias"):
        conv2d(x, w, minigrad.tensor(np.zeros(1, dtype=np.float32)))
    with pytest.raises(ValueError, match="input"):
        conv2d(minigrad.tensor(np.zeros((4, 4))), w)
    with pytest.raises(ValueError, match="input"):
        conv2d(minigrad.tensor(np.zeros((1, 1, 2, 4, 4))), w)
