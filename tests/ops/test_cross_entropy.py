"""cross_entropy: every registered implementation against the NumPy one, gradients
against finite differences, a straightforward NumPy reference of the definition and
hand-computed cases, PyTorch's semantics (weighted mean, ignore_index, label smoothing,
all-ignored batches), stability at +-1e4, and the argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.dispatch import lookup
from minigrad.nn.functional.loss import cross_entropy
from minigrad.ops.softmax import declare_cross_entropy
from minigrad.testing import check_op, cross_entropy_args, tensors

OP = "cross_entropy"
IMPLS = minigrad.implementations(OP, "cpu")
LOG2, LOG3, LOG4 = math.log(2.0), math.log(3.0), math.log(4.0)


def _kernels(impl: str):
    with minigrad.use(**{OP: impl}):
        return lookup(OP, "cpu")[1]


@st.composite
def ce_cases(draw, min_n: int = 0, max_n: int = 4, max_c: int = 4):
    """(logits, target, weight or None, keyword arguments), all NumPy / Python values:
    minigrad.testing's cross_entropy_args with logits drawn at two scales."""
    args = draw(cross_entropy_args(min_n=min_n, max_n=max_n, max_c=max_c))
    scale = draw(st.sampled_from([1.0, 5.0]))
    logits = draw(tensors(args.input_shape)).numpy() * scale
    return logits, args.target, args.weight, args.kwargs


def _reference(logits, target, weight, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """The definition, written plainly: -log(softmax), weighted, smoothed, reduced."""
    n, c = logits.shape
    w = np.ones(c) if weight is None else weight
    log_p = np.log(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))
    losses = np.zeros(n)
    counted_weight = 0.0
    for i in range(n):
        if target[i] == ignore_index:
            continue
        t = target[i]
        nll = -w[t] * log_p[i, t]
        smooth = -(w * log_p[i]).sum() / c
        losses[i] = (1 - label_smoothing) * nll + label_smoothing * smooth
        counted_weight += w[t]
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    with np.errstate(invalid="ignore"):  # 0/0 -> NaN, as the loss itself
        return np.float64(losses.sum()) / counted_weight


def _tensors(logits, target, weight, dtype=minigrad.float64, requires_grad=False):
    x = minigrad.tensor(logits, dtype=dtype, requires_grad=requires_grad)
    t = minigrad.tensor(np.asarray(target, dtype=np.int64))
    w = None if weight is None else minigrad.tensor(weight, dtype=dtype)
    return x, t, w


seeds = st.integers(0, 2**32 - 1)


# --- every implementation against the NumPy one ---------------------------------------


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(case=ce_cases(), seed=seeds)
def test_kernels_match_numpy(impl, dtype, case, seed):
    logits, target, weight, kwargs = case
    x = logits.astype(dtype)
    w = None if weight is None else weight.astype(dtype)
    geom = declare_cross_entropy(x.shape, target.shape, "int64",
                                 None if w is None else w.shape, **kwargs)
    ref, mine = _kernels("numpy"), _kernels(impl)
    out_ref, saved_ref = ref.forward(geom, x, target, w)
    out, saved = mine.forward(geom, x, target, w)
    expected_shape = (x.shape[0],) if kwargs["reduction"] == "none" else ()
    assert out.shape == expected_shape and out.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    # NaN (a "mean" over nothing) must be NaN in both.
    np.testing.assert_allclose(out, out_ref, rtol=tol, atol=tol)

    g_out = np.random.default_rng(seed).standard_normal(expected_shape).astype(dtype)
    g_ref = ref.backward(geom, g_out, saved_ref, (True, False, False))
    g = mine.backward(geom, g_out, saved, (True, False, False))
    assert g[1:] == (None, None) and g_ref[1:] == (None, None)
    assert g[0].shape == x.shape and g[0].dtype == dtype
    np.testing.assert_allclose(g[0], g_ref[0], rtol=tol, atol=tol)
    assert mine.backward(geom, g_out, saved, (False, False, False)) == (None, None, None)


