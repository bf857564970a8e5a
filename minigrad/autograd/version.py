"""Version counters: how backward knows that a tensor it needs was modified in place.

Every tensor has a counter (made when first needed), shared with the views of its
storage (tensor_ops/shape.py). Each in-place write adds one: the in-place ops
(tensor_ops/inplace.py), the optimizers' updates, ``load_state_dict`` and ``nn.init``,
BatchNorm's running statistics. When a recorded op's kernel saved the array of one of
its inputs or of its output, the node keeps that tensor's counter and its value then
(:func:`record`); backward raises PyTorch's RuntimeError when the value has moved
(:func:`check`), instead of computing a gradient from the new values.

Only arrays a kernel saved count (an ``a + b`` saves none, so ``b`` may change before
backward, as in PyTorch), and only the tensors' own arrays: a kernel's private copies
(contiguous copies, pooling indices) cannot be written by the user.
"""
from __future__ import annotations


class Version:
    """One storage's count of in-place writes."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


def of(t) -> Version:
    """``t``'s counter, made on first use."""
    if t._ver is None:
        t._ver = Version()
    return t._ver


def share(view, base) -> None:
    """``view`` shares ``base``'s storage: one counter for both."""
    view._ver = of(base)


def bump(*tensors) -> None:
    """One more in-place write into each of ``tensors``."""
    for t in tensors:
        of(t).value += 1


def record(saved, inputs, out) -> tuple:
    """``(counter, value, tensor description)`` for each tensor among ``inputs`` and
    ``out`` whose own array is one of ``saved`` (the kernel's saved value, a tuple or a
    single object)."""
    found = ()
    for s in saved if type(saved) is tuple else (saved,):
        if s is None or not hasattr(s, "shape"):
            continue
        for t in (out, *inputs):
            if t is not None and t.data is s:
                v = of(t)
                found += ((v, v.value, f"[{t.dtype.name} {list(t.shape)}]"),)
                break
    return found


def forget(node, t) -> None:
    """Drop ``node``'s record of ``t``'s counter (its saved array was replaced by a copy,
    which later writes into ``t`` cannot reach)."""
    if node.versions and t._ver is not None:
        node.versions = tuple(e for e in node.versions if e[0] is not t._ver)


def check(node) -> None:
    """Raise RuntimeError (PyTorch's words) when a tensor ``node`` saved was modified in
    place since it was saved."""
    for v, then, what in node.versions:
        if v.value != then:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: {what}, saved by {node.name()}, is at version "
                f"{v.value}; expected version {then} instead. Hint: the in-place write came "
                f"after the forward pass that saved it and before this backward()")
