"""minigrad.optim.lr_scheduler: MultiStepLR, ExponentialLR, LambdaLR, OneCycleLR and
ReduceLROnPlateau against closed forms written here and, where torch is importable,
against torch's schedulers: the very same floats, step for step.
"""
import bisect
import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.optim.lr_scheduler import (ExponentialLR, LambdaLR, MultiStepLR, OneCycleLR,
                                         ReduceLROnPlateau)

LRS = (0.1, 0.03)


def make_opt(lrs=LRS, kind="sgd", lib=None):
    """An optimizer with one parameter group per rate, from minigrad or (lib=torch)
    torch."""
    lib = lib or minigrad
    params = [lib.tensor([1.0], requires_grad=True) for _ in lrs]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)]
    mod = lib.optim
    if kind == "sgd":
        return mod.SGD(groups, lr=1.0, momentum=0.9)
    if kind == "adam":
        return mod.Adam(groups)
    return mod.Adagrad(groups)


def schedule(sched, epochs, metrics=None):
    """Learning rates per epoch, in the usual loop order (optimizer, then scheduler),
    with each group's momentum (or betas) after the step."""
    opt = sched.optimizer
    out = [(sched.get_last_lr(), [(g.get("momentum"), g.get("betas")) for g in opt.param_groups])]
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        out.append((sched.get_last_lr(),
                    [(g.get("momentum"), g.get("betas")) for g in opt.param_groups]))
    return out


def rates(history):
    return [lrs for lrs, _ in history]


def against_torch(make, epochs, kind="sgd", metrics=None):
    """minigrad's and torch's schedules from the same constructor call ``make(module,
    optimizer)``: asserted equal as floats, momentum included."""
    torch = pytest.importorskip("torch")
    mine = schedule(make(optim.lr_scheduler, make_opt(kind=kind)), epochs, metrics)
    theirs = schedule(make(torch.optim.lr_scheduler, make_opt(kind=kind, lib=torch)), epochs,
                      metrics)
    assert mine == theirs
    return mine


# ------------------------------------------------------------ MultiStepLR ----


def multistep_closed_form(lr0, milestones, gamma, epoch):
    return lr0 * gamma ** bisect.bisect_right(sorted(milestones), epoch)


@pytest.mark.parametrize("milestones,gamma", [([2, 5, 9], 0.1), ([3, 3, 7], 0.5),
                                              ([12, 4], 0.8), ([], 0.1)])
def test_multistep_matches_the_closed_form(milestones, gamma):
    got = rates(schedule(MultiStepLR(make_opt(), milestones, gamma=gamma), 15))
    for epoch, lrs in enumerate(got):
        expected = [multistep_closed_form(lr0, milestones, gamma, epoch) for lr0 in LRS]
        np.testing.assert_allclose(lrs, expected, rtol=1e-12)


@pytest.mark.parametrize("milestones,gamma", [([2, 5, 9], 0.1), ([3, 3, 7], 0.5),
                                              ([12, 4], 0.8)])
def test_multistep_matches_torch(milestones, gamma):
    against_torch(lambda m, o: m.MultiStepLR(o, milestones, gamma=gamma), 15)


def test_multistep_by_hand_and_the_closed_form_of_step_epoch():
    opt = make_opt((1.0,))
    sched = MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    assert [lr for (lr,) in rates(schedule(sched, 5))] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(3)
    assert sched.get_last_lr() == [0.5] and sched.last_epoch == 3


# ---------------------------------------------------------- ExponentialLR ----


@pytest.mark.parametrize("gamma", [0.9, 0.5, 1.0])
def test_exponential_matches_the_closed_form_and_torch(gamma):
    got = rates(schedule(ExponentialLR(make_opt(), gamma), 30))
    for epoch, lrs in enumerate(got):
        np.testing.assert_allclose(lrs, [lr0 * gamma ** epoch for lr0 in LRS], rtol=1e-12)
    against_torch(lambda m, o: m.ExponentialLR(o, gamma), 30)


