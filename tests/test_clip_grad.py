"""minigrad.nn.utils.clip_grad_norm_ / clip_grad_value_ (and get_total_norm,
clip_grads_with_norm_): against PyTorch's formulas written out in NumPy, and against
PyTorch itself when it is importable."""
import math
import numpy as np
import pytest

import minigrad
from minigrad.nn.utils import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,
                               clip_grads_with_norm_, get_total_norm)

SHAPES = [(3,), (2, 3), (4, 1, 2)]


def _params(seed, scale=1.0, dtype=minigrad.float64):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) * scale for s in SHAPES]
    params = []
    for g in grads:
        p = minigrad.nn.Parameter(minigrad.zeros(*g.shape, dtype=dtype))
        p.grad = minigrad.tensor(g, dtype=dtype)
        params.append(p)
    return params, grads


def _norm(grads, p):
    flat = np.concatenate([g.ravel() for g in grads])
    a = np.abs(flat)
    if p == math.inf:
        return a.max()
    if p == -math.inf:
        return a.min()
    if p == 0:
        return float(np.count_nonzero(a))
    return (a ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, math.inf, -math.inf, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_formula(norm_type, max_norm):
    params, grads = _params(0)
    total = clip_grad_norm_(params, max_norm, norm_type)
    # p = 0 is the one norm that is not that of all elements as one vector: the count
    # of nonzero per-tensor norms (PyTorch's norm of the norms).
    expected = _norm(grads, norm_type) if norm_type != 0 else float(len(grads))
    assert isinstance(total, minigrad.Tensor) and total.shape == ()
    np.testing.assert_allclose(total.item(), expected, rtol=1e-12)
    coef = min(max_norm / (expected + 1e-6), 1.0)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-12)
    if max_norm == 0.5 and norm_type not in (-math.inf, 0):
        # Clipped to the bound (up to the 1e-6), never enlarged when below it.
        np.testing.assert_allclose(_norm([p.grad.numpy() for p in params], norm_type), 0.5,
                                   rtol=1e-5)


def test_clip_grad_norm_skips_params_without_grad_and_takes_one_tensor():
    params, grads = _params(1, scale=10.0)
    extra = minigrad.nn.Parameter(minigrad.zeros(2))  # no gradient: skipped, untouched
    total = clip_grad_norm_(params[:1] + [extra], 1.0)
    np.testing.assert_allclose(total.item(), np.linalg.norm(grads[0]), rtol=1e-12)
    assert extra.grad is None
    one = clip_grad_norm_(params[1], 1.0)  # a single Tensor
    np.testing.assert_allclose(one.item(), np.linalg.norm(grads[1]), rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(params[1].grad.numpy()), 1.0, rtol=1e-5)


def test_clip_grad_norm_in_float32_keeps_the_dtype():
    params, grads = _params(2, scale=5.0, dtype=minigrad.float32)
    total = clip_grad_norm_(params, 1.0)
    assert total.dtype is minigrad.float32
    assert all(p.grad.dtype is minigrad.float32 for p in params)
    np.testing.assert_allclose(total.item(), _norm(grads, 2.0), rtol=1e-5)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf * 0, as PyTorch's NaN
def test_nonfinite_norm():
    params, _ = _params(3)
    params[0].grad = minigrad.tensor([1.0, math.inf, 0.0], dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_(params, 1.0)  # scaled by the infinite norm, as PyTorch
    assert math.isinf(total.item())


def test_empty_and_generators():
    assert get_total_norm([]).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        total = clip_grad_norm_((p for p in []), 1.0)
    assert total.item() == 0.0
    params, grads = _params(4, scale=3.0)
    total = clip_grad_norm_((p for p in params), 1.0)  # a generator is read once
    np.testing.assert_allclose(total.item(), _norm(grads, 2.0), rtol=1e-12)
    with pytest.warns(FutureWarning):
        clip_grad_norm(params, 1.0)


def test_two_halves_are_the_whole():
    params, grads = _params(5, scale=2.0)
    total = get_total_norm([p.grad for p in params], 2.0)
    clip_grads_with_norm_(params, 1.0, total)
    coef = 1.0 / (_norm(grads, 2.0) + 1e-6)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-12)


def test_clip_grad_value():
    params, grads = _params(6, scale=2.0)
    assert clip_grad_value_(params, 0.7) is None
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(g, -0.7, 0.7))


def test_bad_arguments():
    params, _ = _params(7)
    with pytest.raises(TypeError, match="max_norm"):
        clip_grad_norm_(params, "1")
    with pytest.raises(TypeError, match="clip_value"):
        clip_grad_value_(params, True)


def test_in_a_training_step_the_grads_are_the_ones_the_optimizer_uses():
    minigrad.manual_seed(0)
    model = minigrad.nn.Linear(4, 3)
    opt = minigrad.optim.SGD(model.parameters(), lr=1.0)
    x = minigrad.randn(5, 4) * 100
    before = [p.detach().numpy().copy() for p in model.parameters()]
    model(x).sum().backward()
    clip_grad_norm_(model.parameters(), 0.1)
    opt.step()
    step = np.concatenate([(b - p.detach().numpy()).ravel()
                           for b, p in zip(before, model.parameters())])
    np.testing.assert_allclose(np.linalg.norm(step), 0.1, rtol=1e-4)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
def test_against_torch(norm_type):
    torch = pytest.importorskip("torch")
    params, grads = _params(8, scale=4.0)
    tparams = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(g)
        tparams.append(p)
    total = clip_grad_norm_(params, 1.5, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(tparams, 1.5, norm_type)
    np.testing.assert_allclose(total.item(), ref.item(), rtol=1e-12)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    clip_grad_value_(params, 0.1)
    torch.nn.utils.clip_grad_value_(tparams, 0.1)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
