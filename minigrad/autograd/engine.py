"""Reverse-mode differentiation over the tape, iteratively (deep graphs are fine)."""
from __future__ import annotations

import numpy as np

from .. import arrays, dispatch
from .. import tensor as _tensor

from . import hooks as _hooks
from .grad_mode import no_grad
from .node import Node

# Leaves with hooks (autograd/hooks.py): the dict itself, tested per leaf gradient.
_LEAF_HOOKS = _hooks.LEAF


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


def _collect(leaves: dict, leaf, grad) -> None:
    """Sum ``grad`` into ``leaves[id(leaf)]``: a leaf whose hooks must see its whole
    gradient, or one that autograd.grad returns, is accumulated at the end."""
    if grad.dtype != leaf._array.dtype:
        grad = arrays.cast(grad, leaf._array.dtype)
    entry = leaves.get(id(leaf))
    if entry is None:
        leaves[id(leaf)] = [leaf, grad]
    else:
        entry[1] = arrays.add(entry[1], grad)


def _useful(order: list[Node], wanted: dict) -> set:
    """ids of the nodes whose backward leads to a node or leaf in ``wanted``: the only
    ones autograd.grad runs (PyTorch runs no more either)."""
    useful: set[int] = set()
    for node in reversed(order):  # producers first
        for e in node.edges:
            if e is not None and (id(e) in wanted or id(e) in useful):
                useful.add(id(node))
                break
    return useful


def _pre(node: Node, grad, pending: dict, captured):
    """Run ``node.pre`` on the node's complete gradient: the tensor's hooks, its
    retain_grad, autograd.grad's capture, then, for an output of a multi-output Function,
    the hand-over to the Function's node (returns None: nothing more to do here)."""
    pre = node.pre
    if pre.hooks:
        grad = _hooks.run_hooks(pre, grad)
    if pre.retain is not None:
        owner = pre.retain()
        if owner is not None:
            _accumulate(owner, grad)
    if captured is not None and id(node) in captured:
        captured[id(node)] = grad
    if pre.slot is not None:
        function, index, n = pre.slot
        slots = pending.get(id(function))
        if slots is None:
            slots = pending[id(function)] = [None] * n
        slots[index] = grad
        return None
    return grad


def run_backward(tensors, grads, retain_graph: bool = False, inputs=None):
    """Backpropagate ``grads`` (arrays) from ``tensors`` into the leaves' ``.grad``.

    inputs: None, or tensors whose gradients are returned instead (a list of arrays, None
    where no gradient reached one): then no ``.grad`` is touched (retain_grad's aside)
    and only the nodes leading to an input run (autograd.grad).
    """
    pending: dict[int, np.ndarray] = {}
    roots: list[Node] = []
    captured = None  # id(input's node or leaf) -> its gradient (autograd.grad)
    leaves: dict[int, list] = {}  # leaves accumulated at the end: id -> [leaf, gradient]
    if inputs is not None:
        captured = {id(t) if t._node is None else id(t._node): None for t in inputs}
    for t, g in zip(tensors, grads):
        if t._node is None:  # backward() called on a leaf
            if captured is not None or (_LEAF_HOOKS and id(t) in _LEAF_HOOKS):
                if captured is None or id(t) in captured:
                    _collect(leaves, t, g)
            else:
                _accumulate(t, g)
            continue
        key = id(t._node)
        pending[key] = g if key not in pending else arrays.add(pending[key], g)
        roots.append(t._node)

    with no_grad():
        order = _topological_order(roots)
        useful = None if captured is None else _useful(order, captured)
        for node in order:
            grad = pending.pop(id(node), None)
            if grad is None:  # unreachable from the roots' gradients (cannot happen) or zero
                continue
            if useful is not None and id(node) not in useful and id(node) not in captured:
                continue
            if node.pre is not None:
                grad = _pre(node, grad, pending, captured)
                if grad is None:
                    continue
            elif captured is not None and id(node) in captured:
                captured[id(node)] = grad
            if useful is not None and id(node) not in useful:
                continue  # an input's node: its gradient is all that was asked
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
                elif captured is not None or (_LEAF_HOOKS and id(edge) in _LEAF_HOOKS):
                    if captured is None or id(edge) in captured:
                        _collect(leaves, edge, g)
                else:
                    # A kernel's new array, given to this input only, is the leaf's to keep.
                    fresh = g is not grad and sum(g is o for o in input_grads) == 1
                    _accumulate(edge, g, fresh)

        for leaf, g in leaves.values():  # hooked leaves, autograd.grad's leaves
            pre = _hooks.leaf_pre(leaf)
            if pre is not None:
                g = _hooks.run_hooks(pre, g)
            if captured is None:
                _accumulate(leaf, g)
            else:
                captured[id(leaf)] = g
    if captured is not None:
        return [captured[id(t) if t._node is None else id(t._node)] for t in inputs]
    return None