@pytest.mark.parametrize("impl", IMPLS)
def test_check_op(impl):
    """minigrad.testing's checks through the front end: against NumPy in float64 and
    float32 (weights, ignored samples, smoothing, every reduction), and gradcheck
    wherever the loss is finite."""
    check_op(OP, implementations=[impl])


@pytest.mark.skipif("numba" not in IMPLS, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_same_bits_with_1_and_2_threads(dtype):
    numba = pytest.importorskip("numba")
    from minigrad.ops.softmax.numba import PARALLEL_MIN

    kernels = _kernels("numba")
    rng = np.random.default_rng(5)
    n, c = 3000, 37  # large enough for the parallel path, and not a multiple of 16 rows
    x = (rng.standard_normal((n, c)) * 4).astype(dtype)
    target = rng.integers(0, c, size=n)
    target[rng.random(n) < 0.2] = -100
    weight = rng.uniform(0.1, 2.0, size=c).astype(dtype)
    assert x.size >= PARALLEL_MIN
    counts = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    saved = numba.get_num_threads()
    try:
        for reduction in ("none", "mean", "sum"):
            geom = declare_cross_entropy(x.shape, target.shape, "int64", weight.shape,
                                         reduction=reduction, label_smoothing=0.1)
            g_out = rng.standard_normal((n,) if reduction == "none" else ()).astype(dtype)
            results = []
            for k in counts:
                numba.set_num_threads(k)
                out, kept = kernels.forward(geom, x, target, weight)
                g = kernels.backward(geom, g_out, kept, (True, False, False))
                results.append((out, g[0]))
            for out, g in results[1:]:
                np.testing.assert_array_equal(out, results[0][0])
                np.testing.assert_array_equal(g, results[0][1])
    finally:
        numba.set_num_threads(saved)


# --- independent references -------------------------------------------------------------


@pytest.mark.parametrize("impl", IMPLS)
@given(case=ce_cases())
def test_matches_the_definition(impl, case):
    logits, target, weight, kwargs = case
    x, t, w = _tensors(logits, target, weight)
    with minigrad.use(**{OP: impl}):
        loss = cross_entropy(x, t, w, **kwargs).numpy()
    np.testing.assert_allclose(loss, _reference(logits, target, weight, **kwargs),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
def test_hand_cases(impl):
    # softmax([0, log 3]) = [1/4, 3/4].
    x = np.array([[0.0, LOG3], [0.0, LOG3], [0.0, 0.0]])
    t = np.array([0, 1, 1])
    w = np.array([2.0, 1.0])
    nll = np.array([LOG4, LOG4 - LOG3, LOG2])
    with minigrad.use(**{OP: impl}):
        def loss(**kwargs):
            return cross_entropy(*_tensors(x, t, kwargs.pop("weight", None)), **kwargs).numpy()

        np.testing.assert_allclose(loss(reduction="none"), nll, rtol=1e-14)
        np.testing.assert_allclose(loss(reduction="sum"), nll.sum(), rtol=1e-14)
        np.testing.assert_allclose(loss(), nll.mean(), rtol=1e-14)
        # Weighted: losses 2 log 4, log(4/3), log 2 over the total weight 2 + 1 + 1.
        np.testing.assert_allclose(loss(weight=w), (2 * LOG4 + LOG4 - LOG3 + LOG2) / 4, rtol=1e-14)
        # Ignoring class 1 leaves the first sample: 2 log 4 / 2.
        np.testing.assert_allclose(loss(weight=w, ignore_index=1), LOG4, rtol=1e-14)
        # eps = 1/2, C = 2: loss_i = nll_i / 2 + (-log p_i0 - log p_i1) / 4.
        smooth = np.array([LOG4 + LOG4 - LOG3, LOG4 + LOG4 - LOG3, 2 * LOG2])
        np.testing.assert_allclose(loss(reduction="none", label_smoothing=0.5),
                                   nll / 2 + smooth / 4, rtol=1e-14)
        # Weighted smoothing: both terms weighted per class, the mean over sum w_t = 4.
        smooth_w = np.array([2 * LOG4 + LOG4 - LOG3, 2 * LOG4 + LOG4 - LOG3, 3 * LOG2])
        nll_w = nll * w[t]
        np.testing.assert_allclose(loss(weight=w, label_smoothing=0.5),
                                   (nll_w / 2 + smooth_w / 4).sum() / 4, rtol=1e-14)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_gradient_is_softmax_minus_smoothed_one_hot(impl, eps):
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((3, 4))
    target = np.array([2, 0, 3])
    x, t, _ = _tensors(logits, target, None, requires_grad=True)
    with minigrad.use(**{OP: impl}):
        cross_entropy(x, t, label_smoothing=eps).backward()
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    smoothed = (1 - eps) * np.eye(4)[target] + eps / 4
    np.testing.assert_allclose(x.grad.numpy(), (p - smoothed) / 3, rtol=1e-12, atol=1e-15)


# --- PyTorch's semantics at the edges ---------------------------------------------------


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_all_ignored(impl, eps):
    # PyTorch: mean -> nan with zero gradient; sum -> 0; none -> zeros.
    logits = np.random.default_rng(0).standard_normal((3, 4))
    target = np.full(3, -100)
    with minigrad.use(**{OP: impl}):
        x, t, _ = _tensors(logits, target, None, requires_grad=True)
        mean = cross_entropy(x, t, label_smoothing=eps)
        mean.backward()
        assert mean.shape == () and math.isnan(mean.item())
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros((3, 4)))
        assert cross_entropy(x, t, reduction="sum", label_smoothing=eps).item() == 0.0
        np.testing.assert_array_equal(
            cross_entropy(x, t, reduction="none", label_smoothing=eps).detach().numpy(),
            np.zeros(3))


@pytest.mark.parametrize("impl", IMPLS)
def test_zero_total_weight(impl):
    # PyTorch: the mean is 0/0 = nan; counted samples get nan gradients, ignored ones 0.
    logits = np.random.default_rng(1).standard_normal((3, 4))
    x, t, w = _tensors(logits, [0, 1, -100], np.array([0.0, 0.0, 1.0, 1.0]), requires_grad=True)
    with minigrad.use(**{OP: impl}):
        loss = cross_entropy(x, t, w, label_smoothing=0.2)
        loss.backward()
    assert math.isnan(loss.item())
    grad = x.grad.numpy()
    assert np.all(np.isnan(grad[:2])) and np.all(grad[2] == 0.0)


@pytest.mark.parametrize("impl", IMPLS)
def test_empty_batch(impl):
    x, t, _ = _tensors(np.zeros((0, 3)), np.zeros(0, dtype=np.int64), None, requires_grad=True)
    with minigrad.use(**{OP: impl}):
        assert math.isnan(cross_entropy(x, t).item())
        assert cross_entropy(x, t, reduction="sum").item() == 0.0
        none = cross_entropy(x, t, reduction="none")
        assert none.shape == (0,)
        cross_entropy(x, t, reduction="sum").backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("impl", IMPLS)
def test_weighted_mean_divides_by_counted_weights(impl):
    rng = np.random.default_rng(2)
    logits, weight = rng.standard_normal((4, 3)), rng.uniform(0.5, 2.0, 3)
    target = np.array([2, -100, 0, 2])
    x, t, w = _tensors(logits, target, weight)
    with minigrad.use(**{OP: impl}):
        total = cross_entropy(x, t, w, reduction="sum").item()
        mean = cross_entropy(x, t, w).item()
    assert mean == pytest.approx(total / (weight[2] + weight[0] + weight[2]), rel=1e-12)


# --- stability and dtypes ------------------------------------------------------------------


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("eps", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True])
def test_stable_at_large_logits(impl, dtype, reduction, eps, weighted):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    target = np.array([1, 2, 0])
    weight = np.array([1.0, 2.0, 0.5]) if weighted else None
    x, t, w = _tensors(logits, target, weight, dtype=dtype, requires_grad=True)
    with minigrad.use(**{OP: impl}):
        loss = cross_entropy(x, t, w, reduction=reduction, label_smoothing=eps)
        loss.sum().backward()
    value, grad = loss.detach().numpy(), x.grad.numpy()
    assert value.dtype == dtype.np and grad.dtype == dtype.np
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    if reduction == "none" and eps == 0.0 and not weighted:
        # -log p_t = logsumexp - x_t: 1e4 + 1e4, log 3, log 2.
        np.testing.assert_allclose(value, [2e4, LOG3, LOG2], rtol=1e-6)
        expected = np.array([[1.0, -1.0, 0.0], [1 / 3, 1 / 3, -2 / 3], [-0.5, 0.5, 0.0]])
        np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("impl", IMPLS)
