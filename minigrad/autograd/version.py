"""Version counters: how backward knows that a tensor it needs was modified in place.

Every tensor has a counter (made when first needed), shared with the views of its
storage (tensor_ops/shape.py). Each in-place write adds one: the in-place ops
(tensor_ops/inplace.py), the optimizers' updates, ``load_state_dict`` and ``nn.init``,
BatchNorm's running statistics. When a recorded op's kernel saved the array of one of
its inputs or of its output, the node keeps that tensor's counter and its value then
(``apply`` in function.py); backward raises PyTorch's RuntimeError when the value has
moved (``Node.run``, :func:`modified`), instead of computing a gradient from the new
values. Both loops are written inline there: they run for every op, and the tape's
hops stay those of the op.

Only arrays a kernel saved count (an ``a + b`` saves none, so ``b`` may change before
backward, as in PyTorch), and only the tensors' own arrays: a kernel's private copies
(contiguous copies, pooling indices) cannot be written by the user.
"""
from __future__ import annotations


class Version:
    """One storage's count of in-place writes (``value``). No ``__init__``: the maker
    sets the value, so that making one costs the tape no Python call."""

    __slots__ = ("value",)


def new() -> Version:
    v = Version()
    v.value = 0
    return v


def of(t) -> Version:
    """``t``'s counter, made on first use."""
    if t._ver is None:
        t._ver = new()
    return t._ver


def share(view, base) -> None:
    """``view`` shares ``base``'s storage: one counter for both."""
    view._ver = of(base)


def bump(*tensors) -> None:
    """One more in-place write into each of ``tensors``."""
    for t in tensors:
        of(t).value += 1


def forget(node, t) -> None:
    """Drop ``node``'s record of ``t``'s counter (its saved array was replaced by a copy,
    which later writes into ``t`` cannot reach)."""
    if node.versions and t._ver is not None:
        node.versions = tuple(e for e in node.versions if e[0] is not t._ver)


def modified(node, entry) -> RuntimeError:
    """The error for ``node``'s saved tensor ``entry`` = (counter, value when saved,
    shape, dtype), whose counter has moved (PyTorch's words)."""
    v, then, shape, dtype = entry
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{dtype} {list(shape)}], saved by {node.name()}, is at version "
        f"{v.value}; expected version {then} instead. Hint: the in-place write came after "
        f"the forward pass that saved it and before this backward()")
