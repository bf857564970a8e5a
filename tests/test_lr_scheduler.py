"""minigrad.optim.lr_scheduler: StepLR and CosineAnnealingLR against their closed forms.

The schedulers compute rates recursively (as PyTorch does); the tests compare with the
closed-form formulas written here, to floating-point accuracy.
"""
import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR


def make_opt(lrs=(0.1,)):
    params = [minigrad.tensor([1.0], dtype=minigrad.float64, requires_grad=True) for _ in lrs]
    return optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=1.0)


def schedule(sched, epochs):
    """Learning rates per epoch, in the usual loop order (optimizer, then scheduler)."""
    out = [sched.get_last_lr()]
    for _ in range(epochs):
        sched.optimizer.step()
        sched.step()
        out.append(sched.get_last_lr())
    return out


def step_closed_form(lr0, gamma, step_size, epoch):
    return lr0 * gamma ** (epoch // step_size)


def cosine_closed_form(lr0, eta_min, t_max, epoch):
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * epoch / t_max)) / 2


# ---------------------------------------------------------------- StepLR ----


def test_steplr_by_hand():
    opt = make_opt((1.0,))
    lrs = [lr for (lr,) in schedule(StepLR(opt, step_size=2, gamma=0.5), 6)]
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]


@pytest.mark.parametrize("step_size,gamma", [(1, 0.9), (3, 0.1), (5, 0.5)])
def test_steplr_matches_the_closed_form_for_every_group(step_size, gamma):
    opt = make_opt((0.1, 0.03))
    got = schedule(StepLR(opt, step_size=step_size, gamma=gamma), 25)
    for epoch, lrs in enumerate(got):
        expected = [step_closed_form(lr0, gamma, step_size, epoch) for lr0 in (0.1, 0.03)]
        assert lrs == pytest.approx(expected, rel=1e-12)
    assert [g["lr"] for g in opt.param_groups] == got[-1]


def test_the_scheduled_rate_is_the_one_the_optimizer_uses():
    opt = make_opt((1.0,))
    (p,) = opt.param_groups[0]["params"]
    sched = StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = minigrad.tensor([1.0], dtype=minigrad.float64)
        opt.step()
        sched.step()
    assert p.item() == pytest.approx(1.0 - (1.0 + 0.5 + 0.25))


# ----------------------------------------------------- CosineAnnealingLR ----


@pytest.mark.parametrize("t_max,eta_min", [(10, 0.0), (7, 0.001), (1, 0.01)])
def test_cosine_matches_the_closed_form_beyond_t_max(t_max, eta_min):
    opt = make_opt((0.1, 0.05))
    got = schedule(CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min), 3 * t_max + 2)
    for epoch, lrs in enumerate(got):
        expected = [cosine_closed_form(lr0, eta_min, t_max, epoch) for lr0 in (0.1, 0.05)]
        np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-15)


def test_cosine_by_hand():
    opt = make_opt((1.0,))
    lrs = [lr for (lr,) in schedule(CosineAnnealingLR(opt, T_max=2), 4)]
    # cos(0) = 1, cos(pi/2) = 0, cos(pi) = -1, then back up
    np.testing.assert_allclose(lrs, [1.0, 0.5, 0.0, 0.5, 1.0], atol=1e-15)


# ------------------------------------------------------------ base class ----


def test_initial_lr_is_recorded_and_resuming_needs_it():
    opt = make_opt((0.2,))
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(opt, step_size=2, last_epoch=3)
    StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.2


def test_state_dict_round_trip_resumes_the_schedule():
    full = schedule(CosineAnnealingLR(make_opt((0.1, 0.02)), T_max=6, eta_min=0.001), 10)

    opt = make_opt((0.1, 0.02))
    sched = CosineAnnealingLR(opt, T_max=6, eta_min=0.001)
    first = schedule(sched, 4)
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_sched and saved_sched["last_epoch"] == 4

    opt2 = make_opt((0.1, 0.02))
    sched2 = CosineAnnealingLR(opt2, T_max=6, eta_min=0.001)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    rest = schedule(sched2, 6)
    assert first + rest[1:] == full  # the same floats, step for step


def test_load_state_dict_checks_the_group_count():
    sched = StepLR(make_opt((0.1, 0.2)), step_size=2)
    with pytest.raises(ValueError, match="one learning rate per parameter group"):
        sched.load_state_dict({"base_lrs": [0.1], "last_epoch": 3})
    with pytest.raises(TypeError, match="expected a dict"):
        sched.load_state_dict([("last_epoch", 3)])


def test_stepping_the_scheduler_before_the_optimizer_warns():
    opt = make_opt()
    sched = StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt = make_opt()
    sched = StepLR(opt, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()


def test_step_with_an_epoch_uses_the_closed_form_and_warns():
    opt = make_opt((1.0,))
    sched = StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(5)
    assert sched.get_last_lr() == [0.25] and sched.last_epoch == 5


@pytest.mark.parametrize("make,exc,message", [
    (lambda o: StepLR(o, step_size=0), ValueError, "step_size: expected an int >= 1"),
    (lambda o: StepLR(o, step_size=1.5), TypeError, "step_size: expected an int"),
    (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "T_max: expected a positive"),
    (lambda o: CosineAnnealingLR(o, T_max=5, eta_min="0"), TypeError, "eta_min"),
    (lambda o: StepLR(object(), step_size=1), TypeError, "object is not an Optimizer"),
    (lambda o: StepLR(o, step_size=1, last_epoch=-2), ValueError, "last_epoch"),
])
def test_invalid_arguments(make, exc, message):
    with pytest.raises(exc, match=message):
        make(make_opt())


def test_base_class_needs_get_lr():
    with pytest.raises(NotImplementedError):
        LRScheduler(make_opt())
