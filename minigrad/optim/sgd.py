"""Stochastic gradient descent with momentum, dampening, weight decay and Nesterov."""
from __future__ import annotations

from typing import Any, Callable

from ..autograd import version
from ..ops.optim import SGDStep
from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flags, check_nonnegative, check_number,
                        run_update)


class SGD(Optimizer):
    r"""Stochastic gradient descent (``torch.optim.SGD``), PyTorch's formulas exactly.

    For each parameter p with gradient g (parameters whose ``.grad`` is None are
    skipped), with lr, momentum mu, dampening tau, weight decay lambda::

        g = g + lambda * p                      if lambda != 0
        b = g                                   on the first step (momentum != 0)
        b = mu * b + (1 - tau) * g              afterwards
        g = g + mu * b   if nesterov, else  g = b      (momentum != 0)
        p = p - lr * g

    Args:
        params: Tensors or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-3, as PyTorch 2.x).
        momentum: momentum factor mu (default 0).
        dampening: dampening tau of the momentum (default 0).
        weight_decay: L2 penalty lambda (default 0).
        nesterov: Nesterov momentum; needs momentum > 0 and dampening 0.
        maximize: only False is supported (PyTorch: ascend instead of descend).
        foreach: accepted for compatibility and ignored (a PyTorch kernel choice).

    State per parameter: ``"momentum_buffer"`` (a Tensor in the parameter's dtype), only
    when momentum != 0. Updates run in place on ``p._array`` in the parameter's dtype, one
    ``sgd_step`` op per group (:func:`sgd`) on the group's device: all of a group's
    parameters and gradients must be on one device (RuntimeError otherwise).

    Differences from PyTorch: ``lr`` must be a Python number (no Tensor learning
    rates); ``maximize=True``, ``differentiable`` and ``fused`` are not supported; a
    group on several devices is an error (PyTorch steps it parameter by parameter).
    """

    _state_keys = frozenset({"momentum_buffer"})

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach}
        # PyTorch validates before looking at params: bad options win over an empty list.
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        dampening = check_number("dampening", group["dampening"])
        check_flags(group, flags=("nesterov",), unsupported=("maximize",))
        check_nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's
        loss (None without a closure)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = self._with_grad(group["params"])
            if not params:
                continue
            momentum = group["momentum"]
            bufs = [self.state[p].get("momentum_buffer") if momentum != 0 else None
                    for p in params]
            sgd(params, [p.grad for p in params], bufs, lr=group["lr"], momentum=momentum,
                dampening=group["dampening"], weight_decay=group["weight_decay"],
                nesterov=group["nesterov"])
            if momentum != 0:
                for p, buf in zip(params, bufs):
                    self.state[p]["momentum_buffer"] = buf
        return loss


def sgd(params: list[Tensor], d_p_list: list[Tensor],
        momentum_buffer_list: list[Tensor | None], *, lr: float, momentum: float = 0,
        dampening: float = 0, weight_decay: float = 0, nesterov: bool = False) -> None:
    """The update of :class:`SGD` as a function (``torch.optim.sgd.sgd``): ``params``
    stepped in place with the gradients ``d_p_list`` by one ``sgd_step`` op on their
    device (on cuda one fused launch per dtype and 16 parameters).

    momentum_buffer_list: each parameter's momentum buffer, None where it has none yet;
    with momentum != 0 those entries are set to the new buffers (PyTorch's convention).
    The options are not checked here (the :class:`SGD` constructor does that).
    """
    if not params:
        return
    g = SGDStep(lr, momentum, dampening, weight_decay, nesterov)
    new = run_update("sgd_step", g, [*params, *d_p_list], tuple(p._array for p in params),
                     tuple(d._array for d in d_p_list),
                     tuple(None if b is None else b._array for b in momentum_buffer_list))
    version.bump(*params)  # written in place: a graph that saved them refuses backward
    for i, (old, buf) in enumerate(zip(momentum_buffer_list, new)):
        if old is None and buf is not None:
            momentum_buffer_list[i] = Tensor._wrap(buf)
