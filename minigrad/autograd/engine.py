"""Reverse-mode differentiation over the tape, iteratively (deep graphs are fine)."""
from __future__ import annotations

import numpy as np

from .. import arrays, profiler
from ..device import device_of

from .grad_mode import no_grad
from .node import Node


def _topological_order(roots: list[Node]) -> list[Node]:
    """Nodes reachable from ``roots``, each after every node that consumes it."""
    order: list[Node] = []
    seen: set[int] = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        # Explicit stack of (node, next edge index): a 10,000-op chain must not recurse.
        stack = [(root, 0)]
        while stack:
            node, i = stack.pop()
            edges = node.edges
            while i < len(edges):
                child = edges[i]
                i += 1
                if isinstance(child, Node) and id(child) not in seen:
                    seen.add(id(child))
                    stack.append((node, i))
                    stack.append((child, 0))
                    break
            else:
                order.append(node)
    order.reverse()
    return order


def _accumulate(leaf, grad: np.ndarray) -> None:
    from ..tensor import Tensor

    # Always a fresh array: grads flowing through the tape may be shared between inputs.
    grad = arrays.cast(grad, leaf.dtype.np)
    if leaf.grad is None:
        leaf.grad = Tensor._wrap(arrays.copy(grad))
    else:
        leaf.grad = Tensor._wrap(arrays.add(leaf.grad.data, grad))


def _check_grad(node: Node, i: int, grad, target_shape) -> None:
    if grad is not None and tuple(np.shape(grad)) != tuple(target_shape):
        raise RuntimeError(f"{node.name()} ({node.impl}) returned a gradient of shape "
                           f"{np.shape(grad)} for input {i}, expected {tuple(target_shape)}")


def run_backward(tensors, grads, retain_graph: bool = False) -> None:
    """Backpropagate ``grads`` (arrays) from ``tensors`` into the leaves' ``.grad``."""
    pending: dict[int, np.ndarray] = {}
    roots: list[Node] = []
    for t, g in zip(tensors, grads):
        if t._node is None:
            _accumulate(t, g)  # backward() called on a leaf
            continue
        key = id(t._node)
        pending[key] = g if key not in pending else arrays.add(pending[key], g)
        roots.append(t._node)

    with no_grad():
        for node in _topological_order(roots):
            grad = pending.pop(id(node), None)
            if grad is None:  # unreachable from the roots' gradients (cannot happen) or zero
                continue
            if node.retained is not None:
                owner = node.retained()
                if owner is not None:
                    _accumulate(owner, grad)
            if profiler._active is None:
                input_grads = node.run(grad)
            else:  # the gradient's device is the one the backward kernels run on
                input_grads = profiler._active.record(f"{node.op} backward", node.impl,
                                                      device_of(grad).type, (grad,), node.run, grad)
            if not retain_graph:
                node.free()
            for i, (edge, g) in enumerate(zip(node.edges, input_grads)):
                if edge is None or g is None:
                    continue
                if isinstance(edge, Node):
                    _check_grad(node, i, g, edge.shape)
                    # As PyTorch's engine: a gradient arrives in its tensor's dtype.
                    g = arrays.cast(g, edge.dtype.np)
                    key = id(edge)
                    pending[key] = g if key not in pending else arrays.add(pending[key], g)
                else:
                    _check_grad(node, i, g, edge.shape)
                    _accumulate(edge, g)
