"""RMSprop: gradients divided by a running root mean square of their recent values
(Hinton's lecture notes), optionally centered and with momentum."""
from __future__ import annotations

from typing import Any, Callable

from ..autograd import no_grad
from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flags, check_nonnegative, count_step,
                        effective_grad, full_state, new_step_count)


class RMSprop(Optimizer):
    r"""RMSprop (``torch.optim.RMSprop``), PyTorch's formulas in PyTorch's order.

    For each parameter p with gradient g (parameters whose ``.grad`` is None are
    skipped), with lr, alpha, eps, weight decay lambda and momentum mu; v, gbar and b
    start at zero::

        g = -g                                   if maximize
        g = g + lambda * p                       if lambda != 0
        v = alpha * v + (1 - alpha) * g * g      (square_avg)
        gbar = lerp(gbar, g, 1 - alpha)          (grad_avg; only if centered)
        a = sqrt(v - gbar * gbar) + eps          if centered, else  a = sqrt(v) + eps
        b = mu * b + g / a;  p = p - lr * b      if mu > 0 (momentum_buffer)
        p = p - lr * g / a                       otherwise

    ``lerp(x, y, w)`` is PyTorch's: ``x + w * (y - x)`` for w < 0.5, else
    ``y - (y - x) * (1 - w)``. Everything is elementwise, in the parameter's dtype, on
    its device, written with minigrad's in-place tensor ops under ``no_grad``
    (:func:`rmsprop`), each a registered op.

    Args:
        params: Tensors or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the running averages (default 0.99).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty lambda (default 0).
        momentum: momentum factor mu (default 0).
        centered: divide by an estimate of the gradient's variance instead of its
            second moment (default False).
        capturable, differentiable: only False is supported.
        foreach: accepted for compatibility and ignored.
        maximize: ascend the objective instead of descending it (default False).

    State per parameter: ``"step"`` (a 0-d float32 Tensor on the host) and
    ``"square_avg"``; ``"momentum_buffer"`` when momentum > 0 and ``"grad_avg"`` when
    centered, as PyTorch names them: Tensors shaped as the parameter, in its dtype and
    on its device.

    Differences from PyTorch: ``lr`` must be a Python number; ``capturable`` and
    ``differentiable`` are not supported; every group's options are checked; a
    momentum or ``centered`` switched on after the first step gets a fresh zero buffer
    (PyTorch raises KeyError).
    """

    _state_keys = frozenset({"step", "square_avg"})
    _optional_state_keys = frozenset({"momentum_buffer", "grad_avg"})

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        # PyTorch validates before looking at params: bad options win over an empty list.
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_flags(group, flags=("centered", "maximize"),
                    unsupported=("capturable", "differentiable"))
        check_nonnegative(group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's
        loss (None without a closure)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = self._with_grad(group["params"])
            momentum, centered = group["momentum"], group["centered"]
            for p in params:
                state = self.state[p]
                if not state:
                    state["step"] = new_step_count()
                    state["square_avg"] = full_state(p)
                if momentum > 0 and "momentum_buffer" not in state:
                    state["momentum_buffer"] = full_state(p)
                if centered and "grad_avg" not in state:
                    state["grad_avg"] = full_state(p)
                count_step(state)  # kept for PyTorch's state layout; the update ignores it
            states = [self.state[p] for p in params]
            rmsprop(params, [p.grad for p in params], [s["square_avg"] for s in states],
                    [s["grad_avg"] for s in states] if centered else [],
                    [s["momentum_buffer"] for s in states] if momentum > 0 else [],
                    lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=momentum,
                    centered=centered, maximize=group["maximize"])
        return loss


def _lerp_(start: Tensor, end: Tensor, weight: float) -> None:
    """``start`` moved in place ``weight`` of the way to ``end``, with the two branches
    of PyTorch's lerp kernel (each exact at its end of the interval)."""
    if abs(weight) < 0.5:
        start.add_(end - start, alpha=weight)
    else:
        start.copy_(end - (end - start) * (1 - weight))


def rmsprop(params: list[Tensor], grads: list[Tensor], square_avgs: list[Tensor],
            grad_avgs: list[Tensor], momentum_buffer_list: list[Tensor], *, lr: float,
            alpha: float, eps: float, weight_decay: float, momentum: float, centered: bool,
            maximize: bool = False) -> None:
    """The update of :class:`RMSprop` as a function (``torch.optim.rmsprop.rmsprop``
    without the step counts, which the update does not use): ``params`` and their
    state Tensors stepped in place. ``grad_avgs`` is read only when ``centered`` and
    ``momentum_buffer_list`` only when momentum > 0 (pass empty lists otherwise). The
    options are not checked here."""
    with no_grad():
        for i, (p, grad, square_avg) in enumerate(zip(params, grads, square_avgs)):
            grad = effective_grad(grad, p, weight_decay, maximize)
            square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
            if centered:
                grad_avg = grad_avgs[i]
                _lerp_(grad_avg, grad, 1 - alpha)
                avg = (square_avg - grad_avg * grad_avg).sqrt() + eps
            else:
                avg = square_avg.sqrt() + eps
            if momentum > 0:
                buf = momentum_buffer_list[i]
                buf.mul_(momentum).addcdiv_(grad, avg)
                p.add_(buf, alpha=-lr)
            else:
                p.addcdiv_(grad, avg, value=-lr)
