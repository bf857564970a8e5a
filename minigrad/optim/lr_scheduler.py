"""Learning-rate schedulers: LRScheduler, StepLR, MultiStepLR, ExponentialLR, LambdaLR,
CosineAnnealingLR, OneCycleLR and ReduceLROnPlateau.

They follow ``torch.optim.lr_scheduler`` step for step: each ``step()`` computes new
learning rates from the current ``group["lr"]`` values (recursively, the way PyTorch
does, so the floating-point sequence is the same; LambdaLR and OneCycleLR compute them
from the base rates, as PyTorch's) and writes them into the optimizer's parameter
groups. Call ``scheduler.step()`` after ``optimizer.step()`` (ReduceLROnPlateau:
``scheduler.step(val_loss)`` after validating).
"""
from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from functools import wraps
from numbers import Integral
from typing import Any, Callable, Iterable, SupportsFloat
from weakref import ref

from .optimizer import Optimizer, check_flag, check_number

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "MultiStepLR",
           "OneCycleLR", "ReduceLROnPlateau", "StepLR"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available."
)


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def _per_group(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """``value`` once per parameter group: a list or tuple as it is (one entry per
    group, else PyTorch's ValueError), anything else repeated."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has "
                             f"{len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


class LRScheduler:
    """Base class of the schedulers (``torch.optim.lr_scheduler.LRScheduler``).

    Args:
        optimizer: the optimizer whose ``param_groups[i]["lr"]`` it sets.
        last_epoch: index of the last epoch; -1 (the default) starts a schedule and
            records each group's ``"initial_lr"``. A value >= 0 resumes and needs the
            groups' ``"initial_lr"`` (from a loaded optimizer state dict).

    Attributes:
        base_lrs: the groups' initial learning rates.
        last_epoch: how many times ``step()`` has run since epoch 0.

    Subclasses implement :meth:`get_lr` (and, optionally, ``_get_closed_form_lr`` for
    the deprecated ``step(epoch)``).
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        last_epoch = _check_int("last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming scheduler with last_epoch >= 0 (load the "
                                   "optimizer's state dict first)")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._patch_optimizer_step()
        self._initial_step()

    def _patch_optimizer_step(self) -> None:
        """Wrap ``optimizer.step`` so that step() can warn when it is called before the
        optimizer's first step (PyTorch's check; the order skips a schedule value)."""
        opt = self.optimizer
        if hasattr(opt.step, "_wrapped_by_lr_sched"):
            return
        opt_ref = ref(opt)
        func = opt.step.__func__

        @wraps(func)
        def wrapper(*args, **kwargs):
            o = opt_ref()
            o._opt_called = True
            return func.__get__(o, o.__class__)(*args, **kwargs)

        wrapper._wrapped_by_lr_sched = True
        opt.step = wrapper

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The next learning rate of each group (called by :meth:`step`)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates the last :meth:`step` set, one per group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one epoch (or, deprecated, jump to ``epoch``) and set
        the optimizer's learning rates."""
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn("Seems like `optimizer.step()` has been overridden after learning "
                              "rate scheduler initialization. Please, make sure to call "
                              "`optimizer.step()` before `lr_scheduler.step()`.",
                              UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                              "You should call them in the opposite order: `optimizer.step()` "
                              "before `lr_scheduler.step()`. Failure to do this will result in "
                              "skipping the first value of the learning rate schedule.",
                              UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = _check_int("epoch", epoch, 0)
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def _warn_get_lr_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, "
                          "please use `get_last_lr()`.", UserWarning, stacklevel=3)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer (plain numbers and lists, so
        :func:`minigrad.save` writes it)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`. The optimizer's learning rates are not
        touched: load the optimizer's own state dict for those."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict: expected a dict, got {type(state_dict).__name__}")
        if "optimizer" in state_dict:
            raise ValueError("state_dict: must not contain 'optimizer' (a scheduler's "
                             "state_dict() leaves it out)")
        base_lrs = state_dict.get("base_lrs", self.base_lrs)
        if not isinstance(base_lrs, (list, tuple)) or len(base_lrs) != len(self.optimizer.param_groups):
            raise ValueError(f"state_dict['base_lrs']: expected one learning rate per parameter "
                             f"group ({len(self.optimizer.param_groups)}), got {base_lrs!r}")
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply each group's learning rate by ``gamma`` every ``step_size`` epochs.

    With base rate lr0 the rate during epoch e is ``lr0 * gamma ** (e // step_size)``
    (computed recursively, by one multiplication each time e reaches a multiple of
    ``step_size``, as PyTorch does).

    Args:
        optimizer: the optimizer.
        step_size: period of the decay, in epochs (an int >= 1).
        gamma: multiplicative factor (default 0.1).
        last_epoch: see :class:`LRScheduler`.

    Difference from PyTorch: ``step_size`` is checked (PyTorch fails later on 0).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = _check_int("step_size", step_size, 1)
        self.gamma = check_number("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from each group's initial rate down to ``eta_min`` over
    ``T_max`` epochs (without restarts; past T_max the rate rises again along the
    cosine, as in PyTorch).

    The closed form is ``eta_min + (lr0 - eta_min) * (1 + cos(pi * t / T_max)) / 2``;
    like PyTorch, step() computes it recursively from the current rate::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max)) / (1 + cos(pi (t-1) / T_max))

    (with PyTorch's special case where the denominator vanishes), so an outside change
    of ``group["lr"]`` carries on and the values match PyTorch's step for step.

    Args:
        optimizer: the optimizer.
        T_max: half period, in epochs (> 0; usually an int).
        eta_min: the minimum learning rate (default 0).
        last_epoch: see :class:`LRScheduler`.

    Difference from PyTorch: ``T_max`` is checked (PyTorch divides by zero on 0).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if check_number("T_max", T_max) <= 0:
            raise ValueError(f"T_max: expected a positive number of epochs, got {T_max!r}")
        self.T_max = int(T_max) if isinstance(T_max, Integral) else float(T_max)
        self.eta_min = check_number("eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and self.last_epoch > 0:
            return [self.eta_min + (base_lr - self.eta_min)
                    * (1 + math.cos(self.last_epoch * math.pi / self.T_max)) / 2
                    for base_lr in self.base_lrs]
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            # 1 + cos(pi (t-1) / T_max) is 0 here: step up from the trough instead.
            return [group["lr"] + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, self.optimizer.param_groups)]
        return [(1 + math.cos(math.pi * self.last_epoch / self.T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
                * (group["lr"] - self.eta_min) + self.eta_min
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply each group's learning rate by ``gamma`` each time the epoch reaches one
    of the ``milestones``.

    With base rate lr0 the rate during epoch e is ``lr0 * gamma ** k``, k the number of
    milestones <= e (a milestone listed twice counts twice). step() multiplies the
    current rate by ``gamma ** n`` at an epoch listed n times, as PyTorch does, so a
    change of ``group["lr"]`` made elsewhere carries on.

    Args:
        optimizer: the optimizer.
        milestones: epoch indices (ints), increasing as PyTorch asks (their order does
            not matter here either).
        gamma: multiplicative factor (default 0.1).
        last_epoch: see :class:`LRScheduler`.

    ``milestones`` is kept as a ``collections.Counter`` {epoch: count}, as PyTorch's.
    Difference from PyTorch: the milestones must be ints (TypeError otherwise).
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"milestones: expected a list of ints, got {type(milestones).__name__}")
        self.milestones = Counter(_check_int("milestones", m, 0) for m in milestones)
        self.gamma = check_number("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        # minigrad.load gives a plain dict back for the Counter.
        self.milestones = Counter({int(k): int(v) for k, v in self.milestones.items()})


class ExponentialLR(LRScheduler):
    """Multiply each group's learning rate by ``gamma`` every epoch: during epoch e the
    rate is ``lr0 * gamma ** e`` (one multiplication per step, as PyTorch does).

    Args:
        optimizer: the optimizer.
        gamma: multiplicative factor.
        last_epoch: see :class:`LRScheduler`; resuming (>= 0) keeps the optimizer's
            current rates on construction rather than stepping them once more.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = check_number("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class LambdaLR(LRScheduler):
    """Set each group's learning rate to its initial rate times ``lr_lambda(epoch)``:
    ``lr = lr0 * lr_lambda(e)`` during epoch e (from the base rates, not chained).

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the epoch (an int) giving a factor, or a list or tuple
            of them, one per parameter group.
        last_epoch: see :class:`LRScheduler`.

    ``state_dict()`` cannot hold functions: each plain function or lambda is saved as
    None, a callable object as a copy of its ``__dict__`` (which ``load_state_dict``
    writes back into the object already there), as PyTorch does.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        else:
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got "
                                 f"{len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda: expected a function of the epoch, got "
                                f"{type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict: expected a dict, got {type(state_dict).__name__}")
        state = dict(state_dict)  # the caller's dict is left as it is
        lr_lambdas = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        if not isinstance(lr_lambdas, (list, tuple)) or len(lr_lambdas) != len(self.lr_lambdas):
            raise ValueError(f"state_dict['lr_lambdas']: expected {len(self.lr_lambdas)} "
                             f"entries (one per parameter group), got {lr_lambdas!r}")
        super().load_state_dict(state)
        for fn, saved in zip(self.lr_lambdas, lr_lambdas):
            if saved is not None:
                fn.__dict__.update(saved)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        return [base_lr * lmbda(self.last_epoch)
                for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith and Topin, 2017): the learning rate rises from
    ``max_lr / div_factor`` to ``max_lr``, then falls to ``initial_lr /
    final_div_factor``, while the momentum moves the opposite way between
    ``max_momentum`` and ``base_momentum``. Step it after every batch.

    With T = total_steps and s = pct_start, the phases (``end_step`` values, as
    PyTorch's) are::

        two phases:   [0, s*T - 1]: initial_lr -> max_lr,  momentum max -> base
                      [s*T - 1, T - 1]: max_lr -> min_lr,   momentum base -> max
        three_phase:  [0, s*T - 1]: initial_lr -> max_lr; [s*T - 1, 2*s*T - 2]:
                      max_lr -> initial_lr; [2*s*T - 2, T - 1]: initial_lr -> min_lr
                      (momentum max -> base -> max, then stays at max)

    and within a phase from a to b at fraction x of its steps the value is
    ``b + (a - b) / 2 * (cos(pi x) + 1)`` ('cos') or ``(b - a) * x + a`` ('linear').
    Not chainable: each rate comes from these formulas, not from the current one.

    Args:
        optimizer: the optimizer.
        max_lr: the peak rate, one number or one per group.
        total_steps: the number of steps in the cycle; or give ``epochs`` and
            ``steps_per_epoch`` (T = their product).
        pct_start: the fraction of the cycle spent rising (a float in [0, 1]; 0.3).
        anneal_strategy: 'cos' (default) or 'linear'.
        cycle_momentum: cycle SGD's ``momentum`` (or RMSprop's), or Adam's
            ``betas[0]``, inversely to the rate (default True; the optimizer must have
            one of those options).
        base_momentum, max_momentum: the momentum bounds (0.85, 0.95), a number or one
            per group.
        div_factor: initial_lr = max_lr / div_factor (25).
        final_div_factor: min_lr = initial_lr / final_div_factor (1e4).
        three_phase: the paper's three phases instead of fastai's two (default False).
        last_epoch: the index of the last *batch*; see :class:`LRScheduler`.

    Each group gets the entries ``initial_lr``, ``max_lr``, ``min_lr`` (and, when
    cycling momentum, ``max_momentum`` and ``base_momentum``), as in PyTorch. Stepping
    past ``total_steps`` raises ValueError.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer

        def positive_int(value):
            return (isinstance(value, Integral) and not isinstance(value, bool)
                    and value > 0)

        if total_steps is not None:
            if not positive_int(total_steps):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            if not positive_int(epochs):
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not positive_int(steps_per_epoch):
                raise ValueError("Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")

        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        div_factor = check_number("div_factor", div_factor)
        final_div_factor = check_number("final_div_factor", final_div_factor)
        three_phase = check_flag("three_phase", three_phase)
        T = self.total_steps
        if three_phase:
            self._schedule_phases = [
                {"end_step": float(pct_start * T) - 1, "start_lr": "initial_lr",
                 "end_lr": "max_lr", "start_momentum": "max_momentum",
                 "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * T) - 2, "start_lr": "max_lr",
                 "end_lr": "initial_lr", "start_momentum": "base_momentum",
                 "end_momentum": "max_momentum"},
                {"end_step": T - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        else:
            self._schedule_phases = [
                {"end_step": float(pct_start * T) - 1, "start_lr": "initial_lr",
                 "end_lr": "max_lr", "start_momentum": "max_momentum",
                 "end_momentum": "base_momentum"},
                {"end_step": T - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]

        max_lrs = [check_number("max_lr", v) for v in _per_group("max_lr", optimizer, max_lr)]
        if last_epoch == -1:
            for group, group_max in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = group_max / div_factor
                group["max_lr"] = group_max
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = check_flag("cycle_momentum", cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            max_momentums = [check_number("max_momentum", v)
                             for v in _per_group("max_momentum", optimizer, max_momentum)]
            base_momentums = [check_number("base_momentum", v)
                              for v in _per_group("base_momentum", optimizer, base_momentum)]
            if last_epoch == -1:
                for group, m_max, m_base in zip(optimizer.param_groups, max_momentums,
                                                base_momentums):
                    if self.use_beta1:
                        group["betas"] = (m_max, *group["betas"][1:])
                    else:
                        group["momentum"] = m_max
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """The rates of the current step; sets each group's momentum (or betas[0]) as a
        side effect when cycling momentum, as PyTorch's."""
        self._warn_get_lr_outside_step()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"Tried to step {step_num} times. The specified number of total "
                             f"steps is {self.total_steps}")
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == last:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]],
                                                group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """Multiply each group's learning rate by ``factor`` when a metric has stopped
    improving for more than ``patience`` steps (``scheduler.step(val_loss)``).

    A value a improves on the best so far b when (mode, threshold_mode)::

        min, rel:  a < b * (1 - threshold)      min, abs:  a < b - threshold
        max, rel:  a > b * (1 + threshold)      max, abs:  a > b + threshold

    Each step without improvement counts one bad epoch (none count during the
    ``cooldown`` steps after a reduction); when the count exceeds ``patience`` each
    group's rate becomes ``max(lr * factor, min_lr)``, unless that changes it by no
    more than ``eps``, and the count restarts.

    Args:
        optimizer: the optimizer.
        mode: 'min' (default: the metric should fall) or 'max'.
        factor: the multiplier, < 1 (default 0.1).
        patience: bad epochs tolerated before a reduction (an int >= 0; 10).
        threshold: the least change that counts as an improvement (1e-4).
        threshold_mode: 'rel' (default) or 'abs'.
        cooldown: steps after a reduction during which bad epochs are ignored (0).
        min_lr: the lowest rate, one number or one per group (0).
        eps: reductions smaller than this are skipped (1e-8).

    ``step(metrics)`` takes a number or a one-element Tensor (read with ``float``);
    ``get_last_lr()`` gives the rates after it. Differences from PyTorch: ``patience``
    and ``cooldown`` must be ints, the other numbers Python numbers.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: list[float] | float = 0, eps: float = 1e-8) -> None:
        if check_number("factor", factor) >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = float(factor)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = [check_number("min_lr", v) for v in min_lr]
        else:
            self.default_min_lr = check_number("min_lr", min_lr)
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.patience = _check_int("patience", patience, 0)
        self.cooldown = _check_int("cooldown", cooldown, 0)
        self.eps = check_number("eps", eps)
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self) -> None:
        """Forget the best value, the bad epochs and the cooldown."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: SupportsFloat,  # type: ignore[override]
             epoch: int | None = None) -> None:
        """Record one value of the metric and reduce the rates if it has plateaued."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch

        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown are ignored
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    "usually due to a new param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length of the `optimizer` param "
                    "groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in {"min", "max"}:
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = check_number("threshold", threshold)
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict` (it has no ``base_lrs``: this scheduler never
        sets rates from base values)."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict: expected a dict, got {type(state_dict).__name__}")
        if "optimizer" in state_dict:
            raise ValueError("state_dict: must not contain 'optimizer' (a scheduler's "
                             "state_dict() leaves it out)")
        self.__dict__.update(state_dict)
        self._init_is_better(mode=self.mode, threshold=self.threshold,
                             threshold_mode=self.threshold_mode)
