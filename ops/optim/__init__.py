"""The optimizers' updates: one in-place step of SGD or Adam over a list of parameters.

``sgd_step`` and ``adam_step`` are what :class:`minigrad.optim.SGD`, ``Adam`` and
``AdamW`` run once per parameter group and step, on the group's device, like any other
op (so ``use()``, the profiler and the tests see them). Both are off the tape: they
have no backward and write into their inputs.

Kernel contract (docs/tape.md), multi-tensor like PyTorch's ``_fused_sgd_`` and
``_fused_adam_``: every input is a tuple with one array per parameter, all of one
device; the geometry holds the hyper-parameters as the optimizer keeps them (Python
numbers, not converted: the kernels turn them into each parameter's dtype exactly
where NumPy would)::

    sgd_step.forward(g: SGDStep, params, grads, momentum_buffers) -> (buffers, None)
        momentum_buffers: an array, or None where the parameter has none yet (its first
        step: the buffer is made from the gradient); all None when momentum == 0.
        buffers: the buffers after the step, the given ones updated in place, new ones
        where None was given (all None when momentum == 0).
    adam_step.forward(g: AdamStep, params, grads, exp_avgs, exp_avg_sqs) -> (None, None)
        the moments are updated in place; g.steps[i] is parameter i's step number.

The formulas (PyTorch's, operation for operation) are in minigrad/optim/sgd.py and
adam.py; ``numpy.py`` does them in NumPy, ``cuda/fused.py`` in one kernel launch per
dtype and up to 16 parameters, with the same bits.

This module imports only the standard library.
"""
from __future__ import annotations

from typing import Any, NamedTuple

OPS = ("sgd_step", "adam_step")
IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("fused",)}
DEFAULT = {"cpu": "numpy", "cuda": "fused"}


class SGDStep(NamedTuple):
    """The options of one SGD step (checked by the optimizer: lr >= 0, ...)."""

    lr: float
    momentum: float
    dampening: float
    weight_decay: float
    nesterov: bool

    def attrs(self) -> dict[str, Any]:
        return self._asdict()


class AdamStep(NamedTuple):
    """The options of one Adam step, and each parameter's step number t (1, 2, ...,
    counted by the optimizer on the host: the bias corrections 1 - beta**t are computed
    from it in float64)."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    decoupled_weight_decay: bool  # AdamW
    steps: tuple[float, ...]

    def attrs(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": (self.beta1, self.beta2), "eps": self.eps,
                "weight_decay": self.weight_decay,
                "decoupled_weight_decay": self.decoupled_weight_decay}
