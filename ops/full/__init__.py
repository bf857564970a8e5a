"""full: a new array of one shape and dtype, every element one value, as ``torch.full``
makes for a tensor; what the engine and the optimizers use for the arrays they make
from nothing (zeroed gradients, ``zero_grad(set_to_none=False)``).

An op, although it has no input, so that the fill runs through the registry like every
kernel (``use()``, the profiler and the tests see it) and on cuda never leaves the GPU.
The device it runs on is the one asked for. Off the tape: no backward.

Kernel contract (docs/tape.md): ``forward(g) -> (the new array, None)``.

This module imports only the standard library and NumPy.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("fill",)}
DEFAULT = {"cpu": "numpy", "cuda": "fill"}


class Geometry(NamedTuple):
    """shape: a tuple of ints; value: the fill, already of ``dtype``; dtype: a NumPy
    dtype."""

    shape: tuple[int, ...]
    value: Any
    dtype: np.dtype

    def attrs(self) -> dict[str, Any]:
        return {"size": self.shape, "fill_value": self.value.item(), "dtype": str(self.dtype)}


def declare(shape, value, dtype) -> Geometry:
    """The geometry of an array of ``shape`` (ints) and ``dtype`` filled with ``value``
    (a real number, converted to ``dtype`` here, once)."""
    dtype = np.dtype(dtype)
    return Geometry(tuple(int(s) for s in shape), dtype.type(value), dtype)
