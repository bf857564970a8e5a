"""A node of the tape: one recorded op call."""
from __future__ import annotations

from typing import Any, Callable

from ..ops._attrs import attrs_of
from . import version

_FREED_MSG = ("Trying to backward through the graph a second time (or to use saved buffers "
              "after they have been freed). Saved buffers are freed after backward(); specify "
              "retain_graph=True on the first backward() if you need to call it again.")


class Node:
    """What the tape keeps of one op call: the kernel contract's arguments for backward.

    ``edges`` has one entry per input: the input's own Node (non-leaf), the input Tensor
    itself when it is a leaf that requires grad (its .grad is accumulated), or None.
    ``run(grad)`` calls ``backward(geometry, grad, saved, needs_input_grad)``; ``saved``
    is exactly what the implementation's forward chose to keep, and nothing else of the
    call stays alive. It is dropped after backward (unless retain_graph).
    """

    __slots__ = ("op", "impl", "device", "geometry", "edges", "backward", "saved", "needs",
                 "shape", "dtype", "retained", "versions", "__weakref__")

    def __init__(self, op: str, impl: str, device: str, geometry: Any, edges: tuple,
                 backward: Callable, saved: Any, needs: tuple[bool, ...], shape: tuple, dtype,
                 versions: tuple = ()):
        self.op = op
        self.impl = impl
        self.device = device
        self.geometry = geometry
        self.edges = edges
        self.backward: Callable | None = backward
        self.saved = saved
        self.needs = needs
        self.shape = shape
        self.dtype = dtype
        # Weak reference to the output Tensor when it called retain_grad().
        self.retained = None
        # (counter, value, shape, dtype) of each tensor whose array is in saved: backward
        # refuses to run if one was modified in place since (autograd/version.py).
        self.versions = versions

    @property
    def attrs(self) -> dict[str, Any]:
        """The op's attributes under PyTorch's names (stride, padding, dim, ...)."""
        return attrs_of(self.geometry)

    def name(self) -> str:
        """PyTorch-style name, e.g. ``Conv2dBackward``."""
        return "".join(part.capitalize() for part in self.op.split("_")) + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()} ({self.impl})>"

    def run(self, grad):
        if self.backward is None:
            raise RuntimeError(_FREED_MSG)
        for entry in self.versions:  # a saved tensor modified in place since: refuse
            if entry[0].value != entry[1]:
                raise version.modified(self, entry)
        return self.backward(self.geometry, grad, self.saved, self.needs)

    def free(self) -> None:
        self.backward = None
        self.saved = None
        self.versions = ()
