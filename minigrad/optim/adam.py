"""Adam: adaptive moment estimation, with L2 or decoupled (AdamW) weight decay."""
from __future__ import annotations

from typing import Any, Callable

from ..autograd import version
from ..ops.optim import AdamStep
from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flags, check_nonnegative, check_number,
                        count_step, full_state, new_step_count, run_update)


class Adam(Optimizer):
    r"""Adam (``torch.optim.Adam``), PyTorch's formulas exactly.

    For each parameter p with gradient g (parameters whose ``.grad`` is None are
    skipped), at step t = 1, 2, ... with lr, betas (b1, b2), eps and weight decay lambda::

        p = p * (1 - lr * lambda)            if decoupled_weight_decay (AdamW)
        g = g + lambda * p                   otherwise, if lambda != 0 (L2 penalty)
        m = m + (1 - b1) * (g - m)           (= b1 * m + (1 - b1) * g, torch.lerp)
        v = b2 * v + (1 - b2) * g * g
        p = p - lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)

    with m and v starting at zero. The bias corrections are computed in float64 from
    the step count, everything else in the parameter's dtype, in place.

    Args:
        params: Tensors or parameter groups (see :class:`Optimizer`).
        lr: learning rate (default 1e-3).
        betas: decay rates (b1, b2) of the moment estimates (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: lambda (default 0).
        amsgrad: only False is supported.
        maximize: only False is supported.
        foreach: accepted for compatibility and ignored.
        decoupled_weight_decay: apply weight decay to the parameter directly (AdamW)
            instead of adding it to the gradient (default False).

    State per parameter: ``"step"`` (a 0-d float32 Tensor, as PyTorch keeps it),
    ``"exp_avg"`` (m) and ``"exp_avg_sq"`` (v), Tensors in the parameter's dtype.

    Updates run as one ``adam_step`` op per group (:func:`adam`) on the group's device:
    all of a group's parameters and gradients must be on one device (RuntimeError
    otherwise).

    Differences from PyTorch: ``lr`` and ``betas`` must be Python numbers (no Tensors);
    ``amsgrad=True``, ``maximize=True``, ``capturable``, ``differentiable`` and ``fused``
    are not supported; a group on several devices is an error (PyTorch steps it
    parameter by parameter).
    """

    _state_keys = frozenset({"step", "exp_avg", "exp_avg_sq"})

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "decoupled_weight_decay": decoupled_weight_decay}
        self._check_group(defaults)
        defaults["betas"] = tuple(float(b) for b in betas)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas: expected a pair of floats, got {betas!r}")
        beta1, beta2 = check_number("betas[0]", betas[0]), check_number("betas[1]", betas[1])
        check_flags(group, flags=("decoupled_weight_decay",),
                    unsupported=("amsgrad", "maximize"))
        check_nonnegative(group, "lr", "eps")
        if not 0.0 <= beta1 < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= beta2 < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        check_nonnegative(group, "weight_decay")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns the closure's
        loss (None without a closure)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = self._with_grad(group["params"])
            if not params:
                continue
            steps = []
            for p in params:
                state = self.state[p]
                if not state:
                    # The step count stays on the host (as PyTorch's, non-capturable);
                    # the moments live with the parameter.
                    state["step"] = new_step_count()
                    state["exp_avg"] = full_state(p)
                    state["exp_avg_sq"] = full_state(p)
                steps.append(count_step(state))
            beta1, beta2 = group["betas"]
            adam(params, [p.grad for p in params], [self.state[p]["exp_avg"] for p in params],
                 [self.state[p]["exp_avg_sq"] for p in params], steps, lr=group["lr"],
                 beta1=beta1, beta2=beta2, eps=group["eps"],
                 weight_decay=group["weight_decay"],
                 decoupled_weight_decay=group["decoupled_weight_decay"])
        return loss


def adam(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor],
         exp_avg_sqs: list[Tensor], state_steps: list[float], *, lr: float, beta1: float,
         beta2: float, eps: float, weight_decay: float,
         decoupled_weight_decay: bool = False) -> None:
    """The update of :class:`Adam` as a function (``torch.optim.adam.adam``):
    ``params`` and their moments stepped in place by one ``adam_step`` op on their
    device (on cuda one fused launch per dtype, step number and 16 parameters).

    state_steps: each parameter's step number t (1 on its first update), already
    counted. The options are not checked here (the :class:`Adam` constructor does that).
    """
    if not params:
        return
    g = AdamStep(lr, beta1, beta2, eps, weight_decay, bool(decoupled_weight_decay),
                 tuple(state_steps))
    lists = [tuple(t._array for t in ts) for ts in (params, grads, exp_avgs, exp_avg_sqs)]
    run_update("adam_step", g, [*params, *grads], *lists)
    version.bump(*params)  # written in place: a graph that saved them refuses backward
