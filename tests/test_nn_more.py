"""The losses, layers and containers added for PyTorch tutorials (brief MORE): l1,
smooth-L1, Huber and binary cross-entropy losses, one_hot, layer_norm, normalize, the
activations ReLU6 ... Hardsigmoid, LayerNorm, BatchNorm1d, Unflatten, ModuleDict,
ParameterList and ParameterDict. Values against NumPy formulas written here, float64
gradient checks, and, when torch is importable, forward and backward parity with torch
(tests/_parity.py: the gradient of a random-weighted sum) in float32 and float64."""
import math

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F

DTYPES = [np.float32, np.float64]


def _t(a, requires_grad=False):
    return minigrad.tensor(np.asarray(a), requires_grad=requires_grad)


def _rng(seed=0):
    return np.random.default_rng(seed)


@pytest.fixture
def check_op():
    pytest.importorskip("torch")
    from _parity import check_op
    return check_op


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _tol(dtype):
    return dict(atol=1e-6, rtol=1e-4) if dtype == np.float32 else dict(atol=1e-12, rtol=1e-10,
                                                                      grad_atol=1e-10,
                                                                      grad_rtol=1e-10)


def _vals(dtype, *arrays):
    """torch tensors of ``arrays`` in ``dtype`` (the harness's ``vals``)."""
    import torch
    return [torch.tensor(np.asarray(a, dtype=dtype)) for a in arrays]


# ---- regression losses ----------------------------------------------------------------------

