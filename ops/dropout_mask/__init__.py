"""dropout_mask: the scale factors dropout multiplies its input by, drawn at random.

Each element is ``1 / (1 - p)`` with probability ``1 - p`` and 0 otherwise, so
``x * mask`` has the expected value of ``x`` (:func:`minigrad.nn.functional.dropout`).
The op has no inputs and no backward: dropout's gradient comes from the tape's
multiplication by the mask.

Kernel contract (docs/tape.md): ``forward(g) -> (mask, None)`` with ``g`` the
:class:`Geometry` below. The randomness comes from ``g.generator``, a
``numpy.random.Generator`` on the host (minigrad's global one, so ``manual_seed`` fixes
the masks), as PyTorch's dropout kernels take a generator: the numpy rung draws the
uniform numbers from it, the cuda rung one seed for its counter-based hash. The two
devices give different masks for the same seed.

This module imports only the standard library.
"""
from __future__ import annotations

from typing import Any, NamedTuple

IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("hash",)}
DEFAULT = {"cpu": "numpy", "cuda": "hash"}


class Geometry(NamedTuple):
    """shape: the mask's (the input's) shape; p: the drop probability in [0, 1]
    (checked by the front end); dtype: the input's NumPy dtype; generator: where the
    randomness comes from."""

    shape: tuple[int, ...]
    p: float
    dtype: Any
    generator: Any

    def attrs(self) -> dict[str, Any]:
        return {"p": self.p}


def declare(shape, p: float, dtype, generator) -> Geometry:
    """The geometry of a mask of ``shape`` (a tuple of ints) and ``dtype``."""
    return Geometry(tuple(int(s) for s in shape), float(p), dtype, generator)
