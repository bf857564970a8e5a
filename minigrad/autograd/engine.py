"""Reverse-mode differentiation over the tape, iteratively (deep graphs are fine)."""
from __future__ import annotations

import numpy as np

from .. import arrays, dispatch
from .. import tensor as _tensor

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


def _accumulate(leaf, grad, fresh: bool = False) -> None:
    """Add ``grad`` into ``leaf.grad`` (made on the first gradient). ``fresh``: grad is a
    new array nothing else refers to, which the leaf may keep; anything else (the caller's
    gradient, one a node passed through or gave to two inputs, a view) is copied first."""
    Tensor = _tensor.Tensor
    if grad.dtype != leaf._array.dtype:  # as PyTorch's engine: in the tensor's dtype
        grad, fresh = arrays.cast(grad, leaf._array.dtype), True
    if leaf.grad is None:
        leaf.grad = Tensor._wrap(grad if fresh and arrays.owns_memory(grad) else arrays.copy(grad))
    else:
        leaf.grad = Tensor._wrap(arrays.add(leaf.grad._array, grad))


def _check_grad(node: Node, i: int, grad, target_shape) -> None:
    if tuple(np.shape(grad)) != tuple(target_shape):
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
            input_grads = dispatch.call(f"{node.op} backward", node.impl, node.device, (grad,),
                                        node.run, grad)
            if not retain_graph:
                node.free()
            for i, (edge, g) in enumerate(zip(node.edges, input_grads)):
                if edge is None or g is None:
                    continue
                node_edge = isinstance(edge, Node)
                shape = edge.shape if node_edge else edge._array.shape
                if getattr(g, "shape", None) != shape:
                    _check_grad(node, i, g, shape)
                if node_edge:
                    if g.dtype != edge.dtype.np:  # as PyTorch's engine: in the tensor's dtype
                        g = arrays.cast(g, edge.dtype.np)
                    key = id(edge)
                    pending[key] = g if key not in pending else arrays.add(pending[key], g)
                else:
                    # A kernel's new array, given to this input only, is the leaf's to keep.
                    fresh = g is not grad and sum(g is o for o in input_grads) == 1
                    _accumulate(edge, g, fresh)
