"""Adagrad: per-element step sizes from the sum of all past squared gradients (Duchi,
Hazan and Singer, 2011)."""
from __future__ import annotations

from typing import Any, Callable

from ..autograd import no_grad
from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flags, check_nonnegative,
                        check_unsupported, count_step, effective_grad, full_state,
                        new_step_count)


class Adagrad(Optimizer):
    r"""Adagrad (``torch.optim.Adagrad``), PyTorch's formulas in PyTorch's order.

    For each parameter p with gradient g (parameters whose ``.grad`` is None are
    skipped), at step t = 1, 2, ... with lr, lr_decay, weight decay lambda and eps, the
    sum s starting at ``initial_accumulator_value``::

        g = -g                                   if maximize
        g = g + lambda * p                       if lambda != 0
        clr = lr / (1 + (t - 1) * lr_decay)      (a Python float)
        s = s + g * g                            (sum)
        p = p - clr * g / (sqrt(s) + eps)

    Everything but clr is elementwise, in the parameter's dtype, on its device, written
    with minigrad's in-place tensor ops under ``no_grad`` (:func:`adagrad`), each a
    registered op.

    Args:
        params: Tensors or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty lambda (default 0).
        initial_accumulator_value: the starting value of every element of s (default 0).
        eps: added to the denominator (default 1e-10).
        foreach: accepted for compatibility and ignored.
        maximize: ascend the objective instead of descending it (default False).
        differentiable: only False is supported; fused: only None or False.

    State per parameter, created by the constructor for every parameter (as PyTorch
    does, so ``state_dict()`` lists them all before the first step): ``"step"`` (a 0-d
    float32 Tensor on the host) and ``"sum"`` (a Tensor shaped as the parameter, in its
    dtype and on its device).

    Differences from PyTorch: ``lr`` must be a Python number; ``differentiable`` and
    ``fused`` are not supported, nor sparse gradients; every group's options are
    checked and each group's sum starts at its own ``initial_accumulator_value``
    (PyTorch uses the constructor's for all groups); a parameter added later with
    :meth:`add_param_group` gets its state there too (PyTorch's step raises KeyError).
    """

    _state_keys = frozenset({"step", "sum"})

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        # PyTorch validates before looking at params: bad options win over an empty list.
        self._check_group(defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        for p in param_group["params"]:
            self._init_state(p, param_group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        if not state:
            state["step"] = new_step_count()
            state["sum"] = full_state(p, group["initial_accumulator_value"])

    def _check_group(self, group: dict[str, Any]) -> None:
        check_flags(group, flags=("maximize",), unsupported=("differentiable",))
        if group["fused"] is not None:
            check_unsupported("fused", group["fused"])
        check_nonnegative(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value",
                          "eps")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's
        loss (None without a closure)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = self._with_grad(group["params"])
            for p in params:  # state a loaded state dict left out starts afresh
                self._init_state(p, group)
            steps = [count_step(self.state[p]) for p in params]
            adagrad(params, [p.grad for p in params], [self.state[p]["sum"] for p in params],
                    steps, lr=group["lr"], weight_decay=group["weight_decay"],
                    lr_decay=group["lr_decay"], eps=group["eps"], maximize=group["maximize"])
        return loss


def adagrad(params: list[Tensor], grads: list[Tensor], state_sums: list[Tensor],
            state_steps: list[float], *, lr: float, weight_decay: float, lr_decay: float,
            eps: float, maximize: bool = False) -> None:
    """The update of :class:`Adagrad` as a function (``torch.optim.adagrad.adagrad``):
    ``params`` and ``state_sums`` stepped in place. state_steps: each parameter's step
    number t (1 on its first update), already counted. The options are not checked
    here."""
    with no_grad():
        for p, grad, state_sum, step in zip(params, grads, state_sums, state_steps):
            grad = effective_grad(grad, p, weight_decay, maximize)
            clr = lr / (1 + (step - 1) * lr_decay)
            state_sum.addcmul_(grad, grad, value=1)
            std = state_sum.sqrt() + eps
            p.addcdiv_(grad, std, value=-clr)
