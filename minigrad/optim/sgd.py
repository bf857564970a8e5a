"""Stochastic gradient descent with momentum, dampening, weight decay and Nesterov."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flag, check_foreach, check_number,
                        check_unsupported)


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
    when momentum != 0. Updates run in place on ``p.data`` in the parameter's dtype.

    Differences from PyTorch: ``lr`` must be a Python number (no Tensor learning
    rates); ``maximize=True``, ``differentiable`` and ``fused`` are not supported.
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
        lr = check_number("lr", group["lr"])
        momentum = check_number("momentum", group["momentum"])
        dampening = check_number("dampening", group["dampening"])
        weight_decay = check_number("weight_decay", group["weight_decay"])
        nesterov = check_flag("nesterov", group["nesterov"])
        check_unsupported("maximize", group["maximize"])
        check_foreach(group["foreach"])
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's
        loss (None without a closure)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = group["lr"]
            momentum = group["momentum"]
            dampening = group["dampening"]
            weight_decay = group["weight_decay"]
            nesterov = group["nesterov"]
            on_gpu = []
            for p in group["params"]:
                grad = self._grad_of(p)
                if grad is None:
                    continue
                if not isinstance(p.data, np.ndarray):
                    on_gpu.append((p, grad))
                    continue
                # `owned`: grad is a temporary of ours, safe to overwrite in place.
                owned = False
                if weight_decay != 0:
                    grad = np.multiply(p.data, weight_decay, dtype=p.data.dtype)
                    grad += p.grad.data  # g + wd * p
                    owned = True
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._wrap(
                            np.array(grad, dtype=p.data.dtype, copy=True))
                    else:
                        b = buf.data
                        b *= momentum
                        if dampening == 0:
                            b += grad
                        else:
                            b += (1 - dampening) * grad
                    if nesterov:
                        nb = buf.data * momentum
                        if owned:
                            grad += nb
                        else:
                            nb += grad
                            grad, owned = nb, True
                    else:
                        grad, owned = buf.data, False
                if owned:
                    grad *= lr
                    p.data -= grad
                else:
                    p.data -= lr * grad
            if on_gpu:
                self._cuda_step(on_gpu, lr, momentum, dampening, weight_decay, nesterov)
        return loss

    def _cuda_step(self, items, lr, momentum, dampening, weight_decay, nesterov) -> None:
        """The same update as above for a group's GPU parameters, fused into one kernel
        launch per dtype and first-step flag (same arithmetic, same rounding:
        minigrad/optim/cuda_kernels.py)."""
        from .cuda_kernels import sgd_update
        batches: dict = {}
        for p, grad in items:
            buf = self.state[p].get("momentum_buffer") if momentum != 0 else None
            key = (p.data.dtype.str, buf is None)
            batches.setdefault(key, []).append((p, grad, buf))
        for (_, first), batch in batches.items():
            new = sgd_update([p.data for p, _, _ in batch], [g for _, g, _ in batch],
                             [None if b is None else b.data for _, _, b in batch], lr=lr,
                             momentum=momentum, dampening=dampening, nesterov=nesterov,
                             weight_decay=weight_decay, first_step=first)
            if momentum != 0 and first:
                for (p, _, _), buf in zip(batch, new):
                    self.state[p]["momentum_buffer"] = Tensor._wrap(buf)
