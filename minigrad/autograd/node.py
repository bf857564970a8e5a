"""A node of the tape: one recorded op call."""
from __future__ import annotations

from typing import Any, Callable

_FREED_MSG = ("Trying to backward through the graph a second time (or to use saved buffers "
              "after they have been freed). Saved buffers are freed after backward(); specify "
              "retain_graph=True on the first backward() if you need to call it again.")


class Node:
    """What the tape keeps of one op call.

    ``edges`` has one entry per input: the input's own Node (non-leaf), the input Tensor
    itself when it is a leaf that requires grad (its .grad is accumulated), or None.
    ``backward_fn(grad_out) -> tuple`` closes over the arrays backward needs; it is
    dropped after backward (unless retain_graph) so those buffers can be freed.
    """

    __slots__ = ("op", "impl", "attrs", "edges", "backward_fn", "shape", "dtype",
                 "retained", "__weakref__")

    def __init__(self, op: str, impl: str, attrs: dict[str, Any], edges: tuple,
                 backward_fn: Callable, shape: tuple, dtype):
        self.op = op
        self.impl = impl
        self.attrs = attrs
        self.edges = edges
        self.backward_fn: Callable | None = backward_fn
        self.shape = shape
        self.dtype = dtype
        # Weak reference to the output Tensor when it called retain_grad().
        self.retained = None

    def name(self) -> str:
        """PyTorch-style name, e.g. ``Conv2dBackward``."""
        return "".join(part.capitalize() for part in self.op.split("_")) + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()} ({self.impl})>"

    def run(self, grad):
        if self.backward_fn is None:
            raise RuntimeError(_FREED_MSG)
        return self.backward_fn(grad)

    def free(self) -> None:
        self.backward_fn = None
