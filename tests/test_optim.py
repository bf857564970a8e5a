"""minigrad.optim: SGD, Adam and AdamW against updates worked out in the test.

Expected values come from small literal examples done by hand and from the update rules
of the PyTorch docs re-written here in plain NumPy (float64), never from minigrad.
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import optim


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


def set_grad(p, g):
    p.grad = minigrad.tensor(np.asarray(g, dtype=p._array.dtype))


# ------------------------------------------------------------ reference rules ----
# The update rules of torch.optim's documentation, one parameter at a time, in float64.


def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    p, buf = np.array(p, dtype=np.float64), None
    for g in grads:
        g = np.array(g, dtype=np.float64)
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p, buf


def ref_adam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             decoupled=False):
    p = np.array(p, dtype=np.float64)
    m, v = np.zeros_like(p), np.zeros_like(p)
    b1, b2 = betas
    for t, g in enumerate(grads, 1):
        g = np.array(g, dtype=np.float64)
        if decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p, m, v


def run(opt_cls, p0, grads, dtype=minigrad.float64, **kw):
    p = leaf(p0, dtype)
    opt = opt_cls([p], **kw)
    for g in grads:
        set_grad(p, g)
        opt.step()
    return p, opt


# ------------------------------------------------------------------- SGD ----


def test_sgd_one_step_by_hand():
    p, _ = run(optim.SGD, [1.0, -2.0], [[0.5, 0.25]], lr=0.1)
    assert p.tolist() == pytest.approx([1.0 - 0.05, -2.0 - 0.025], abs=1e-15)


def test_sgd_momentum_by_hand():
    # b1 = g = 0.5, p1 = 1 - 0.1 * 0.5 = 0.95; b2 = 0.9 * 0.5 + 0.5 = 0.95, p2 = 0.95 - 0.095
    p, opt = run(optim.SGD, [1.0], [[0.5], [0.5]], lr=0.1, momentum=0.9)
    assert p.item() == pytest.approx(0.855, abs=1e-15)
    assert opt.state[p]["momentum_buffer"].item() == pytest.approx(0.95, abs=1e-15)


def test_sgd_dampening_skips_the_first_step():
    # The first buffer is the raw gradient (no dampening); then b = 0.9 * 0.5 + 0.5 * 0.5.
    p, opt = run(optim.SGD, [1.0], [[0.5], [0.5]], lr=0.1, momentum=0.9, dampening=0.5)
    assert opt.state[p]["momentum_buffer"].item() == pytest.approx(0.7, abs=1e-15)
    assert p.item() == pytest.approx(1.0 - 0.05 - 0.07, abs=1e-15)


def test_sgd_nesterov_by_hand():
    # b1 = 0.5; step direction g + 0.9 * b1 = 0.95 -> p1 = 1 - 0.095
    p, _ = run(optim.SGD, [1.0], [[0.5]], lr=0.1, momentum=0.9, nesterov=True)
    assert p.item() == pytest.approx(0.905, abs=1e-15)


def test_sgd_weight_decay_by_hand():
    # g + wd * p = 0.5 + 0.1 * 2 = 0.7 -> p = 2 - 0.07
    p, _ = run(optim.SGD, [2.0], [[0.5]], lr=0.1, weight_decay=0.1)
    assert p.item() == pytest.approx(1.93, abs=1e-15)


@pytest.mark.parametrize("kw", [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.8, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.02, momentum=0.9, weight_decay=0.05),
    dict(lr=0.02, momentum=0.7, weight_decay=0.05, nesterov=True),
])
def test_sgd_matches_the_reference_over_several_steps(kw):
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(5)]
    p, opt = run(optim.SGD, p0, grads, **kw)
    expected, buf = ref_sgd(p0, grads, **kw)
    np.testing.assert_allclose(p._array, expected, rtol=1e-12, atol=1e-14)
    if kw.get("momentum"):
        np.testing.assert_allclose(opt.state[p]["momentum_buffer"]._array, buf, rtol=1e-12, atol=1e-14)
    else:
        assert p not in opt.state  # no momentum, no state (as PyTorch)


@given(lr=st.floats(0.0, 1.0), momentum=st.floats(0.0, 0.99), dampening=st.floats(0.0, 1.0),
       weight_decay=st.floats(0.0, 0.5), nesterov=st.booleans(), steps=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_sgd_matches_the_reference_hypothesis(lr, momentum, dampening, weight_decay, nesterov,
                                              steps, seed):
    if nesterov:
        momentum, dampening = max(momentum, 0.1), 0.0
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(7)
    grads = [rng.standard_normal(7) for _ in range(steps)]
    kw = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
              nesterov=nesterov)
    p, _ = run(optim.SGD, p0, grads, **kw)
    np.testing.assert_allclose(p._array, ref_sgd(p0, grads, **kw)[0], rtol=1e-11, atol=1e-12)


# ------------------------------------------------------------------ Adam ----


def test_adam_first_step_by_hand():
    # m = 0.05, v = 0.00025; bias-corrected m_hat = 0.5, v_hat = 0.25:
    # p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    p, opt = run(optim.Adam, [1.0], [[0.5]], lr=0.1)
    assert p.item() == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)
    s = opt.state[p]
    assert s["exp_avg"].item() == pytest.approx(0.05, abs=1e-16)
    assert s["exp_avg_sq"].item() == pytest.approx(0.00025, abs=1e-17)
    assert s["step"].item() == 1.0 and s["step"].dtype is minigrad.float32


def test_adam_bias_correction_makes_early_steps_lr_sized():
    # With a constant gradient, m_hat = g and v_hat = g^2 at every step: each step moves
    # by lr * |g| / (|g| + eps), whatever betas are (without bias correction the first
    # step would be (1 - b1) / sqrt(1 - b2) ~ 3x smaller).
    p, _ = run(optim.Adam, [0.0, 0.0], [[2.0, -3.0]] * 3, lr=0.01, betas=(0.5, 0.99))
    np.testing.assert_allclose(p._array, [-0.03 * 2 / (2 + 1e-8), 0.03 * 3 / (3 + 1e-8)],
                               rtol=1e-12)


@pytest.mark.parametrize("kw", [
    dict(),
    dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.05, betas=(0.3, 0.5)),  # beta1 < 0.5: torch.lerp's other branch
])
def test_adam_matches_the_reference_over_several_steps(kw):
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((2, 5))
    grads = [rng.standard_normal((2, 5)) for _ in range(6)]
    p, opt = run(optim.Adam, p0, grads, **kw)
    expected, m, v = ref_adam(p0, grads, **kw)
    np.testing.assert_allclose(p._array, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(opt.state[p]["exp_avg"]._array, m, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(opt.state[p]["exp_avg_sq"]._array, v, rtol=1e-12, atol=1e-15)
    assert opt.state[p]["step"].item() == 6


@pytest.mark.parametrize("beta1", [0.9, 0.3])
def test_adam_first_moment_rounds_like_torch_lerp(beta1):
    # torch.lerp(m, g, w) is m + w * (g - m) for w < 0.5 and g - (g - m) * (1 - w)
    # otherwise; in float32 the two differ in the last bit for about a fifth of values.
    g = np.random.default_rng(5).standard_normal(1000).astype(np.float32)
    p = leaf(np.zeros(1000), dtype=minigrad.float32)
    opt = optim.Adam([p], betas=(beta1, 0.999))
    set_grad(p, g)
    opt.step()
    w, m0 = np.float32(1 - beta1), np.zeros(1000, dtype=np.float32)
    expected = m0 + w * (g - m0) if w < 0.5 else g - (g - m0) * np.float32(1 - w)
    np.testing.assert_array_equal(opt.state[p]["exp_avg"]._array, expected)


@given(lr=st.floats(1e-4, 0.5), b1=st.floats(0.0, 0.99), b2=st.floats(0.0, 0.999),
       eps=st.floats(1e-10, 1e-3), weight_decay=st.floats(0.0, 0.3), decoupled=st.booleans(),
       steps=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_adam_and_adamw_match_the_reference_hypothesis(lr, b1, b2, eps, weight_decay, decoupled,
                                                      steps, seed):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(6)
    grads = [rng.standard_normal(6) for _ in range(steps)]
    cls = optim.AdamW if decoupled else optim.Adam
    p, _ = run(cls, p0, grads, lr=lr, betas=(b1, b2), eps=eps, weight_decay=weight_decay)
    expected = ref_adam(p0, grads, lr=lr, betas=(b1, b2), eps=eps, weight_decay=weight_decay,
                        decoupled=decoupled)[0]
    np.testing.assert_allclose(p._array, expected, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------- AdamW ----


def test_adamw_decay_is_decoupled_from_the_moments():
    # With zero gradients the moments stay 0 and the Adam step is 0 / (0 + eps) = 0:
    # AdamW only shrinks p by (1 - lr * wd) per step, while Adam's L2 penalty enters the
    # gradient and gives a full lr-sized step.
    p, opt = run(optim.AdamW, [2.0, -4.0], [[0.0, 0.0]] * 3, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(p._array, np.array([2.0, -4.0]) * 0.95 ** 3, rtol=1e-14)
    assert not opt.state[p]["exp_avg"]._array.any() and not opt.state[p]["exp_avg_sq"]._array.any()
    q, _ = run(optim.Adam, [2.0, -4.0], [[0.0, 0.0]], lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(q._array, [2.0 - 0.1 * 1 / (1 + 1e-8), -4.0 + 0.1 * 2 / (2 + 1e-8)],
                               rtol=1e-14)


def test_adamw_matches_the_reference_with_its_default_decay():
    rng = np.random.default_rng(2)
    p0 = rng.standard_normal(8)
    grads = [rng.standard_normal(8) for _ in range(5)]
    p, opt = run(optim.AdamW, p0, grads, lr=0.05)
    assert opt.param_groups[0]["weight_decay"] == 1e-2
    np.testing.assert_allclose(p._array, ref_adam(p0, grads, lr=0.05, weight_decay=1e-2,
                                                decoupled=True)[0], rtol=1e-12)


def test_defaults_are_pytorchs():
    p = leaf([1.0])
    sgd = optim.SGD([p]).param_groups[0]
    assert (sgd["lr"], sgd["momentum"], sgd["dampening"], sgd["weight_decay"],
            sgd["nesterov"]) == (1e-3, 0, 0, 0, False)
    adam = optim.Adam([p]).param_groups[0]
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"], adam["amsgrad"],
            adam["decoupled_weight_decay"]) == (1e-3, (0.9, 0.999), 1e-8, 0, False, False)
    adamw = optim.AdamW([p]).param_groups[0]
    assert (adamw["weight_decay"], adamw["decoupled_weight_decay"]) == (1e-2, True)


# ------------------------------------------------ dtypes and the autograd link ----


@pytest.mark.parametrize("cls,kw", [(optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
                                    (optim.Adam, dict(lr=0.01, weight_decay=0.01)),
                                    (optim.AdamW, dict(lr=0.01))])
def test_float32_parameters_stay_float32_and_close_to_the_reference(cls, kw):
    rng = np.random.default_rng(3)
    p0 = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(20)]
    p, opt = run(cls, p0, grads, dtype=minigrad.float32, **kw)
    assert p._array.dtype == np.float32
    for name, value in opt.state[p].items():
        assert isinstance(value, minigrad.Tensor)
        assert value._array.dtype == np.float32, name
    if cls is optim.SGD:
        expected = ref_sgd(p0, grads, **kw)[0]
    else:
        expected = ref_adam(p0, grads, decoupled=cls is optim.AdamW,
                            weight_decay=kw.get("weight_decay", 1e-2), lr=kw["lr"])[0]
    # 20 float32 steps: a few ulps of the parameters' scale.
    np.testing.assert_allclose(p._array, expected, rtol=0, atol=1e-6 * np.abs(expected).max())


def test_update_is_in_place_and_uses_gradients_from_backward():
    x = minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64)
    w = leaf([0.5, -1.0, 2.0])
    array = w._array
    opt = optim.SGD([w], lr=0.1)
    (w * x).sum().backward()  # d/dw = x
    opt.step()
    assert w._array is array  # updated in place: views and other holders see it
    np.testing.assert_allclose(w._array, [0.4, -1.2, 1.7], rtol=1e-15)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


@pytest.mark.parametrize("cls,op", [(optim.SGD, "sgd_step"), (optim.Adam, "adam_step"),
                                    (optim.AdamW, "adam_step")])
def test_each_group_steps_by_one_registry_op(cls, op):
    # The update is an op like any other: one call per parameter group (the
    # parameters without a gradient left out), on the group's device, seen by the
    # profiler and selected by the registry.
    a, b, c = leaf([1.0, 2.0]), leaf([3.0]), leaf([4.0])
    opt = cls([{"params": [a, c]}, {"params": [b]}], lr=0.1)
    set_grad(a, [1.0, 1.0])
    set_grad(b, [1.0])
    with minigrad.profiler.profile() as prof:
        opt.step()
    events = [(e.name, e.impl, e.device) for e in prof.events()]
    assert [e for e in events if e[0] == op] == [(op, "numpy", "cpu")] * 2
    # Adam's first step also makes its state, zero arrays: fills, through the registry too.
    others = {e for e in events if e[0] != op}
    assert others == ({("full", "numpy", "cpu")} if op == "adam_step" else set()), events
    assert c.tolist() == [4.0] and c not in opt.state
    assert minigrad.dispatch.lookup(op, "cpu")[1].backward is None


def test_functional_sgd_is_the_optimizers_update():
    from minigrad.optim.sgd import sgd
    p, q = leaf([1.0, -2.0]), leaf([1.0, -2.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    bufs = [None]
    for g in ([0.5, 1.0], [0.25, -1.0]):
        set_grad(p, g)
        set_grad(q, g)
        opt.step()
        sgd([q], [q.grad], bufs, lr=0.1, momentum=0.9)
    assert q.tolist() == p.tolist()
    assert bufs[0].tolist() == opt.state[p]["momentum_buffer"].tolist()


def test_parameters_without_gradient_are_skipped():
    a, b = leaf([1.0]), leaf([2.0])
    opt = optim.Adam([a, b], lr=0.1)
    set_grad(a, [1.0])
    opt.step()
    assert b.item() == 2.0 and b not in opt.state
    set_grad(b, [1.0])
    a.grad = None
    opt.step()
    assert a.item() == pytest.approx(0.9, abs=1e-7) and opt.state[a]["step"].item() == 1
    assert opt.state[b]["step"].item() == 1


def test_step_with_closure_returns_its_loss_and_records_grad():
    w = leaf([3.0])
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():  # the closure re-enables grad, as in PyTorch
        loss = opt.step(closure)
    assert loss.item() == 9.0
    assert w.item() == pytest.approx(3.0 - 0.25 * 6.0)
    assert opt.step() is None


def test_a_gradient_of_the_wrong_shape_is_a_clear_error():
    p = leaf([1.0, 2.0])
    p.grad = minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match=r"shape \(2,\) has a gradient of shape \(3,\)"):
        optim.SGD([p], lr=0.1).step()


# -------------------------------------------------------------- zero_grad ----


def test_zero_grad_sets_to_none_by_default():
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # nothing to do
    assert p.tolist() == [1.0, 2.0]


def test_zero_grad_false_zeroes_in_place_and_backward_accumulates_afresh():
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    grad, array = p.grad, p.grad._array
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad._array is array and p.grad.tolist() == [0.0, 0.0]
    # A read-only gradient (a broadcast the user assigned) is replaced, never written.
    p.grad = minigrad.Tensor._wrap(np.broadcast_to(np.float32(5), (2,)))
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    (p * 3).sum().backward()
    assert p.grad.tolist() == [3.0, 3.0]


# ---------------------------------------------------------- param groups ----


def test_param_groups_have_their_own_options_and_defaults_fill_the_rest():
    a, b = leaf([1.0]), leaf([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["params"] == [b]
    set_grad(a, [1.0])
    set_grad(b, [1.0])
    opt.step()
    assert (a.item(), b.item()) == (pytest.approx(0.9), pytest.approx(0.5))


def test_add_param_group_later_and_named_parameters():
    a, b = leaf([1.0]), leaf([2.0])
    opt = optim.Adam([("layer.weight", a)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["layer.weight"]
    opt.add_param_group({"params": [("layer.bias", b)], "lr": 0.2})
    assert opt.param_groups[1]["lr"] == 0.2 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [leaf([3.0])]})
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [("again", a)]})


def test_nn_parameters_are_accepted():
    Parameter = getattr(minigrad.nn, "Parameter", None)
    if Parameter is None:
        pytest.skip("minigrad.nn.Parameter is not there yet")
    w = Parameter(minigrad.tensor([1.0, -1.0]))
    opt = optim.SGD([w], lr=0.5)
    (w * w).sum().backward()
    opt.step()
    assert isinstance(w, Parameter) and w.tolist() == [0.0, 0.0]


# ------------------------------------------------------------ state dicts ----


def _loss_step(params, opt, x):
    """One training step with gradients from the tape: loss = sum((p * x - 1)^2)."""
    opt.zero_grad()
    loss = sum(((p * x - 1.0) * (p * x - 1.0)).sum() for p in params)
    loss.backward()
    opt.step()


@pytest.mark.parametrize("cls,kw", [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (optim.Adam, dict(lr=0.05, weight_decay=0.01)),
    (optim.AdamW, dict(lr=0.05)),
])
def test_state_dict_round_trip_continues_identically(cls, kw):
    rng = np.random.default_rng(4)
    init = [rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32)]
    x = minigrad.tensor(rng.standard_normal(3).astype(np.float32))

    ref = [minigrad.tensor(a, requires_grad=True) for a in init]
    ref_opt = cls([{"params": [ref[0]]}, {"params": [ref[1]], "lr": 0.02}], **kw)
    for _ in range(6):
        _loss_step(ref, ref_opt, x)

    first = [minigrad.tensor(a, requires_grad=True) for a in init]
    opt = cls([{"params": [first[0]]}, {"params": [first[1]], "lr": 0.02}], **kw)
    for _ in range(3):
        _loss_step(first, opt, x)
    saved = opt.state_dict()
    resumed = [minigrad.tensor(p._array, requires_grad=True) for p in first]
    fresh = cls([{"params": [resumed[0]]}, {"params": [resumed[1]]}], **kw)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[1]["lr"] == 0.02  # the saved options replace the new ones
    for _ in range(3):
        _loss_step(first, opt, x)  # the original keeps going: the copy must not alias it
    for _ in range(3):
        _loss_step(resumed, fresh, x)
    for r, a, b in zip(ref, first, resumed):
        np.testing.assert_array_equal(a._array, r._array)
        np.testing.assert_array_equal(b._array, r._array)


def test_state_dict_format_is_pytorchs():
    a, b, c = leaf([1.0, 2.0]), leaf([3.0]), leaf([[4.0]])
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    for p in (a, c):
        set_grad(p, np.ones(p.shape))
    opt.step()
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(sd["state"]) == [0, 2]  # b never had a gradient
    assert set(sd["state"][2]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][2]["step"].item() == 2.0
    assert sd["state"][2]["exp_avg"].shape == (1, 1)


def test_load_state_dict_casts_and_copies():
    p = leaf([1.0, 2.0], dtype=minigrad.float32)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    buf = np.array([0.5, 0.25])  # float64 array, e.g. written by another tool
    opt.load_state_dict({"state": {0: {"momentum_buffer": buf}},
                         "param_groups": [{"lr": 0.3, "momentum": 0.5, "params": [0]}]})
    loaded = opt.state[p]["momentum_buffer"]
    assert isinstance(loaded, minigrad.Tensor) and loaded._array.dtype == np.float32
    buf[:] = 0
    assert loaded.tolist() == [0.5, 0.25]
    g = opt.param_groups[0]
    assert (g["lr"], g["momentum"], g["dampening"], g["params"]) == (0.3, 0.5, 0, [p])


def test_load_state_dict_errors_are_clear():
    a, b = leaf([1.0, 2.0]), leaf([3.0])
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    good_group = {"lr": 0.1, "momentum": 0.9, "params": [0, 1]}
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": [good_group, {"params": []}]})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict({"state": {}, "param_groups": [{"lr": 0.1, "params": [0]}]})
    with pytest.raises(ValueError, match=r"\['state'\]\[0\]\['momentum_buffer'\]: expected shape \(2,\)"):
        opt.load_state_dict({"state": {0: {"momentum_buffer": np.zeros(3)}},
                             "param_groups": [good_group]})
    adam_state = {"step": 1.0, "exp_avg": np.zeros(2), "exp_avg_sq": np.zeros(2)}
    with pytest.raises(ValueError, match="another optimizer"):
        opt.load_state_dict({"state": {0: adam_state}, "param_groups": [good_group]})
    with pytest.raises(ValueError, match="parameter 5"):
        opt.load_state_dict({"state": {5: {"momentum_buffer": np.zeros(2)}},
                             "param_groups": [good_group]})
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"model": {}})
    with pytest.raises(ValueError, match="Invalid learning rate"):
        opt.load_state_dict({"state": {}, "param_groups": [dict(good_group, lr=-1.0)]})
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["params"] == [a, b]


# ------------------------------------------------------------- validation ----


@pytest.mark.parametrize("make,message", [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1e-4), "Invalid weight_decay value"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "zero dampening"),
    (lambda p: optim.SGD(p, lr=0.1, maximize=True), "maximize=True is not supported"),
    (lambda p: optim.Adam(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.Adam(p, eps=-1e-8), "Invalid epsilon value"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
    (lambda p: optim.AdamW(p, weight_decay=-0.01), "Invalid weight_decay value"),
    (lambda p: optim.Adam(p, amsgrad=True), "amsgrad=True is not supported"),
    (lambda p: optim.SGD([{"params": p, "lr": -2.0}], lr=0.1), "Invalid learning rate: -2.0"),
    (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1),
     "more than one parameter group"),
])
def test_invalid_options_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make([leaf([1.0])])


@pytest.mark.parametrize("make,message", [
    (lambda p: optim.SGD(p[0], lr=0.1), "iterable of Tensors or dicts"),
    (lambda p: optim.SGD([np.ones(2)], lr=0.1), "can only optimize Tensors"),
    (lambda p: optim.SGD([{"params": set(p)}], lr=0.1), "ordered collections"),
    (lambda p: optim.SGD(p, lr="0.1"), "lr: expected a float, got str"),
    (lambda p: optim.Adam(p, betas=0.9), "betas: expected a pair"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=1), "nesterov: expected a bool"),
])
def test_invalid_arguments_raise_type_error(make, message):
    with pytest.raises(TypeError, match=message):
        make([leaf([1.0])])


def test_non_leaf_tensors_are_refused():
    x = leaf([1.0])
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([x * 2], lr=0.1)


def test_duplicate_parameters_warn():
    p = leaf([1.0])
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)


def test_repr_lists_the_groups():
    text = repr(optim.SGD([leaf([1.0])], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    momentum: 0.9\n" in text


def test_foreach_is_accepted_and_ignored():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, _ = run(optim.SGD, [1.0], [[1.0]], lr=0.5, foreach=False)
    assert p.item() == 0.5
    assert math.isclose(run(optim.Adam, [1.0], [[1.0]], lr=0.5, foreach=True)[0].item(), 0.5,
                        abs_tol=1e-7)