def test_float32_in_float32_out(impl):
    rng = np.random.default_rng(3)
    x, t, w = _tensors(rng.standard_normal((3, 4)), [0, 3, 1], rng.uniform(0.5, 1.5, 4),
                       dtype=minigrad.float32, requires_grad=True)
    with minigrad.use(**{OP: impl}):
        loss = cross_entropy(x, t, w, label_smoothing=0.1)
        loss.backward()
    assert loss.dtype == minigrad.float32 and x.grad.dtype == minigrad.float32


def test_declare_normalises():
    assert declare_cross_entropy((2, 3), (2,), "int64", None).attrs() == {
        "ignore_index": -100, "reduction": "mean", "label_smoothing": 0.0}
    assert declare_cross_entropy((2, 3), (2,), "int64", (3,), np.int64(1), "none", 1).attrs() == {
        "ignore_index": 1, "reduction": "none", "label_smoothing": 1.0}
    attrs = declare_cross_entropy((2, 3), (2,), "int64", None, label_smoothing=1).attrs()
    assert isinstance(attrs["label_smoothing"], float)
    # The geometry: the sizes, the attributes, whether a weight is given; the output shape.
    geom = declare_cross_entropy((2, 3), (2,), "int64", (3,), reduction="none")
    assert geom == (2, 3, -100, "none", 0.0, True) and geom.out_shape == (2,)
    assert declare_cross_entropy((2, 3), (2,), "int64", None).out_shape == ()
    assert not declare_cross_entropy((2, 3), (2,), "int64", None, 2**70).ignorable