REDUCTIONS = ["none", "mean", "sum"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss,kwargs", [
    ("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}), ("huber_loss", {"delta": 0.7})])
def test_regression_losses_match_torch(check_op, dtype, reduction, loss, kwargs):
    check_op([(4, 5), (4, 5)],
             lambda t, x, y: getattr(t.nn.functional, loss)(x, y, reduction=reduction, **kwargs),
             dtype=dtype, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["l1_loss", "huber_loss"])
def test_weighted_regression_losses_match_torch(check_op, dtype, reduction, loss):
    x, y = _rng(2).standard_normal((2, 3, 4)) * 2
    w = _rng(3).uniform(0.1, 2.0, (3, 4))
    check_op(None, lambda t, x, y, w: getattr(t.nn.functional, loss)(x, y, reduction=reduction,
                                                                      weight=w),
             vals=_vals(dtype, x, y, w), **_tol(dtype))


def test_regression_losses_follow_their_formulas():
    rng = _rng(4)
    x, y = rng.standard_normal((2, 30)) * 2
    d = x - y
    z = np.abs(d)
    np.testing.assert_allclose(F.l1_loss(_t(x), _t(y)).item(), z.mean(), rtol=1e-12)
    beta = 0.8
    smooth = np.where(z < beta, 0.5 * z ** 2 / beta, z - 0.5 * beta)
    np.testing.assert_allclose(F.smooth_l1_loss(_t(x), _t(y), reduction="none", beta=beta)._array,
                               smooth, rtol=1e-12)
    delta = 1.3
    huber = np.where(z < delta, 0.5 * z ** 2, delta * (z - 0.5 * delta))
    np.testing.assert_allclose(F.huber_loss(_t(x), _t(y), "sum", delta).item(), huber.sum(),
                               rtol=1e-12)
    w = rng.uniform(0.5, 2.0, 30)
    np.testing.assert_allclose(F.l1_loss(_t(x), _t(y), weight=_t(w)).item(),
                               (z * w).sum() / w.sum(), rtol=1e-12)
    np.testing.assert_allclose(F.huber_loss(_t(x), _t(y), weight=_t(w), delta=delta).item(),
                               (huber * w).mean(), rtol=1e-12)
    # Gradients: clip(d / beta, -1, 1) for smooth L1, clip(d, -delta, delta) for Huber.
    xt = _t(x, requires_grad=True)
    F.smooth_l1_loss(xt, _t(y), reduction="sum", beta=beta).backward()
    np.testing.assert_allclose(xt.grad._array, np.clip(d / beta, -1, 1), rtol=1e-12)
    xt = _t(x, requires_grad=True)
    F.huber_loss(xt, _t(y), "sum", delta).backward()
    np.testing.assert_allclose(xt.grad._array, np.clip(d, -delta, delta), rtol=1e-12)


def test_regression_losses_gradcheck():
    rng = _rng(5)
    x = _t(rng.standard_normal((3, 4)), requires_grad=True)
    y = _t(rng.standard_normal((3, 4)), requires_grad=True)
    w = _t(rng.uniform(0.5, 2.0, (3, 4)), requires_grad=True)
    assert minigrad.gradcheck(lambda a, b, c: F.l1_loss(a, b, weight=c), (x, y, w))
    assert minigrad.gradcheck(lambda a, b: F.smooth_l1_loss(a, b, beta=0.7), (x, y))
    assert minigrad.gradcheck(lambda a, b, c: F.huber_loss(a, b, "sum", 0.6, c), (x, y, w))


def test_regression_loss_errors():
    x, y = _t(np.zeros(3)), _t(np.zeros(3))
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(x, y, beta=-1.0)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(x, y, delta=0.0)
    with pytest.raises(ValueError, match="reduction"):
        F.l1_loss(x, y, reduction="avg")
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.l1_loss(x, y, weight=_t(np.ones(2)))
    with pytest.raises(TypeError):
        F.l1_loss(_t(np.zeros(3, dtype=np.int64)), y)
    with pytest.warns(UserWarning, match="different to the input size"):
        F.l1_loss(_t(np.zeros((2, 3))), _t(np.zeros(3)))
    with pytest.raises(RuntimeError):
        nn.SmoothL1Loss(beta=-0.5)
    with pytest.raises(RuntimeError):
        nn.HuberLoss(delta=-1.0)


# ---- binary cross-entropy -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_matches_torch(check_op, dtype, reduction, weighted):
    rng = _rng(6)
    p = rng.uniform(0.05, 0.95, (4, 3))
    y = rng.uniform(0, 1, (4, 3))
    w = rng.uniform(0.5, 2.0, (3,))
    if weighted:
        # The weight is not differentiable (torch refuses one that requires grad).
        fn = lambda t, p, y: t.nn.functional.binary_cross_entropy(
            p, y, t.tensor(w.astype(dtype)), reduction=reduction)
        vals = _vals(dtype, p, y)
    else:
        fn = lambda t, p, y: t.nn.functional.binary_cross_entropy(p, y, reduction=reduction)
        vals = _vals(dtype, p, y)
    check_op(None, fn, vals=vals, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight,pos_weight", [(False, False), (True, False), (False, True),
                                               (True, True)])
def test_bce_with_logits_matches_torch(check_op, dtype, reduction, weight, pos_weight):
    rng = _rng(7)
    x = rng.standard_normal((4, 3)) * 3
    x[0] = [-30.0, 0.0, 30.0]  # large scores: the stable form, and the tie at 0
    y = rng.uniform(0, 1, (4, 3))
    w = rng.uniform(0.5, 2.0, (4, 1)).astype(dtype) if weight else None
    pw = rng.uniform(0.5, 3.0, (3,)).astype(dtype) if pos_weight else None

    def fn(t, x, y):  # the weights are constants (torch refuses ones that require grad)
        return t.nn.functional.binary_cross_entropy_with_logits(
            x, y, None if w is None else t.tensor(w), reduction=reduction,
            pos_weight=None if pw is None else t.tensor(pw))
    tol = _tol(dtype)
    if dtype == np.float64:  # no log1p: log(1 + e^-30) is off by ~1e-13 relative
        tol = dict(atol=1e-12, rtol=1e-9, grad_atol=1e-12, grad_rtol=1e-9)
    check_op(None, fn, vals=_vals(dtype, x, y), **tol)


def test_binary_cross_entropy_follows_its_formulas():
    rng = _rng(8)
    p = rng.uniform(0.01, 0.99, 20)
    y = rng.integers(0, 2, 20).astype(np.float64)
    w = rng.uniform(0.5, 2.0, 20)
    ref = -w * (y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(
        F.binary_cross_entropy(_t(p), _t(y), _t(w), reduction="none")._array, ref, rtol=1e-12)
    pt = _t(p, requires_grad=True)
    F.binary_cross_entropy(pt, _t(y), reduction="sum").backward()
    np.testing.assert_allclose(pt.grad._array, (p - y) / (p * (1 - p)), rtol=1e-10)
    # The log is clamped at -100: a certain wrong answer costs 100, with a finite gradient.
    pt = _t([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(pt, _t([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss._array, [100.0, 100.0])
    loss.sum().backward()
    assert np.isfinite(pt.grad._array).all()
    # With logits: sigmoid then BCE, and the gradient s - y, with pos_weight pw.
    x = rng.standard_normal(20) * 4
    pw = 2.5
    s = 1 / (1 + np.exp(-x))
    ref = -(pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    xt = _t(x, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(xt, _t(y), reduction="sum",
                                              pos_weight=_t(np.full(20, pw)))
    np.testing.assert_allclose(loss.item(), ref.sum(), rtol=1e-10)
    loss.backward()
    np.testing.assert_allclose(xt.grad._array, (1 + (pw - 1) * y) * s - pw * y, rtol=1e-9,
                               atol=1e-12)
    # Stable for huge scores (float32): exp never overflows.
    big = F.binary_cross_entropy_with_logits(_t(np.float32([-1e4, 1e4])),
                                             _t(np.float32([1.0, 0.0])), reduction="none")
    np.testing.assert_allclose(big._array, [1e4, 1e4], rtol=1e-6)


def test_binary_cross_entropy_gradcheck():
    rng = _rng(9)
    p = _t(rng.uniform(0.1, 0.9, (3, 4)), requires_grad=True)
    y = _t(rng.uniform(0, 1, (3, 4)), requires_grad=True)
    w = _t(rng.uniform(0.5, 2.0, (4,)), requires_grad=True)
    assert minigrad.gradcheck(lambda a, b: F.binary_cross_entropy(a, b, w.detach()), (p, y))
    x = _t(rng.standard_normal((3, 4)) * 3, requires_grad=True)
    pw = _t(rng.uniform(0.5, 3.0, (4,)))
    assert minigrad.gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, w.detach(), pos_weight=pw), (x, y))


def test_binary_cross_entropy_errors():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(_t([0.5, 1.5]), _t([1.0, 0.0]))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(_t([0.5, np.nan]), _t([1.0, 0.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(_t([0.5, 0.5]), _t([1.0, 0.0, 1.0]))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.binary_cross_entropy(_t([0.5]), _t([1.0]), _t([1.0], requires_grad=True))
    with minigrad.no_grad():
        F.binary_cross_entropy(_t([0.5]), _t([1.0]), _t([1.0], requires_grad=True))
    with pytest.raises(RuntimeError, match="respect to argument 'pos_weight'"):
        F.binary_cross_entropy_with_logits(_t([0.5]), _t([1.0]),
                                           pos_weight=_t([1.0], requires_grad=True))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(_t([0.5, 0.5]), _t([1.0]))
    with pytest.raises(ValueError, match="reduction"):
        F.binary_cross_entropy_with_logits(_t([0.5]), _t([1.0]), reduction="avg")


@pytest.mark.parametrize("dtype", DTYPES)
def test_loss_layers_match_torch(torch, dtype):
    rng = _rng(10)
    x, y = rng.standard_normal((2, 4, 3))
    p, q = rng.uniform(0.05, 0.95, (2, 4, 3))
    w = rng.uniform(0.5, 2.0, 3)
    cases = [
        ("L1Loss", {}, x, y), ("L1Loss", {"reduction": "sum"}, x, y),
        ("SmoothL1Loss", {"beta": 0.5}, x, y), ("HuberLoss", {"delta": 0.4}, x, y),
        ("HuberLoss", {"reduction": "none"}, x, y),
        ("BCELoss", {}, p, q), ("BCELoss", {"weight": w, "reduction": "sum"}, p, q),
        ("BCEWithLogitsLoss", {}, x, q),
        ("BCEWithLogitsLoss", {"weight": w, "pos_weight": w[::-1].copy()}, x, q),
    ]
    for name, kwargs, a, b in cases:
        tk = {k: torch.tensor(np.asarray(v, dtype=dtype)) if isinstance(v, np.ndarray) else v
              for k, v in kwargs.items()}
        mk = {k: _t(np.asarray(v, dtype=dtype)) if isinstance(v, np.ndarray) else v
              for k, v in kwargs.items()}
        tl, ml = getattr(torch.nn, name)(**tk), getattr(nn, name)(**mk)
        assert repr(ml) == repr(tl)
        ta = torch.tensor(a.astype(dtype), requires_grad=True)
        ma = _t(a.astype(dtype), requires_grad=True)
        out_t = tl(ta, torch.tensor(b.astype(dtype)))
        out_m = ml(ma, _t(b.astype(dtype)))
        np.testing.assert_allclose(out_m._array, out_t.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
        out_t.sum().backward()
        out_m.sum().backward()
        np.testing.assert_allclose(ma.grad._array, ta.grad.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    assert list(nn.BCEWithLogitsLoss(pos_weight=_t(w)).state_dict()) == ["pos_weight"]


# ---- one_hot --------------------------------------------------------------------------------

def test_one_hot():
    idx = np.array([[0, 3], [2, 1]])
    out = F.one_hot(_t(idx), 5)
    assert out.dtype == minigrad.int64 and tuple(out.shape) == (2, 2, 5)
    np.testing.assert_array_equal(out._array, np.eye(5, dtype=np.int64)[idx])
    np.testing.assert_array_equal(F.one_hot(_t(idx))._array, np.eye(4, dtype=np.int64)[idx])
    assert tuple(F.one_hot(_t(np.zeros(0, dtype=np.int64)), 3).shape) == (0, 3)
    for bad, kwargs, msg in [([0, 5], {"num_classes": 3}, "smaller than num_classes"),
                             ([-1, 1], {}, "non-negative"),
                             ([0.0, 1.0], {}, "LongTensor")]:
        with pytest.raises(RuntimeError, match=msg):
            F.one_hot(_t(bad), **kwargs)
    with pytest.raises(RuntimeError, match="empty tensor"):
        F.one_hot(_t(np.zeros(0, dtype=np.int64)))


def test_one_hot_matches_torch(torch):
    idx = _rng(11).integers(0, 6, (3, 4))
    np.testing.assert_array_equal(F.one_hot(_t(idx), 7)._array,
                                  torch.nn.functional.one_hot(torch.tensor(idx), 7).numpy())


# ---- layer_norm, normalize, LayerNorm ---------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,normalized", [((3, 5), (5,)), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_matches_torch(check_op, dtype, shape, normalized, affine):
    if affine:
        check_op([shape, normalized, normalized],
                 lambda t, x, w, b: t.nn.functional.layer_norm(x, normalized, w, b, eps=1e-3),
                 dtype=dtype, **_tol(dtype))
    else:
        check_op([shape], lambda t, x: t.nn.functional.layer_norm(x, normalized),
                 dtype=dtype, **dict(_tol(dtype), rtol=1e-3, atol=1e-5)
                 if dtype == np.float32 else _tol(dtype))


def test_layer_norm_follows_its_formula_and_gradcheck():
    rng = _rng(12)
    x = rng.standard_normal((2, 3, 4))
    w, b = rng.standard_normal((2, 3, 4))[0], rng.standard_normal((3, 4))
    mu = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    ref = (x - mu) / np.sqrt(var + 1e-5) * w + b
    np.testing.assert_allclose(F.layer_norm(_t(x), (3, 4), _t(w), _t(b))._array, ref,
                               rtol=1e-10, atol=1e-12)
    args = [_t(a, requires_grad=True) for a in (x, w, b)]
    assert minigrad.gradcheck(lambda x, w, b: F.layer_norm(x, [4], w[0], b[0]), args)


def test_layer_norm_errors():
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                                           r"shape \[\*, 4\], but got input of size\[2, 3\]"):
        F.layer_norm(_t(np.zeros((2, 3))), (4,))
    with pytest.raises(RuntimeError, match="weight"):
        F.layer_norm(_t(np.zeros((2, 3))), (3,), _t(np.ones(2)))
    with pytest.raises(TypeError):
        F.layer_norm(_t(np.zeros((2, 3), dtype=np.int64)), (3,))
    with pytest.raises(TypeError):
        nn.LayerNorm("3")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1), (math.inf, 1), (2.0, (0, 1))])
def test_normalize_matches_torch(check_op, dtype, p, dim):
    check_op([(3, 4)], lambda t, x: t.nn.functional.normalize(x, p=p, dim=dim),
             dtype=dtype, **_tol(dtype))


def test_normalize_formula_zero_rows_and_gradcheck():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    out = F.normalize(_t(x))
    np.testing.assert_allclose(out._array, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-12)
    # A zero row is x / eps: its gradient is finite, w / eps (no 0 * inf from the root).
    xm = _t(x, requires_grad=True)
    w = _rng(13).standard_normal((2, 2))
    (F.normalize(xm) * _t(w)).sum().backward()
    np.testing.assert_allclose(xm.grad._array[1], w[1] / 1e-12, rtol=1e-12)
    for p in (2.0, 1.5):
        assert minigrad.gradcheck(lambda a: F.normalize(a, p=p, dim=0),
                                  _t(_rng(14).standard_normal((3, 2)), requires_grad=True))
    with pytest.raises(ValueError):
        F.normalize(_t(x), p=0.0)


def test_normalize_zero_rows_match_torch(check_op):
    check_op(None, lambda t, x: t.nn.functional.normalize(x),
             vals=_vals(np.float64, [[3.0, 4.0], [0.0, 0.0]]), rtol=1e-12, grad_rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [dict(), dict(elementwise_affine=False), dict(bias=False),
                                    dict(eps=1e-3)])
def test_layernorm_layer_matches_torch(torch, dtype, kwargs):
    tl = torch.nn.LayerNorm([3, 4], dtype=getattr(torch, np.dtype(dtype).name), **kwargs)
    ml = nn.LayerNorm([3, 4], dtype=getattr(minigrad, np.dtype(dtype).name), **kwargs)
    assert repr(ml) == repr(tl)
    assert [n for n, _ in ml.named_parameters()] == [n for n, _ in tl.named_parameters()]
    for (n, mp), (_, tp) in zip(ml.named_parameters(), tl.named_parameters()):
        np.testing.assert_array_equal(mp._array, tp.detach().numpy())  # ones and zeros
        with torch.no_grad():  # trained values, so that the gradients differ per element
            tp.copy_(torch.tensor(_rng(15).standard_normal(tp.shape).astype(dtype)))
        mp._array[...] = tp.detach().numpy()
    x = _rng(16).standard_normal((2, 3, 4)).astype(dtype)
    _forward_backward(torch, ml, tl, x, dtype)


def _forward_backward(torch, ml, tl, x, dtype, rtol64=1e-10):
    """Same input, output and the gradients (input and parameters) of a random-weighted
    sum, for a minigrad layer and a torch one."""
    xm, xt = _t(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_m, out_t = ml(xm), tl(xt)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=rtol64, atol=1e-12)
    np.testing.assert_allclose(out_m._array, out_t.detach().numpy(), **tol)
    w = _rng(17).standard_normal(out_t.shape).astype(dtype)
    (out_m * _t(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xm.grad._array, xt.grad.numpy(), **tol)
    for (n, mp), (_, tp) in zip(ml.named_parameters(), tl.named_parameters()):
        np.testing.assert_allclose(mp.grad._array, tp.grad.numpy(), err_msg=n, **tol)


# ---- BatchNorm1d ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batchnorm1d_matches_torch(torch, dtype, shape):
    tl = torch.nn.BatchNorm1d(3, momentum=0.3, dtype=getattr(torch, np.dtype(dtype).name))
    ml = nn.BatchNorm1d(3, momentum=0.3, dtype=getattr(minigrad, np.dtype(dtype).name))
    assert repr(ml) == repr(tl)
    assert list(ml.state_dict()) == list(tl.state_dict())
    x = _rng(18).standard_normal(shape).astype(dtype) * 2 + 1
    _forward_backward(torch, ml, tl, x, dtype)  # training: batch statistics
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(ml, name)._array, getattr(tl, name).numpy(),
                                   rtol=1e-5)
    ml.eval()
    tl.eval()
    _forward_backward(torch, ml, tl, x, dtype)


def test_batchnorm1d_normalises_each_channel():
    x = _rng(19).standard_normal((8, 3, 4)) * 3 + 2
    bn = nn.BatchNorm1d(3, dtype=minigrad.float64)
    out = bn(_t(x))._array
    np.testing.assert_allclose(out.mean(axis=(0, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2)), x.var(axis=(0, 2)) /
                               (x.var(axis=(0, 2)) + 1e-5), rtol=1e-10)
    np.testing.assert_allclose(bn.running_var._array,
                               0.9 + 0.1 * x.var(axis=(0, 2), ddof=1), rtol=1e-12)
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        bn(_t(np.zeros((2, 3, 4, 4))))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(_t(np.zeros((2, 3, 4))))


# ---- activations ----------------------------------------------------------------------------

# The bounds and the ties (0, +-3, 6, +-1) are where the gradients' conventions differ.
_EDGES = [-7.0, -6.0, -3.0, -2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5, 3.0, 6.0, 7.0, 25.0, -25.0]

ACTIVATIONS = [
    ("relu6", {}), ("hardtanh", {}), ("hardtanh", {"min_val": -2.5, "max_val": 0.5}),
    ("logsigmoid", {}), ("mish", {}), ("hardswish", {}), ("hardsigmoid", {}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kwargs", ACTIVATIONS)
def test_activations_match_torch(check_op, dtype, name, kwargs):
    fn = lambda t, x: getattr(t.nn.functional, name)(x, **kwargs)
    tol = _tol(dtype)
    if dtype == np.float64 and name in ("hardsigmoid", "hardswish"):
        # torch's backward uses the float32 constants 1/6 and 1/3 in double too.
        tol.update(grad_rtol=1e-7)
    check_op([(4, 5)], fn, low=-5, high=5, dtype=dtype, **tol)
    check_op(None, fn, vals=_vals(dtype, _EDGES), **tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmin_matches_torch(check_op, dtype, dim):
    check_op([(3, 4, 2)], lambda t, x: t.nn.functional.softmin(x, dim), dtype=dtype,
             **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xshape,wshape", [((4, 3), (3,)), ((2, 3, 4, 2), (3,)),
                                           ((2, 3, 4), (1,)), ((5,), (1,))])
def test_prelu_matches_torch(check_op, dtype, xshape, wshape):
    check_op([xshape, wshape], lambda t, x, w: t.nn.functional.prelu(x, w), dtype=dtype,
             **_tol(dtype))


def test_activations_follow_their_formulas():
    x = np.array(_EDGES + list(_rng(20).standard_normal(10) * 4))
    relu6 = np.minimum(np.maximum(x, 0), 6)
    cases = {
        "relu6": relu6,
        "hardtanh": np.clip(x, -1, 1),
        "logsigmoid": np.log(1 / (1 + np.exp(-x))),
        "mish": x * np.tanh(np.log1p(np.exp(x))),
        "hardswish": x * np.minimum(np.maximum(x + 3, 0), 6) / 6,
        "hardsigmoid": np.minimum(np.maximum(x + 3, 0), 6) / 6,
    }
    for name, ref in cases.items():
        np.testing.assert_allclose(getattr(F, name)(_t(x))._array, ref, rtol=1e-12,
                                   atol=1e-15, err_msg=name)
    e = np.exp(-x)
    np.testing.assert_allclose(F.softmin(_t(x), 0)._array, e / e.sum(), rtol=1e-12)
    a = np.array([0.1, -0.3])
    xs = x[:20].reshape(10, 2)
    np.testing.assert_allclose(F.prelu(_t(xs), _t(a))._array, np.where(xs > 0, xs, a * xs),
                               rtol=1e-15)
    # Gradients at the bounds, as torch: 0 at both ends of hardtanh/hardsigmoid, the
    # outer pieces' slopes (0 and 1) at the ends of hardswish, w at 0 for prelu.
    xt = _t([-3.0, 3.0, -1.0, 1.0], requires_grad=True)
    F.hardtanh(xt).sum().backward()
    np.testing.assert_array_equal(xt.grad._array, [0, 0, 0, 0])
    xt = _t([-3.0, 3.0, 0.0], requires_grad=True)
    F.hardswish(xt).sum().backward()
    np.testing.assert_allclose(xt.grad._array, [0.0, 1.0, 0.5])
    xt = _t([-3.0, 3.0, 0.0], requires_grad=True)
    F.hardsigmoid(xt).sum().backward()
    np.testing.assert_allclose(xt.grad._array, [0, 0, 1 / 6])
    xt, w = _t([0.0, -2.0, 2.0], requires_grad=True), _t([0.25], requires_grad=True)
    F.prelu(xt, w).sum().backward()
    np.testing.assert_allclose(xt.grad._array, [0.25, 0.25, 1.0])
    np.testing.assert_allclose(w.grad._array, [-2.0])


def test_activations_gradcheck():
    # Away from the kinks, where finite differences are exact enough.
    x = _t(np.array([-4.2, -2.1, -0.7, 0.4, 1.3, 2.6, 5.1, 6.8]), requires_grad=True)
    for name in ("relu6", "hardtanh", "logsigmoid", "mish", "hardswish", "hardsigmoid"):
        assert minigrad.gradcheck(getattr(F, name), x), name
    assert minigrad.gradcheck(lambda a: F.softmin(a.reshape(2, 4), 1), x)
    w = _t(np.array([0.3, -0.2]), requires_grad=True)
    assert minigrad.gradcheck(lambda a, w: F.prelu(a.reshape(4, 2), w), (x, w))


def test_activations_inplace():
    for name in ("relu6", "hardtanh", "mish", "hardswish", "hardsigmoid"):
        x = _t(np.linspace(-5, 7, 9))
        expected = getattr(F, name)(x)._array.copy()
        out = getattr(F, name)(x, inplace=True)
        assert out is x, name
        np.testing.assert_array_equal(x._array, expected)
    x = _t(np.linspace(-2, 2, 5))
    F.hardtanh_(x, -0.5, 0.5)
    np.testing.assert_array_equal(x._array, np.clip(np.linspace(-2, 2, 5), -0.5, 0.5))
    with pytest.raises(RuntimeError):  # a leaf that requires grad, as torch
        F.relu6(_t(np.ones(3), requires_grad=True), inplace=True)


def test_activation_errors():
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(_t([1.0]), 2.0, 1.0)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel"):
        F.prelu(_t(np.zeros((2, 3))), _t(np.ones(2)))
    with pytest.raises(RuntimeError, match="channel size = 1"):  # 1-D: no channel dim
        F.prelu(_t(np.zeros(5)), _t(np.ones(5)))
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(_t(np.zeros((2, 3))))
    for name in ("logsigmoid", "mish", "hardswish", "hardsigmoid"):
        with pytest.raises(NotImplementedError):  # no integer kernels in torch either
            getattr(F, name)(_t([1, 2]))
    with pytest.raises(NotImplementedError):
        F.prelu(_t([1, 2]), _t([1]))
    out = F.relu6(_t([-4, 1, 7]))
    assert out.dtype == minigrad.int64 and out.tolist() == [0, 1, 6]
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        nn.Softmin()(_t(np.zeros((2, 3))))


@pytest.mark.parametrize("dtype", DTYPES)
def test_activation_layers_match_torch(torch, dtype):
    x = _rng(21).uniform(-7, 7, (2, 3, 4, 2)).astype(dtype)
    x[0, 0, 0] = [-3.0, 3.0]
    layers = [("ReLU6", (), {}), ("ReLU6", (True,), {}), ("Hardtanh", (), {}),
              ("Hardtanh", (-2, 3), {}), ("Hardtanh", (-2.0, 3.0, True), {}),
              ("LogSigmoid", (), {}), ("Softmin", (1,), {}), ("Softmin", (), {"dim": -1}),
              ("Softmax2d", (), {}), ("Mish", (), {}), ("Mish", (True,), {}),
              ("Hardswish", (), {}), ("Hardswish", (True,), {}), ("Hardsigmoid", (), {}),
              ("Hardsigmoid", (True,), {}), ("PReLU", (), {}), ("PReLU", (3, 0.1), {})]
    for name, args, kwargs in layers:
        tdt = {"dtype": getattr(torch, np.dtype(dtype).name)} if name == "PReLU" else {}
        mdt = {"dtype": getattr(minigrad, np.dtype(dtype).name)} if name == "PReLU" else {}
        tl = getattr(torch.nn, name)(*args, **kwargs, **tdt)
        ml = getattr(nn, name)(*args, **kwargs, **mdt)
        assert repr(ml) == repr(tl), name
        if name == "PReLU":
            np.testing.assert_array_equal(ml.weight._array, tl.weight.detach().numpy())
        if getattr(tl, "inplace", False):
            continue  # in-place on a leaf: covered by test_activations_inplace
        # torch's Hard* backward uses float32 constants (1/6, 1/3) in double too.
        _forward_backward(torch, ml, tl, x, dtype, 1e-7 if name.startswith("Hards") else 1e-10)


# ---- Unflatten ------------------------------------------------------------------------------

def test_unflatten(torch):
    x = _rng(22).standard_normal((2, 12))
    for dim, sizes in [(1, (3, 4)), (-1, [2, -1, 3]), (1, (12,))]:
        ml, tl = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
        assert repr(ml) == repr(tl)
        xm = _t(x, requires_grad=True)
        out = ml(xm)
        np.testing.assert_array_equal(out._array, tl(torch.tensor(x)).numpy())
        out.sum().backward()
        np.testing.assert_array_equal(xm.grad._array, np.ones_like(x))
    # The inverse of Flatten.
    y = _rng(23).standard_normal((2, 3, 4, 5))
    back = nn.Unflatten(1, (3, 4, 5))(nn.Flatten()(_t(y)))
    np.testing.assert_array_equal(back._array, y)
    with pytest.raises(RuntimeError, match=r"Provided sizes \[5, -1\] don't multiply up"):
        nn.Unflatten(1, (5, -1))(_t(x))
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        nn.Unflatten(1, (-1, -1))(_t(x))
    with pytest.raises(TypeError, match="tuple of ints"):
        nn.Unflatten(1, 3)
    with pytest.raises(TypeError, match="element of type float at pos 0"):
        nn.Unflatten(1, (2.0, 6))
    with pytest.raises(IndexError):
        nn.Unflatten(3, (3, 4))(_t(x))


# ---- containers -----------------------------------------------------------------------------

def test_module_dict():
    d = nn.ModuleDict({"fc": nn.Linear(2, 3), "act": nn.ReLU()})
    assert list(d) == ["fc", "act"] and len(d) == 2 and "fc" in d and "x" not in d
    assert isinstance(d["fc"], nn.Linear)
    assert list(d.state_dict()) == ["fc.weight", "fc.bias"]
    assert repr(d) == ("ModuleDict(\n  (fc): Linear(in_features=2, out_features=3, bias=True)"
                       "\n  (act): ReLU()\n)")
    d["out"] = nn.Linear(3, 1)
    d.update([("act", nn.Tanh())])
    assert list(d.keys()) == ["fc", "act", "out"] and isinstance(d["act"], nn.Tanh)
    assert len(list(d.parameters())) == 4
    assert isinstance(d.pop("out"), nn.Linear) and len(d) == 2
    del d["act"]
    assert list(d.values())[0] is d["fc"] and [k for k, _ in d.items()] == ["fc"]
    with pytest.raises(KeyError):
        d["missing"]
    with pytest.raises(TypeError, match="iterable of key/value pairs"):
        d.update(3)
    with pytest.raises(TypeError, match="not a Module subclass"):
        nn.ModuleDict({"a": 3})
    d.clear()
    assert len(d) == 0 and repr(d) == "ModuleDict()"


def test_parameter_list():
    a = nn.Parameter(minigrad.zeros(3, 4))
    plain = minigrad.ones(2)
    p = nn.ParameterList([a, plain])
    assert len(p) == 2 and p[0] is a and p[-1] is p[1]
    assert isinstance(p[1], nn.Parameter) and p[1].requires_grad  # a Tensor becomes one
    np.testing.assert_array_equal(p[1]._array, np.ones(2))
    assert list(p.state_dict()) == ["0", "1"]
    assert repr(p) == ("ParameterList(\n    (0): Parameter containing: [minigrad.float32 of size "
                       "3x4]\n    (1): Parameter containing: [minigrad.float32 of size 2]\n)")
    p.append(nn.Parameter(minigrad.zeros(1)))
    p += [minigrad.zeros(5)]
    assert [tuple(q.shape) for q in p] == [(3, 4), (2,), (1,), (5,)]
    assert [tuple(q.shape) for q in p[1:3]] == [(2,), (1,)]
    p[0] = minigrad.ones(7)
    assert tuple(p[0].shape) == (7,) and len(list(p.parameters())) == 4
    with pytest.raises(IndexError):
        p[4]
    with pytest.raises(TypeError):
        p.extend(minigrad.zeros(2))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([minigrad.ones(2) for _ in range(3)])

        def forward(self, x):
            for s in self.scales:
                x = x * s
            return x.sum()
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scales.0", "scales.1", "scales.2"]
    net(minigrad.ones(2)).backward()
    assert all(q.grad is not None for q in net.parameters())


def test_parameter_dict():
    d = nn.ParameterDict({"a": nn.Parameter(minigrad.zeros(3)), "b": minigrad.ones(2)})
    assert list(d) == ["a", "b"] and len(d) == 2 and "a" in d
    assert isinstance(d["b"], nn.Parameter)
    assert list(d.state_dict()) == ["a", "b"]
    assert repr(d) == ("ParameterDict(\n    (a): Parameter containing: [minigrad.float32 of size "
                       "3]\n    (b): Parameter containing: [minigrad.float32 of size 2]\n)")
    d["c"] = minigrad.zeros(1)
    d.update({"a": minigrad.ones(4)})
    assert list(d.keys()) == ["a", "b", "c"] and tuple(d["a"].shape) == (4,)
    assert d.get("zz") is None and d.get("c") is d["c"]
    assert d.setdefault("e", minigrad.zeros(2)) is d["e"]
    key, value = d.popitem()
    assert key == "e" and tuple(value.shape) == (2,)
    assert tuple(d.pop("c").shape) == (1,) and list(d) == ["a", "b"]
    copy = d.copy()
    assert list(copy) == ["a", "b"] and copy["a"] is d["a"]
    assert [v for v in d.values()][1] is d["b"] and len(list(d.parameters())) == 2
    del d["a"]
    assert list(d) == ["b"] and [n for n, _ in d.named_parameters()] == ["b"]
    with pytest.raises(KeyError):
        d["a"]
    with pytest.raises(TypeError):
        d[1] = minigrad.zeros(1)
    d.clear()
    assert len(d) == 0 and repr(d) == "ParameterDict()"


def test_parameter_containers_repr_as_torch(torch):
    tl = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(3, 4)), torch.zeros(2)])
    ml = nn.ParameterList([nn.Parameter(minigrad.zeros(3, 4)), minigrad.zeros(2)])
    assert repr(ml) == repr(tl).replace("torch.", "minigrad.")
    md = nn.ModuleDict({"a": nn.ReLU6(), "b": nn.LayerNorm(3)})
    td = torch.nn.ModuleDict({"a": torch.nn.ReLU6(), "b": torch.nn.LayerNorm(3)})
    assert repr(md) == repr(td)
