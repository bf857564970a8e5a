"""Tensor hooks, as PyTorch's ``t.register_hook(fn)``, and ``t.retain_grad()``.

A hook is called with the gradient of its tensor once that gradient is complete and may
return a replacement (same shape and dtype), which is what flows on. For a non-leaf the
hooks live on the tensor's node (``node.pre``, a :class:`Pre`) and run when the engine
reaches the node, before its backward; for a leaf they live here, in ``LEAF``, and run on
the leaf's whole gradient before it is accumulated into ``.grad`` (or returned by
``autograd.grad``). Hooks run in the order they were registered; ``retain_grad``'s copy
into ``.grad`` runs after all of them, whenever it was asked for (PyTorch 2.x's order).

The engine pays one attribute check per node (``node.pre is None``) and, per leaf
gradient, one test of ``LEAF`` (empty unless some leaf has a hook): nothing else when no
hook exists.

Differences from PyTorch: a hook registered on a non-leaf stays with the node that made
it (an in-place op on the tensor afterwards gives the tensor a new node, without the
hook); hooks on nodes (``grad_fn.register_hook``) are not provided.
"""
from __future__ import annotations

import itertools
import weakref

from .. import tensor as _tensor  # by module: the tensor imports the tape

# id(leaf) -> (weak reference to the leaf, its Pre). Emptied as leaves die.
LEAF: dict[int, tuple] = {}
_ids = itertools.count()


class Pre:
    """What runs on one gradient before it flows on: ``hooks`` (id -> fn, in
    registration order), then ``retain`` (a weak reference to the non-leaf tensor whose
    ``.grad`` gets a copy), then, for an output of a multi-output Function, ``slot``
    ((its Function's node, output index, number of outputs): the gradient is handed to
    that node's list of gradients, autograd/custom.py)."""

    __slots__ = ("hooks", "retain", "slot", "__weakref__")

    def __init__(self):
        self.hooks: dict[int, object] = {}
        self.retain = None
        self.slot = None


class RemovableHandle:
    """What ``register_hook`` returns, as torch.utils.hooks.RemovableHandle: ``remove()``
    unregisters the hook (twice is harmless); also a context manager that removes it on
    exit."""

    def __init__(self, pre: Pre, leaf_key: int | None = None):
        self.id = next(_ids)
        self._pre = weakref.ref(pre)
        self._leaf_key = leaf_key

    def remove(self) -> None:
        pre = self._pre()
        if pre is None:
            return
        pre.hooks.pop(self.id, None)
        entry = LEAF.get(self._leaf_key) if self._leaf_key is not None else None
        if entry is not None and entry[1] is pre and not pre.hooks:
            del LEAF[self._leaf_key]  # the engine's fast path again for this leaf

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def node_pre(node) -> Pre:
    """``node``'s Pre, made on first use."""
    if node.pre is None:
        node.pre = Pre()
    return node.pre


def leaf_pre(leaf) -> Pre | None:
    """The Pre of a leaf that has hooks, else None."""
    entry = LEAF.get(id(leaf))
    return entry[1] if entry is not None and entry[0]() is leaf else None


def register(t, fn) -> RemovableHandle:
    """``t.register_hook(fn)``: ``fn(grad) -> Tensor or None`` on ``t``'s gradient."""
    if not t._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if not callable(fn):
        raise TypeError(f"register_hook: expected a callable, got {type(fn).__name__}")
    if t._node is not None:
        pre = node_pre(t._node)
        handle = RemovableHandle(pre)
    else:
        key = id(t)
        pre = leaf_pre(t)
        if pre is None:
            pre = Pre()

            def forget(ref, key=key):
                if LEAF.get(key, (None,))[0] is ref:
                    del LEAF[key]
            LEAF[key] = (weakref.ref(t, forget), pre)
        handle = RemovableHandle(pre, key)
    pre.hooks[handle.id] = fn
    return handle


def retain_grad(t) -> None:
    """``t.retain_grad()``: a non-leaf keeps its gradient in ``.grad`` (a leaf does
    anyway)."""
    if not t._requires_grad:
        raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
    if t._node is not None:
        node_pre(t._node).retain = weakref.ref(t)


def retains_grad(t) -> bool:
    """PyTorch's ``t.retains_grad``: True for a non-leaf after ``retain_grad()``."""
    pre = None if t._node is None else t._node.pre
    return pre is not None and pre.retain is not None and pre.retain() is t


def run_hooks(pre: Pre, grad):
    """``grad`` (an array) through ``pre``'s hooks, in order; returns the array that
    flows on. A hook's Tensor must keep the shape and dtype (PyTorch's errors)."""
    Tensor = _tensor.Tensor
    for fn in list(pre.hooks.values()):
        out = fn(Tensor._wrap(grad))
        if out is None:
            continue
        name = getattr(fn, "__name__", type(fn).__name__)
        if not isinstance(out, Tensor):
            raise TypeError(f"hook '{name}' returned {type(out).__name__}; expected a "
                            "Tensor or None")
        if tuple(out.shape) != tuple(grad.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        if out._array.dtype != grad.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                               f"{grad.dtype} got {out._array.dtype})")
        grad = out._array
    return grad
