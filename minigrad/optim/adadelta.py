"""Adadelta: per-element step sizes from running averages of squared gradients and of
squared updates (Zeiler, 2012)."""
from __future__ import annotations

from typing import Any, Callable

from ..autograd import no_grad
from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flags, check_nonnegative, check_number,
                        count_step, effective_grad, full_state, new_step_count)


class Adadelta(Optimizer):
    r"""Adadelta (``torch.optim.Adadelta``), PyTorch's formulas in PyTorch's order.

    For each parameter p with gradient g (parameters whose ``.grad`` is None are
    skipped), with lr, rho, eps and weight decay lambda, v and u starting at zero::

        g = -g                                   if maximize
        g = g + lambda * p                       if lambda != 0
        v = rho * v + (1 - rho) * g * g          (square_avg)
        d = sqrt(u + eps) / sqrt(v + eps) * g    (the update)
        u = rho * u + (1 - rho) * d * d          (acc_delta)
        p = p - lr * d

    Everything is elementwise, in the parameter's dtype, on its device: the update
    (:func:`adadelta`) is written with minigrad's in-place tensor ops (``mul_``,
    ``addcmul_``, ``add_``) under ``no_grad``, each a registered op, so it runs wherever
    the parameter lives and bumps the version counters of what it writes.

    Args:
        params: Tensors or parameter groups (see :class:`Optimizer`).
        lr: scales the update before it is applied (default 1.0).
        rho: decay of both running averages, in [0, 1] (default 0.9).
        eps: added under both square roots (default 1e-6).
        weight_decay: L2 penalty lambda (default 0).
        foreach: accepted for compatibility and ignored (a PyTorch kernel choice).
        capturable, differentiable: only False is supported.
        maximize: ascend the objective instead of descending it (default False).

    State per parameter: ``"step"`` (a 0-d float32 Tensor on the host, as PyTorch
    keeps it), ``"square_avg"`` (v) and ``"acc_delta"`` (u), Tensors shaped as the
    parameter, in its dtype and on its device.

    Differences from PyTorch: ``lr`` must be a Python number (no Tensor learning
    rates); ``capturable`` and ``differentiable`` are not supported; every group's
    options are checked (PyTorch checks the constructor's only).
    """

    _state_keys = frozenset({"step", "square_avg", "acc_delta"})

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        # PyTorch validates before looking at params: bad options win over an empty list.
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_flags(group, flags=("maximize",), unsupported=("capturable", "differentiable"))
        check_nonnegative(group, "lr")
        if not 0.0 <= check_number("rho", group["rho"]) <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        check_nonnegative(group, "eps", "weight_decay")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's
        loss (None without a closure)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = self._with_grad(group["params"])
            for p in params:
                state = self.state[p]
                if not state:
                    state["step"] = new_step_count()
                    state["square_avg"] = full_state(p)
                    state["acc_delta"] = full_state(p)
                count_step(state)  # kept for PyTorch's state layout; the update ignores it
            adadelta(params, [p.grad for p in params],
                     [self.state[p]["square_avg"] for p in params],
                     [self.state[p]["acc_delta"] for p in params], lr=group["lr"],
                     rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                     maximize=group["maximize"])
        return loss


def adadelta(params: list[Tensor], grads: list[Tensor], square_avgs: list[Tensor],
             acc_deltas: list[Tensor], *, lr: float, rho: float, eps: float,
             weight_decay: float, maximize: bool = False) -> None:
    """The update of :class:`Adadelta` as a function (``torch.optim.adadelta.adadelta``
    without the step counts, which the update does not use): ``params``,
    ``square_avgs`` and ``acc_deltas`` (one Tensor each per parameter, shaped as it)
    stepped in place with ``grads``. The options are not checked here."""
    with no_grad():
        for p, grad, square_avg, acc_delta in zip(params, grads, square_avgs, acc_deltas):
            grad = effective_grad(grad, p, weight_decay, maximize)
            square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
            std = (square_avg + eps).sqrt()
            delta = (acc_delta + eps).sqrt() / std * grad
            acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
            p.add_(delta, alpha=-lr)