# --- bad input ----------------------------------------------------------------------------


def _call(x_shape=(3, 4), x_dtype=np.float64, target=(0, 1, 2), t_dtype=np.int64,
          weight_shape=None, w_dtype=None, **kwargs):
    x = minigrad.tensor(np.zeros(x_shape, dtype=x_dtype))
    t = minigrad.tensor(np.array(target, dtype=t_dtype))
    w = None
    if weight_shape is not None:
        w = minigrad.tensor(np.ones(weight_shape, dtype=w_dtype or x_dtype))
    return cross_entropy(x, t, w, **kwargs)


BAD = [
    # (arguments of _call, exception, message pattern)
    ({"x_dtype": np.int64}, TypeError, "input must be a floating point tensor"),
    ({"x_shape": (4,), "target": (0, 1)}, ValueError,
     r"target: expected shape \(\) for input shape \(4,\)"),
    ({"x_shape": (3, 4, 2)}, ValueError, r"target: expected shape \(3, 2\) for input shape \(3, 4, 2\)"),
    ({"x_shape": (3, 0), "target": (-100, -100, -100)}, ValueError,
     r"input: expected at least one class \(C >= 1\)"),
    ({"t_dtype": np.float32}, TypeError,
     r"target must be an integer \(int64\) tensor of class indices, got dtype float32"),
    ({"t_dtype": np.float64, "x_shape": (3, 3), "target": np.eye(3)}, TypeError,
     "class-probability targets are not supported"),
    ({"t_dtype": bool, "target": (True, False, True)}, TypeError,
     r"target must be an integer \(int64\) tensor"),
    ({"target": (0, 1)}, ValueError,
     r"target: expected shape \(3,\) to match .* got shape \(2,\)"),
    ({"target": ((0, 1, 2),)}, ValueError, r"target: expected shape \(3,\) .* \(1, 3\)"),
    ({"weight_shape": (3,)}, ValueError, r"weight: expected shape \(4,\), one weight per class"),
    ({"weight_shape": (1, 4)}, ValueError, r"weight: expected shape \(4,\)"),
    ({"weight_shape": (4,), "w_dtype": np.float32}, TypeError,
     r"input \(minigrad.float64\) and weight \(minigrad.float32\) must have the same dtype"),
    ({"reduction": "avg"}, ValueError, "reduction: expected 'none', 'mean' or 'sum', got 'avg'"),
    ({"reduction": None}, ValueError, "reduction: expected .* got None"),
    ({"label_smoothing": 1.5}, ValueError, r"label_smoothing: .* in \[0, 1\], got 1.5"),
    ({"label_smoothing": -0.1}, ValueError, r"label_smoothing: expected a float in \[0, 1\]"),
    ({"label_smoothing": float("nan")}, ValueError, r"label_smoothing: .* \[0, 1\], got nan"),
    ({"label_smoothing": "0.1"}, TypeError, "label_smoothing: expected a float, got str"),
    ({"label_smoothing": True}, TypeError, "label_smoothing: expected a float, got bool"),
    ({"ignore_index": 1.0}, TypeError, "ignore_index: expected an int, got float"),
    ({"ignore_index": True}, TypeError, "ignore_index: expected an int, got bool"),
    ({"target": (0, 1, 4)}, ValueError,
     r"target: class index 4 at position 2 is out of range: expected values in \[0, 3\] "
     r"for C=4 classes, or ignore_index=-100"),
    ({"target": (-1, 1, 2)}, ValueError, "target: class index -1 at position 0 is out of range"),
    ({"target": (0, -100, 2), "ignore_index": -1}, ValueError,
     "target: class index -100 at position 1 .* or ignore_index=-1"),
]