def test_exponential_resumes_without_an_extra_step():
    opt = make_opt((1.0,))
    sched = ExponentialLR(opt, 0.5)
    schedule(sched, 3)
    assert opt.param_groups[0]["lr"] == 0.125
    resumed = ExponentialLR(opt, 0.5, last_epoch=3)  # keeps the current rate
    assert resumed.get_last_lr() == [0.125]
    opt.step()
    resumed.step()
    assert resumed.get_last_lr() == [0.0625]


# --------------------------------------------------------------- LambdaLR ----


class Warmup:
    """A callable object: its __dict__ goes into the state dict."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.steps)


def test_lambda_matches_the_closed_form_per_group():
    fns = [lambda e: 0.95 ** e, Warmup(4)]
    got = rates(schedule(LambdaLR(make_opt(), fns), 10))
    for epoch, lrs in enumerate(got):
        assert lrs == pytest.approx([LRS[0] * 0.95 ** epoch, LRS[1] * min(1, (epoch + 1) / 4)],
                                    rel=1e-12)


def test_lambda_matches_torch():
    against_torch(lambda m, o: m.LambdaLR(o, lambda e: 1.0 / (1 + e) ** 0.5), 12)
    against_torch(lambda m, o: m.LambdaLR(o, [lambda e: e // 3 + 1, Warmup(5)]), 12)


def test_lambda_state_dict_keeps_callable_objects_not_functions(tmp_path):
    warm = Warmup(4)
    sched = LambdaLR(make_opt(), [lambda e: 1.0, warm])
    schedule(sched, 2)
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"steps": 4}] and state["last_epoch"] == 2
    path = str(tmp_path / "sched.pt")
    minigrad.save(state, path)
    other = Warmup(99)
    sched2 = LambdaLR(make_opt(), [lambda e: 1.0, other])
    loaded = minigrad.load(path)
    sched2.load_state_dict(loaded)
    assert other.steps == 4 and sched2.last_epoch == 2 and "lr_lambdas" in loaded
    assert sched2.lr_lambdas[1] is other


def test_lambda_needs_one_function_per_group():
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        LambdaLR(make_opt(), [lambda e: 1.0])
    with pytest.raises(TypeError, match="lr_lambda: expected a function"):
        LambdaLR(make_opt(), 0.5)


# ------------------------------------------------------------- OneCycleLR ----


def one_cycle_closed_form(step, total, max_lr, pct_start=0.3, div=25.0, final_div=1e4,
                          three_phase=False, anneal="cos", base_m=0.85, max_m=0.95):
    """(lr, momentum) at ``step`` from the phase table of the PyTorch docs."""
    initial = max_lr / div
    low = initial / final_div
    up_end = pct_start * total - 1
    if three_phase:
        phases = [(up_end, initial, max_lr, max_m, base_m),
                  (2 * pct_start * total - 2, max_lr, initial, base_m, max_m),
                  (total - 1, initial, low, max_m, max_m)]
    else:
        phases = [(up_end, initial, max_lr, max_m, base_m), (total - 1, max_lr, low, base_m, max_m)]
    start = 0.0
    for i, (end, lr_a, lr_b, m_a, m_b) in enumerate(phases):
        if step <= end or i == len(phases) - 1:
            x = (step - start) / (end - start)
            if anneal == "cos":
                f = lambda a, b: b + (a - b) * (1 + math.cos(math.pi * x)) / 2
            else:
                f = lambda a, b: a + (b - a) * x
            return f(lr_a, lr_b), f(m_a, m_b)
        start = end


@pytest.mark.parametrize("kw", [
    {},
    {"anneal_strategy": "linear"},
    {"three_phase": True},
    {"three_phase": True, "anneal_strategy": "linear", "pct_start": 0.25},
    {"pct_start": 0.5, "div_factor": 10.0, "final_div_factor": 100.0,
     "base_momentum": 0.8, "max_momentum": 0.9},
])
def test_one_cycle_matches_the_closed_form(kw):
    total = 20
    sched = OneCycleLR(make_opt(), max_lr=[1.0, 0.4], total_steps=total, **kw)
    got = schedule(sched, total - 1)
    opts = {"pct_start": kw.get("pct_start", 0.3), "div": kw.get("div_factor", 25.0),
            "final_div": kw.get("final_div_factor", 1e4),
            "three_phase": kw.get("three_phase", False),
            "anneal": kw.get("anneal_strategy", "cos"),
            "base_m": kw.get("base_momentum", 0.85), "max_m": kw.get("max_momentum", 0.95)}
    for step, (lrs, moms) in enumerate(got):
        for lr, (momentum, _), max_lr in zip(lrs, moms, (1.0, 0.4)):
            want_lr, want_m = one_cycle_closed_form(step, total, max_lr, **opts)
            assert lr == pytest.approx(want_lr, rel=1e-9, abs=1e-15)
            assert momentum == pytest.approx(want_m, rel=1e-12)
    # The cycle starts at max_lr / div_factor and ends at its min_lr.
    assert got[0][0][0] == pytest.approx(1.0 / opts["div"], rel=1e-12)
    assert got[-1][0][0] == pytest.approx(1.0 / opts["div"] / opts["final_div"], rel=1e-6)


@pytest.mark.parametrize("kind,kw", [
    ("sgd", {"max_lr": [1.0, 0.4], "total_steps": 20}),
    ("sgd", {"max_lr": 0.5, "epochs": 4, "steps_per_epoch": 5, "anneal_strategy": "linear"}),
    ("adam", {"max_lr": 0.01, "total_steps": 20, "three_phase": True}),
    ("adam", {"max_lr": 0.01, "total_steps": 20, "base_momentum": [0.8, 0.7],
              "max_momentum": 0.9, "pct_start": 0.4}),
    ("adagrad", {"max_lr": 0.1, "total_steps": 20, "cycle_momentum": False}),
])
def test_one_cycle_matches_torch_momentum_and_betas_included(kind, kw):
    history = against_torch(lambda m, o: m.OneCycleLR(o, **kw), 19, kind=kind)
    if kind == "adam":  # betas[0] cycles, betas[1] stays
        betas = [b for _, moms in history for _, b in moms]
        assert len({b[0] for b in betas}) > 5 and {b[1] for b in betas} == {0.999}


def test_one_cycle_sets_the_optimizer_momentum_it_uses():
    opt = make_opt((1.0,))
    OneCycleLR(opt, max_lr=0.5, total_steps=10)
    g = opt.param_groups[0]
    assert (g["momentum"], g["max_momentum"], g["base_momentum"]) == (0.95, 0.95, 0.85)
    assert (g["initial_lr"], g["max_lr"]) == (0.5 / 25, 0.5)
    assert g["min_lr"] == pytest.approx(0.5 / 25 / 1e4)


def test_one_cycle_refuses_to_step_past_the_cycle():
    sched = OneCycleLR(make_opt(), max_lr=0.5, total_steps=4)
    schedule(sched, 4)
    with pytest.raises(ValueError, match="Tried to step 5 times. The specified number of "
                                         "total steps is 4"):
        sched.optimizer.step()
        sched.step()


def test_one_cycle_state_dict_round_trip_resumes(tmp_path):
    full = schedule(OneCycleLR(make_opt(kind="adam"), max_lr=0.1, total_steps=12), 11)
    opt = make_opt(kind="adam")
    sched = OneCycleLR(opt, max_lr=0.1, total_steps=12)
    first = schedule(sched, 5)
    path = str(tmp_path / "ckpt.pt")
    minigrad.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, path)
    ckpt = minigrad.load(path)
    opt2 = make_opt(kind="adam")
    opt2.load_state_dict(ckpt["opt"])
    sched2 = OneCycleLR(opt2, max_lr=0.1, total_steps=12, last_epoch=ckpt["sched"]["last_epoch"])
    sched2.load_state_dict(ckpt["sched"])
    rest = schedule(sched2, 6)
    assert first + rest[1:] == full


# ------------------------------------------------------ ReduceLROnPlateau ----


def plateau_by_hand(metrics, lr, mode="min", factor=0.1, patience=10, threshold=1e-4,
                    threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
    """The documented rule written out: the rate after each metric."""
    best = math.inf if mode == "min" else -math.inf
    bad = cool = 0
    out = []
    for a in metrics:
        if mode == "min":
            better = a < (best * (1 - threshold) if threshold_mode == "rel" else best - threshold)
        else:
            better = a > (best * (1 + threshold) if threshold_mode == "rel" else best + threshold)
        if better:
            best, bad = a, 0
        else:
            bad += 1
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > eps:
                lr = new
            cool, bad = cooldown, 0
        out.append(lr)
    return out


def noisy_metrics(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return [float(v) for v in 3.0 + np.cumsum(rng.standard_normal(n)) * 0.05]


PLATEAU_OPTIONS = [
    {},
    {"patience": 2, "factor": 0.5},
    {"patience": 1, "cooldown": 3, "factor": 0.5, "min_lr": 0.004},
    {"mode": "max", "patience": 0, "threshold": 0.02, "threshold_mode": "abs"},
    {"mode": "max", "patience": 3, "threshold": 0.01, "eps": 0.05},
]


@pytest.mark.parametrize("kw", PLATEAU_OPTIONS)
def test_plateau_matches_the_rule_written_out(kw):
    metrics = noisy_metrics()
    got = rates(schedule(ReduceLROnPlateau(make_opt(), **kw), len(metrics), metrics))
    for i, lr0 in enumerate(LRS):
        assert [lrs[i] for lrs in got[1:]] == pytest.approx(plateau_by_hand(metrics, lr0, **kw),
                                                            rel=1e-12)
    assert got[0] == list(LRS)


@pytest.mark.parametrize("kw", PLATEAU_OPTIONS + [{"patience": 1, "min_lr": [0.01, 0.001]}])
def test_plateau_matches_torch(kw):
    metrics = noisy_metrics(seed=1)
    got = against_torch(lambda m, o: m.ReduceLROnPlateau(o, **kw), len(metrics), metrics=metrics)
    assert len({tuple(lrs) for lrs, _ in got}) > 1 or not kw  # something was reduced


def test_plateau_by_hand_with_a_tensor_metric():
    opt = make_opt((1.0,))
    sched = ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for loss in [1.0, 1.0, 1.0, 0.5, 0.6, 0.7, 0.8]:
        opt.step()
        sched.step(minigrad.tensor(loss))
    # bad epochs: 1, 2 (halve), good, 1, 2 (halve), 1
    assert sched.get_last_lr() == [0.25] and opt.param_groups[0]["lr"] == 0.25
    assert sched.best == 0.5 and sched.num_bad_epochs == 1 and sched.last_epoch == 7


def test_plateau_state_dict_round_trip(tmp_path):
    metrics = noisy_metrics(30, seed=2)
    full = rates(schedule(ReduceLROnPlateau(make_opt(), patience=1, cooldown=1), 30, metrics))
    opt = make_opt()
    sched = ReduceLROnPlateau(opt, patience=1, cooldown=1)
    first = rates(schedule(sched, 12, metrics))
    path = str(tmp_path / "plateau.pt")
    minigrad.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, path)
    ckpt = minigrad.load(path)
    assert "optimizer" not in ckpt["sched"]
    assert ckpt["sched"]["num_bad_epochs"] == sched.num_bad_epochs
    opt2 = make_opt()
    sched2 = ReduceLROnPlateau(opt2, mode="max")  # the loaded mode replaces this one
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    assert sched2.mode == "min" and sched2.mode_worse == math.inf
    rest = rates(schedule(sched2, 18, metrics[12:]))
    assert first + rest[1:] == full


def test_plateau_state_dict_starts_with_an_infinite_best(tmp_path):
    sched = ReduceLROnPlateau(make_opt(), mode="max")
    path = str(tmp_path / "fresh.pt")
    minigrad.save(sched.state_dict(), path)
    assert minigrad.load(path)["best"] == -math.inf


# ------------------------------------------------------------- validation ----


@pytest.mark.parametrize("make,exc,message", [
    (lambda o: MultiStepLR(o, [2, 1.5]), TypeError, "milestones: expected an int"),
    (lambda o: MultiStepLR(o, 3), TypeError, "milestones: expected a list"),
    (lambda o: ExponentialLR(o, "0.9"), TypeError, "gamma"),
    (lambda o: OneCycleLR(o, max_lr=0.1), ValueError,
     r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (lambda o: OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError,
     "Expected positive integer total_steps, but got 0"),
    (lambda o: OneCycleLR(o, max_lr=0.1, total_steps=2.0), ValueError,
     "Expected positive integer total_steps, but got 2.0"),
    (lambda o: OneCycleLR(o, max_lr=0.1, epochs=-1, steps_per_epoch=3), ValueError,
     "Expected positive integer epochs, but got -1"),
    (lambda o: OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=0), ValueError,
     "Expected positive integer steps_per_epoch, but got 0"),
    (lambda o: OneCycleLR(o, max_lr=0.1, total_steps=5, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda o: OneCycleLR(o, max_lr=0.1, total_steps=5, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (lambda o: OneCycleLR(o, max_lr=[0.1], total_steps=5), ValueError,
     "max_lr must have the same length as optimizer.param_groups. max_lr has 1 values, "
     "param_groups has 2."),
    (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, r"Factor should be < 1.0."),
    (lambda o: ReduceLROnPlateau(o, mode="low"), ValueError, "mode low is unknown!"),
    (lambda o: ReduceLROnPlateau(o, threshold_mode="x"), ValueError,
     "threshold mode x is unknown!"),
    (lambda o: ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda o: ReduceLROnPlateau(o, patience=-1), ValueError, "patience"),
    (lambda o: ReduceLROnPlateau(object()), TypeError, "object is not an Optimizer"),
])
def test_invalid_arguments(make, exc, message):
    with pytest.raises(exc, match=message):
        make(make_opt())


def test_one_cycle_momentum_needs_an_optimizer_with_momentum():
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1 with "
                                         "`cycle_momentum` option enabled"):
        OneCycleLR(make_opt(kind="adagrad"), max_lr=0.1, total_steps=5)


def test_messages_are_torchs():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=0), "sgd"),
        (lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=5, pct_start=1), "sgd"),
        (lambda m, o: m.OneCycleLR(o, max_lr=[0.1], total_steps=5), "sgd"),
        (lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=5), "adagrad"),
        (lambda m, o: m.ReduceLROnPlateau(o, factor=2.0), "sgd"),
        (lambda m, o: m.ReduceLROnPlateau(o, mode="low"), "sgd"),
        (lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1]), "sgd"),
        (lambda m, o: m.LambdaLR(o, [lambda e: 1.0]), "sgd"),
    ]
    for make, kind in cases:
        with pytest.raises(ValueError) as mine:
            make(optim.lr_scheduler, make_opt(kind=kind))
        with pytest.raises(ValueError) as theirs:
            make(torch.optim.lr_scheduler, make_opt(kind=kind, lib=torch))
        assert str(mine.value) == str(theirs.value)


def test_stepping_before_the_optimizer_warns_as_the_other_schedulers():
    sched = ExponentialLR(make_opt(), 0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt = make_opt()
    sched = MultiStepLR(opt, [1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
