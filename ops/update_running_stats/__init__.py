"""update_running_stats: BatchNorm's running statistics moved towards a batch's, in place.

Per channel c, with the batch's mean and biased variance over its n values per channel
(PyTorch's formulas: the running variance takes the UNBIASED variance)::

    running_mean[c] = (1 - momentum) * running_mean[c] + momentum * mean[c]
    running_var[c]  = (1 - momentum) * running_var[c]  + momentum * var[c] * (n / (n - 1))

:func:`minigrad.nn.functional.batch_norm` runs it in training, outside the tape (PyTorch:
under no_grad). No backward.

Kernel contract (docs/tape.md): ``forward(g, running_mean, running_var, mean, var) ->
(None, None)``, all four arrays (C,) of one dtype and device; the geometry holds
``momentum`` and ``n`` (Python numbers, turned into the arrays' dtype where NumPy
would). The cuda rung gives the numpy rung's bits.

This module imports only the standard library.
"""
from __future__ import annotations

from typing import Any, NamedTuple

IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("fused",)}
DEFAULT = {"cpu": "numpy", "cuda": "fused"}


class Geometry(NamedTuple):
    """momentum: the weight of the batch's statistics; n: values per channel (> 1)."""

    momentum: float
    n: int

    def attrs(self) -> dict[str, Any]:
        return {"momentum": self.momentum}