@pytest.mark.parametrize("kwargs, exc, match", BAD)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _call(**kwargs)


def test_bad_tensors():
    x, t = minigrad.tensor(np.zeros((2, 3))), minigrad.tensor(np.array([0, 1]))
    with pytest.raises(TypeError, match="input must be a Tensor, got ndarray"):
        cross_entropy(np.zeros((2, 3)), t)
    with pytest.raises(TypeError, match="target must be a Tensor, got list"):
        cross_entropy(x, [0, 1])
    with pytest.raises(TypeError, match="weight must be a Tensor, got ndarray"):
        cross_entropy(x, t, np.ones(3))
    with pytest.raises(TypeError, match="positional"):
        cross_entropy(x, t, None, -100)  # PyTorch's 4th parameter is size_average


def test_weight_requiring_grad_is_refused():
    x, t = minigrad.tensor(np.zeros((2, 3))), minigrad.tensor(np.array([0, 1]))
    w = minigrad.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="weight: cross_entropy is not differentiable"):
        cross_entropy(x, t, w)
    with minigrad.no_grad():  # as PyTorch: fine when nothing is recorded
        assert cross_entropy(x, t, w).item() == pytest.approx(math.log(3.0))


def _check_class_indices(target, n_classes, ignore_index):
    from minigrad.ops import check_class_indices as decl
    minigrad.dispatch.run("check_class_indices", "cpu", decl.declare(n_classes, ignore_index),
                          target)


def test_check_class_indices_directly():
    _check_class_indices(np.array([0, 2, -100]), 3, -100)
    _check_class_indices(np.array([0, 5, 2]), 3, 5)  # ignore_index may be any int
    with pytest.raises(ValueError, match="class index 3 at position 1"):
        _check_class_indices(np.array([0, 3, 2]), 3, -100)
    with pytest.raises(ValueError, match="class index -1 at position 0"):
        _check_class_indices(np.array([-1, 7]), 3, -100)  # the first bad one is named
