"""to_copy: a tensor's values on another device, as ``t.to("cuda")`` / ``t.cpu()``.

An op like the others, so that the tape records it (gradients flow back to the source
device, as in PyTorch), the profiler times it and ``use()`` could swap it: the rung is
picked by the source's device, ``driver.py`` for a CPU tensor (host to device) and
``cuda/driver.py`` for a GPU one (device to host); each backward copies the gradient
the other way. The copies themselves are the device layer's (``minigrad.device``, below
the ops: it counts every transfer).

Kernel contract (docs/tape.md): ``forward(g, x) -> (x on g.target, None)``,
``backward(g, grad_out, None, needs_input_grad) -> (grad_out on g.source,)``.

This module imports only the standard library.
"""
from __future__ import annotations

from typing import Any, NamedTuple

IMPLEMENTATIONS = {"cpu": ("driver",), "cuda": ("driver",)}
DEFAULT = {"cpu": "driver", "cuda": "driver"}


class Geometry(NamedTuple):
    """The two devices of one copy (minigrad ``Device`` objects)."""

    source: Any
    target: Any

    def attrs(self) -> dict[str, Any]:
        """What the graph pictures print: the target device, as ``Tensor.to`` names it."""
        return {"device": str(self.target)}


def declare(source, target) -> Geometry:
    """The geometry of copying a tensor on ``source`` to ``target`` (two different
    devices: the front end returns the tensor itself when they are the same)."""
    return Geometry(source, target)
