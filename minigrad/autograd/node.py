"""A node of the tape: one recorded op call."""
from __future__ import annotations

from typing import Any, Callable

from ..ops._attrs import attrs_of
from . import version

# PyTorch 2.x's words.
_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved "
              "tensors after they have already been freed). Saved intermediate values of the "
              "graph are freed when you call .backward() or autograd.grad(). Specify "
              "retain_graph=True if you need to backward through the graph a second time or if "
              "you need to access saved tensors after calling backward.")


class Node:
    """What the tape keeps of one op call: the kernel contract's arguments for backward.

    ``edges`` has one entry per input: the input's own Node (non-leaf), the input Tensor
    itself when it is a leaf that requires grad (its .grad is accumulated), or None.
    ``run(grad)`` calls ``backward(geometry, grad, saved, needs_input_grad)``; ``saved``
    is exactly what the implementation's forward chose to keep, and nothing else of the
    call stays alive. It is dropped after backward (unless retain_graph).

    ``next_functions`` is PyTorch's view of the edges: ``(node, output index)`` per input,
    an :class:`AccumulateGrad` for a leaf, ``(None, 0)`` for an input needing no grad.
    """

    __slots__ = ("op", "impl", "device", "geometry", "edges", "backward", "saved", "needs",
                 "shape", "dtype", "pre", "versions", "__weakref__")

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
        # None, or the autograd/hooks.py Pre that runs on this node's gradient once it is
        # complete (the output tensor's hooks, its retain_grad): one check per node.
        self.pre = None
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

    @property
    def next_functions(self) -> tuple:
        """One ``(function, output index)`` per input, as PyTorch's ``grad_fn.next_functions``:
        the input's node, an :class:`AccumulateGrad` for a leaf that requires grad, or
        ``(None, 0)`` for an input that needs no gradient. Made on each access (the tape
        itself keeps only ``edges``)."""
        return tuple(next_function(e) for e in self.edges)

    def function_and_index(self) -> tuple:
        """This node as the far end of an edge: output 0 of itself (a multi-output
        Function's per-output node, autograd/custom.py, answers with its Function's node
        and its index)."""
        return (self, 0)

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


def next_function(edge) -> tuple:
    """``edge`` of a node's ``edges`` as a ``next_functions`` entry."""
    if edge is None:
        return (None, 0)
    if isinstance(edge, Node):
        return edge.function_and_index()
    return (AccumulateGrad(edge), 0)


class AccumulateGrad:
    """What PyTorch puts at the end of an edge to a leaf: ``variable`` is the leaf,
    ``name()`` is PyTorch's ``"torch::autograd::AccumulateGrad"`` (the class is named
    AccumulateGrad) and it has no ``next_functions``. minigrad's tape keeps the leaf itself
    in ``edges``; this is made on access, and two of them for one leaf compare equal
    (PyTorch hands out the same object while it lives)."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __eq__(self, other) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return f"<AccumulateGrad of a leaf {tuple(self.variable.shape)}>"
