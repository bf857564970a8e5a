"""minigrad.optim: Adadelta, RMSprop and Adagrad against the update rules of the PyTorch
docs written out here in NumPy (float64), and, where torch is importable, against torch
step for step (the same parameters, the same gradients, ~20 steps).

minigrad runs PyTorch's operations in PyTorch's order, so in float64 it agrees with the
formulas to a few ulps and in float32 with torch to float32 round-off.
"""
import math

import numpy as np
import pytest

import minigrad
from minigrad import optim

STEPS = 20
SHAPES = [(3, 4), (5,)]


def data(seed, dtype=np.float64, shapes=SHAPES, steps=STEPS):
    """Initial parameters and one gradient per parameter and step, from ``seed``."""
    rng = np.random.default_rng(seed)
    p0 = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps)]
    return p0, grads


def values(p):
    return p.detach().numpy()


def run_minigrad(cls, p0, grads, **kw):
    """The parameters after each step, and the optimizer."""
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in p0]
    opt = cls(params, **kw)
    history = []
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = minigrad.tensor(g.copy())
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


# ------------------------------------------------------------ reference rules ----
# torch.optim's documented algorithms, one parameter at a time, in float64.


def effective_grad(g, p, weight_decay, maximize):
    """The gradient the update uses: negated to maximize, plus the L2 term."""
    g = -np.asarray(g, dtype=np.float64) if maximize else np.asarray(g, dtype=np.float64)
    return g + weight_decay * p if weight_decay else g


