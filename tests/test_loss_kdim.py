"""cross_entropy and nll_loss on K-dimensional inputs (N, C, d1, ..., dK) and on one
unbatched (C,) sample: against the same loss on the rows (class dim last, the rest
flattened), against the formula, and against PyTorch when it is importable."""
import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F

SHAPES = [(2, 3, 4), (2, 4, 3, 2), (1, 3, 2, 2, 2), (0, 3, 2)]


def _case(shape, seed=0, ignore=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    t = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    if ignore and t.size:
        t.flat[0] = -100
    w = rng.uniform(0.5, 2.0, shape[1])
    return x, t, w


def _rows(x, t):
    c = x.shape[1]
    return np.moveaxis(x, 1, -1).reshape(-1, c), t.reshape(-1)


def _formula(x, t, w, reduction, eps=0.0, nll=False):
    """The K-dim loss from its definition, position by position (NumPy, float64)."""
    rows, flat = _rows(x, t)
    c = rows.shape[1]
    if nll:
        logp = rows
    else:
        m = rows.max(1, keepdims=True)
        logp = rows - m - np.log(np.exp(rows - m).sum(1, keepdims=True))
    losses, weights = np.zeros(len(flat)), np.zeros(len(flat))
    for i, k in enumerate(flat):
        if k == -100:
            continue
        losses[i] = (1 - eps) * w[k] * -logp[i, k] + eps / c * (w * -logp[i]).sum()
        weights[i] = w[k]
    if reduction == "none":
        return losses.reshape(t.shape)
    if reduction == "sum":
        return losses.sum()
    with np.errstate(invalid="ignore"):  # no positions: PyTorch's NaN
        return losses.sum() / weights.sum()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_kdim_matches_the_formula_and_the_rows(shape, reduction, fn):
    x, t, w = _case(shape, ignore=True)
    kwargs = {"label_smoothing": 0.1} if fn == "cross_entropy" else {}
    eps = kwargs.get("label_smoothing", 0.0)
    xt = minigrad.tensor(x, dtype=minigrad.float64, requires_grad=True)
    out = getattr(F, fn)(xt, minigrad.tensor(t), minigrad.tensor(w, dtype=minigrad.float64),
                         reduction=reduction, **kwargs)
    expected = _formula(x, t, w, reduction, eps, nll=fn == "nll_loss")
    assert out.shape == np.shape(expected)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    # The gradient is the row loss's gradient, put back in the input's layout.
    if x.size == 0:
        return
    g = np.random.default_rng(1).standard_normal(np.shape(expected))
    out.backward(minigrad.tensor(g, dtype=minigrad.float64))
    rows, flat = _rows(x, t)
    r = minigrad.tensor(rows, dtype=minigrad.float64, requires_grad=True)
    row_out = getattr(F, fn)(r, minigrad.tensor(flat), minigrad.tensor(w, dtype=minigrad.float64),
                             reduction=reduction, **kwargs)
    row_out.backward(minigrad.tensor(g.reshape(row_out.shape), dtype=minigrad.float64))
    back = np.moveaxis(r.grad.numpy().reshape((x.shape[0],) + x.shape[2:] + (x.shape[1],)), -1, 1)
    np.testing.assert_allclose(xt.grad.numpy(), back, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_kdim_gradcheck(fn):
    x, t, w = _case((2, 3, 2, 2), seed=3)
    xt = minigrad.tensor(x, dtype=minigrad.float64, requires_grad=True)
    wt = minigrad.tensor(w, dtype=minigrad.float64)
    minigrad.gradcheck(lambda a: getattr(F, fn)(a, minigrad.tensor(t), wt, reduction="none"), [xt])


def test_unbatched_cross_entropy_is_one_row():
    x, t = np.array([0.5, -1.0, 2.0]), 2
    out = F.cross_entropy(minigrad.tensor(x), minigrad.tensor(t), reduction="none")
    assert out.shape == ()
    np.testing.assert_allclose(out.numpy(), np.log(np.exp(x).sum()) - x[t], rtol=1e-6)


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_kdim_target_shape_is_checked(fn):
    x = minigrad.randn(2, 3, 4)
    with pytest.raises(ValueError, match=r"expected shape \(2, 4\)"):
        getattr(F, fn)(x, minigrad.tensor(np.zeros((2, 5), dtype=np.int64)))
    with pytest.raises(ValueError, match="outside|range|class"):
        getattr(F, fn)(x, minigrad.tensor(np.full((2, 4), 3, dtype=np.int64)))


def test_class_probability_targets_are_refused():
    x = minigrad.randn(2, 3, 4)
    with pytest.raises(TypeError, match="class-probability targets are not supported"):
        F.cross_entropy(x, minigrad.randn(2, 3, 4).softmax(1))


def test_layers_pass_kdim_through():
    x, t, w = _case((2, 3, 2, 2), seed=5, ignore=True)
    wt = minigrad.tensor(w, dtype=minigrad.float64)
    xt, tt = minigrad.tensor(x, dtype=minigrad.float64), minigrad.tensor(t)
    ce = nn.CrossEntropyLoss(wt, reduction="none", label_smoothing=0.2)(xt, tt)
    np.testing.assert_allclose(ce.numpy(), _formula(x, t, w, "none", 0.2), rtol=1e-10)
    nll = nn.NLLLoss(wt)(xt, tt)
    np.testing.assert_allclose(nll.numpy(), _formula(x, t, w, "mean", nll=True), rtol=1e-10)


@pytest.mark.parametrize("shape", SHAPES[:3])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_kdim_matches_torch(shape, reduction, smoothing):
    torch = pytest.importorskip("torch")
    x, t, w = _case(shape, seed=7, ignore=True)
    for ignore_index in (-100, 1):
        t = np.where(t == -100, ignore_index, t)
        xt = minigrad.tensor(x, dtype=minigrad.float32, requires_grad=True)
        out = F.cross_entropy(xt, minigrad.tensor(t), minigrad.tensor(w, dtype=minigrad.float32),
                              ignore_index=ignore_index, reduction=reduction,
                              label_smoothing=smoothing)
        xr = torch.tensor(x, dtype=torch.float32, requires_grad=True)
        ref = torch.nn.functional.cross_entropy(
            xr, torch.tensor(t), torch.tensor(w, dtype=torch.float32), ignore_index=ignore_index,
            reduction=reduction, label_smoothing=smoothing)
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-6)
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(3,), *SHAPES[:3]])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_nll_loss_kdim_matches_torch(shape, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape)
    c = shape[0] if len(shape) == 1 else shape[1]
    t = rng.integers(0, c, () if len(shape) == 1 else (shape[0],) + shape[2:])
    w = rng.uniform(0.5, 2.0, c)
    out = F.nll_loss(minigrad.tensor(x, dtype=minigrad.float32), minigrad.tensor(t),
                     minigrad.tensor(w, dtype=minigrad.float32), reduction=reduction)
    ref = torch.nn.functional.nll_loss(torch.tensor(x, dtype=torch.float32), torch.tensor(t),
                                       torch.tensor(w, dtype=torch.float32), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)