def ref_adadelta(p, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    p = np.array(p, dtype=np.float64)
    v, u = np.zeros_like(p), np.zeros_like(p)
    out = []
    for g in grads:
        g = effective_grad(g, p, weight_decay, maximize)
        v = rho * v + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
        out.append(p)
    return out, {"square_avg": v, "acc_delta": u}


def ref_rmsprop(p, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False, maximize=False):
    p = np.array(p, dtype=np.float64)
    v, gbar, buf = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    out = []
    for g in grads:
        g = effective_grad(g, p, weight_decay, maximize)
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            avg = np.sqrt(v - gbar * gbar) + eps
        else:
            avg = np.sqrt(v) + eps
        if momentum > 0:
            buf = momentum * buf + g / avg
            p = p - lr * buf
        else:
            p = p - lr * g / avg
        out.append(p)
    state = {"square_avg": v}
    if momentum > 0:
        state["momentum_buffer"] = buf
    if centered:
        state["grad_avg"] = gbar
    return out, state


def ref_adagrad(p, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    p = np.array(p, dtype=np.float64)
    s = np.full_like(p, initial_accumulator_value)
    out = []
    for t, g in enumerate(grads, 1):
        g = effective_grad(g, p, weight_decay, maximize)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        p = p - clr * g / (np.sqrt(s) + eps)
        out.append(p)
    return out, {"sum": s}


# Every option that changes the arithmetic, alone and together.
CASES = [
    (optim.Adadelta, ref_adadelta, {}),
    (optim.Adadelta, ref_adadelta, {"lr": 0.5, "rho": 0.6, "eps": 1e-3}),
    (optim.Adadelta, ref_adadelta, {"weight_decay": 0.1}),
    (optim.Adadelta, ref_adadelta, {"maximize": True, "weight_decay": 0.05, "rho": 0.95}),
    (optim.RMSprop, ref_rmsprop, {}),
    (optim.RMSprop, ref_rmsprop, {"lr": 0.05, "alpha": 0.9, "eps": 1e-4}),
    (optim.RMSprop, ref_rmsprop, {"weight_decay": 0.1}),
    (optim.RMSprop, ref_rmsprop, {"momentum": 0.9}),
    # alpha 0.99 and 0.3: 1 - alpha on both sides of 0.5, the two branches of lerp
    (optim.RMSprop, ref_rmsprop, {"centered": True}),
    (optim.RMSprop, ref_rmsprop, {"centered": True, "alpha": 0.3}),
    (optim.RMSprop, ref_rmsprop, {"centered": True, "momentum": 0.5, "weight_decay": 0.01,
                                  "maximize": True}),
    (optim.Adagrad, ref_adagrad, {}),
    (optim.Adagrad, ref_adagrad, {"lr": 0.1, "lr_decay": 0.05}),
    (optim.Adagrad, ref_adagrad, {"weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    (optim.Adagrad, ref_adagrad, {"maximize": True, "eps": 1e-3, "lr_decay": 0.01}),
]
IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
       for cls, _, kw in CASES]


@pytest.mark.parametrize("cls,ref,kw", CASES, ids=IDS)
def test_matches_the_documented_update_in_float64(cls, ref, kw):
    p0, grads = data(1)
    history, opt = run_minigrad(cls, p0, grads, **kw)
    params = opt.param_groups[0]["params"]
    for i, (a, p) in enumerate(zip(p0, params)):
        expected, state = ref(a, [gs[i] for gs in grads], **kw)
        for t in range(STEPS):
            np.testing.assert_allclose(history[t][i], expected[t], rtol=1e-12, atol=1e-14,
                                       err_msg=f"parameter {i}, step {t + 1}")
        got_state = opt.state[p]
        assert set(got_state) == {"step", *state}
        assert float(got_state["step"]) == STEPS
        for name, want in state.items():
            np.testing.assert_allclose(got_state[name].numpy(), want, rtol=1e-12, atol=1e-14,
                                       err_msg=name)


@pytest.mark.parametrize("cls,ref,kw", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_torch_step_by_step(cls, ref, kw, dtype):
    torch = pytest.importorskip("torch")
    p0, grads = data(2, np.dtype(dtype))
    history, opt = run_minigrad(cls, p0, grads, **kw)
    tparams = [torch.tensor(a.copy(), requires_grad=True) for a in p0]
    topt = getattr(torch.optim, cls.__name__)(tparams, **kw)
    rtol, atol = (2e-5, 1e-6) if dtype == "float32" else (1e-12, 1e-14)
    for t, gs in enumerate(grads):
        for p, g in zip(tparams, gs):
            p.grad = torch.tensor(g.copy())
        topt.step()
        for i, p in enumerate(tparams):
            assert history[t][i].dtype == np.dtype(dtype)
            np.testing.assert_allclose(history[t][i], p.detach().numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"parameter {i}, step {t + 1}")
    # The same state, under the same names, with the step count as a 0-d float32.
    for i, p in enumerate(tparams):
        mine, theirs = opt.state[opt.param_groups[0]["params"][i]], topt.state[p]
        assert set(mine) == set(theirs)
        for name, value in theirs.items():
            np.testing.assert_allclose(mine[name].numpy(), value.numpy(), rtol=rtol,
                                       atol=atol, err_msg=name)
            assert mine[name].dtype.name == str(value.dtype).removeprefix("torch.")
    # The groups hold the same options (PyTorch's names and defaults).
    mine = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    theirs = {k: v for k, v in topt.param_groups[0].items() if k != "params"}
    assert mine == theirs


@pytest.mark.parametrize("cls,kw", [(optim.Adadelta, {}), (optim.RMSprop, {}),
                                    (optim.Adagrad, {})])
def test_defaults_are_pytorchs(cls, kw):
    torch = pytest.importorskip("torch")
    mine = cls([minigrad.tensor([1.0], requires_grad=True)]).defaults
    theirs = getattr(torch.optim, cls.__name__)([torch.tensor([1.0], requires_grad=True)]).defaults
    assert mine == theirs


@pytest.mark.parametrize("cls", [optim.Adadelta, optim.RMSprop, optim.Adagrad])
def test_constructor_signature_is_pytorchs(cls):
    torch = pytest.importorskip("torch")
    import inspect
    mine = inspect.signature(cls.__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, cls.__name__).__init__).parameters
    assert [(n, p.kind, p.default) for n, p in mine.items()] == \
        [(n, p.kind, p.default) for n, p in theirs.items()]


def test_defaults_by_hand():
    # One Adagrad step from zero sum: s = g^2, p -= lr * g / (|g| + eps) = lr * sign(g).
    p = minigrad.tensor([1.0, -2.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.Adagrad([p])
    p.grad = minigrad.tensor([4.0, -0.5], dtype=minigrad.float64)
    opt.step()
    np.testing.assert_allclose(values(p), [1.0 - 0.01, -2.0 + 0.01], rtol=1e-9)
    # One RMSprop step: v = 0.01 g^2, p -= lr * g / (0.1 |g| + eps) = 0.1 * sign(g).
    p = minigrad.tensor([1.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.RMSprop([p])
    p.grad = minigrad.tensor([3.0], dtype=minigrad.float64)
    opt.step()
    np.testing.assert_allclose(values(p), [1.0 - 0.1], rtol=1e-7)
    # One Adadelta step: v = 0.1 g^2, delta = sqrt(eps) / sqrt(0.1 g^2 + eps) * g.
    p = minigrad.tensor([1.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.Adadelta([p])
    p.grad = minigrad.tensor([2.0], dtype=minigrad.float64)
    opt.step()
    delta = math.sqrt(1e-6) / math.sqrt(0.4 + 1e-6) * 2.0
    assert p.item() == pytest.approx(1.0 - delta, rel=1e-12)


# ------------------------------------------------------- groups, grads, state ----


@pytest.mark.parametrize("cls,ref,kw", [
    (optim.Adadelta, ref_adadelta, {"lr": 0.5}),
    (optim.RMSprop, ref_rmsprop, {"momentum": 0.9, "centered": True}),
    (optim.Adagrad, ref_adagrad, {"lr_decay": 0.1}),
])
def test_groups_have_their_own_options_and_params_without_grad_are_skipped(cls, ref, kw):
    p0, grads = data(3, shapes=[(2,), (3,), (4,)], steps=5)
    a, b, frozen = (minigrad.tensor(x.copy(), requires_grad=True) for x in p0)
    opt = cls([{"params": [a]}, {"params": [b, frozen], "lr": 0.02}], **kw)
    for gs in grads:
        a.grad, b.grad = minigrad.tensor(gs[0]), minigrad.tensor(gs[1])
        opt.step()
    np.testing.assert_allclose(values(a), ref(p0[0], [g[0] for g in grads], **kw)[0][-1],
                               rtol=1e-12)
    expected_b = ref(p0[1], [g[1] for g in grads], **dict(kw, lr=0.02))[0][-1]
    np.testing.assert_allclose(values(b), expected_b, rtol=1e-12)
    assert values(frozen).tolist() == p0[2].tolist() and frozen._version == 0
    # Adagrad keeps state for every parameter from the start (PyTorch's layout); the
    # others only for parameters that have been stepped.
    expected_steps = 0 if cls is optim.Adagrad else None
    assert (float(opt.state[frozen]["step"]) if frozen in opt.state else None) == expected_steps


@pytest.mark.parametrize("cls,kw", [
    (optim.Adadelta, {"weight_decay": 0.1}),
    (optim.RMSprop, {"momentum": 0.9, "centered": True}),
    (optim.RMSprop, {"alpha": 0.9}),
    (optim.Adagrad, {"lr_decay": 0.1, "initial_accumulator_value": 0.1}),
])
def test_state_dict_round_trips_through_save_and_load(cls, kw, tmp_path):
    p0, grads = data(4, np.float32, shapes=[(3,), (2, 2)], steps=8)
    full, _ = run_minigrad(cls, p0, grads, **kw)

    first, opt = run_minigrad(cls, p0, grads[:4], **kw)
    path = tmp_path / "opt.pt"
    minigrad.save(opt.state_dict(), str(path))
    saved = opt.state_dict()
    assert sorted(saved["state"]) == [0, 1]
    assert saved["param_groups"][0]["params"] == [0, 1]
    assert all(isinstance(v, minigrad.Tensor) for s in saved["state"].values() for v in s.values())

    params = [minigrad.tensor(x.copy(), requires_grad=True) for x in first[-1]]
    opt2 = cls(params, lr=123.0)  # the loaded groups' options replace these
    opt2.load_state_dict(minigrad.load(str(path)))
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for p, q in zip(opt.param_groups[0]["params"], params):
        for name, value in opt.state[p].items():
            loaded = opt2.state[q][name]
            assert loaded is not value and loaded.dtype == value.dtype
            np.testing.assert_array_equal(loaded.numpy(), value.numpy())
    for gs in grads[4:]:
        for p, g in zip(params, gs):
            p.grad = minigrad.tensor(g.copy())
        opt2.step()
    for p, want in zip(params, full[-1]):
        np.testing.assert_array_equal(values(p), want)  # the same floats, step for step


def test_rmsprop_refuses_another_optimizers_state_but_takes_its_own_options():
    p = minigrad.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.RMSprop([p], momentum=0.9)
    group = {"lr": 0.01, "momentum": 0.9, "params": [0]}
    with pytest.raises(ValueError, match="another optimizer"):
        opt.load_state_dict({"state": {0: {"step": 1.0, "sum": np.zeros(2)}},
                             "param_groups": [group]})
    with pytest.raises(ValueError, match="another optimizer"):  # square_avg is required
        opt.load_state_dict({"state": {0: {"step": 1.0, "momentum_buffer": np.zeros(2)}},
                             "param_groups": [group]})
    opt.load_state_dict({"state": {0: {"step": 2.0, "square_avg": np.ones(2),
                                       "momentum_buffer": np.zeros(2)}},
                         "param_groups": [group]})
    assert set(opt.state[p]) == {"step", "square_avg", "momentum_buffer"}
    with pytest.raises(ValueError, match="another optimizer"):
        optim.Adagrad([p]).load_state_dict({"state": {0: dict(opt.state[p])},
                                            "param_groups": [{"params": [0]}]})


def test_rmsprop_state_grows_when_momentum_or_centering_is_switched_on():
    p = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.RMSprop([p])
    p.grad = minigrad.tensor([1.0, 1.0], dtype=minigrad.float64)
    opt.step()
    assert set(opt.state[p]) == {"step", "square_avg"}
    opt.param_groups[0].update(momentum=0.5, centered=True)
    opt.step()
    assert set(opt.state[p]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
    assert float(opt.state[p]["step"]) == 2


def test_adagrad_add_param_group_gets_state():
    a = minigrad.tensor([1.0], requires_grad=True)
    b = minigrad.tensor([2.0, 3.0], requires_grad=True)
    opt = optim.Adagrad([a], initial_accumulator_value=0.25)
    opt.add_param_group({"params": [b], "initial_accumulator_value": 1.0})
    assert opt.state[a]["sum"].tolist() == [0.25]
    assert opt.state[b]["sum"].tolist() == [1.0, 1.0]
    assert opt.state_dict()["state"][1]["step"].item() == 0.0


@pytest.mark.parametrize("cls", [optim.Adadelta, optim.RMSprop, optim.Adagrad])
def test_step_writes_in_place_bumps_versions_and_returns_the_closure_loss(cls):
    p = minigrad.tensor([1.0, 2.0], requires_grad=True)
    array = p._array
    opt = cls([p])
    calls = []

    def closure():
        calls.append(minigrad.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert calls == [True] and loss.item() == pytest.approx(5.0)
    assert p._array is array and p._version == 1 and not p.tolist() == [1.0, 2.0]
    assert p.grad_fn is None and p.requires_grad
    assert opt.step() is None


@pytest.mark.parametrize("cls", [optim.Adadelta, optim.RMSprop, optim.Adagrad])
def test_zero_dimensional_parameters(cls):
    p = minigrad.tensor(1.5, dtype=minigrad.float64, requires_grad=True)
    q = minigrad.tensor([1.5], dtype=minigrad.float64, requires_grad=True)
    opt_p, opt_q = cls([p]), cls([q])
    for g in (0.5, -1.0, 2.0):
        p.grad = minigrad.tensor(g, dtype=minigrad.float64)
        q.grad = minigrad.tensor([g], dtype=minigrad.float64)
        opt_p.step()
        opt_q.step()
    assert p.shape == () and p.item() == q.item() != 1.5


def test_a_model_trains():
    # A least-squares fit: each optimizer lowers the loss a lot in 60 steps.
    rng = np.random.default_rng(5)
    x = minigrad.tensor(rng.standard_normal((16, 3)).astype(np.float32))
    y = x @ minigrad.tensor([[1.0], [-2.0], [0.5]])
    for cls, kw in [(optim.Adadelta, {"lr": 1.0, "eps": 1e-3}), (optim.RMSprop, {"lr": 0.05}),
                    (optim.Adagrad, {"lr": 0.5})]:
        w = minigrad.zeros(3, 1, requires_grad=True)
        opt = cls([w], **kw)
        losses = []
        for _ in range(60):
            opt.zero_grad()
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[-1] < 0.2 * losses[0], cls.__name__


# ------------------------------------------------------------- validation ----

INVALID = [
    ("Adadelta", {"lr": -1}, "Invalid learning rate: -1"),
    ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    ("Adadelta", {"eps": -1e-6}, "Invalid epsilon value: -1e-06"),
    ("Adadelta", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("RMSprop", {"lr": -0.01}, "Invalid learning rate: -0.01"),
    ("RMSprop", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ("RMSprop", {"momentum": -0.9}, "Invalid momentum value: -0.9"),
    ("RMSprop", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    ("RMSprop", {"alpha": -0.5}, "Invalid alpha value: -0.5"),
    ("Adagrad", {"lr": -1}, "Invalid learning rate: -1"),
    ("Adagrad", {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    ("Adagrad", {"weight_decay": -2}, "Invalid weight_decay value: -2"),
    ("Adagrad", {"initial_accumulator_value": -1}, "Invalid initial_accumulator_value value: -1"),
    ("Adagrad", {"eps": -1e-10}, "Invalid epsilon value: -1e-10"),
]


@pytest.mark.parametrize("name,kw,message", INVALID)
def test_invalid_options_raise_pytorchs_value_error(name, kw, message):
    with pytest.raises(ValueError) as info:
        getattr(optim, name)([minigrad.tensor([1.0], requires_grad=True)], **kw)
    assert str(info.value) == message
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:  # the message is torch's, word for word
        getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)], **kw)
    assert str(theirs.value) == message


@pytest.mark.parametrize("make,exc,message", [
    (lambda p: optim.Adadelta(p, lr="1"), TypeError, "lr: expected a float"),
    (lambda p: optim.RMSprop(p, centered=1), TypeError, "centered: expected a bool"),
    (lambda p: optim.RMSprop(p, capturable=True), ValueError, "capturable=True is not supported"),
    (lambda p: optim.Adadelta(p, differentiable=True), ValueError, "differentiable=True"),
    (lambda p: optim.Adagrad(p, fused=True), ValueError, "fused=True is not supported"),
    (lambda p: optim.Adagrad([{"params": p, "lr_decay": -1.0}]), ValueError, "Invalid lr_decay"),
    (lambda p: optim.RMSprop([], lr=-1.0), ValueError, "Invalid learning rate"),
    (lambda p: optim.Adadelta([]), ValueError, "empty parameter list"),
])
def test_other_bad_arguments(make, exc, message):
    with pytest.raises(exc, match=message):
        make([minigrad.tensor([1.0], requires_grad=True)])


def test_exported_from_minigrad_optim():
    assert {"Adadelta", "RMSprop", "Adagrad"} <= set(optim.__all__)
    assert all(issubclass(c, optim.Optimizer) for c in (optim.Adadelta, optim.RMSprop,
                                                           optim.Adagrad))
