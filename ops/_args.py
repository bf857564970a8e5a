"""Argument normalisation shared by the op declarations (and the nn layers above them):
ints that are not bools, (h, w) pairs and shapes. Written once so every op accepts and refuses
the same spellings with the same messages."""
from __future__ import annotations

import operator
from typing import Any

from ..errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError

Pair = tuple[int, int]


def is_int(value: Any) -> bool:
    """True for Python and NumPy integers; False for bools (stride=True is a mistake,
    not a stride of 1)."""
    if isinstance(value, bool):
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def pair(value: Any, name: str, allow_single: bool = False) -> Pair:
    """An int or a tuple/list of 2 ints -> a tuple of 2 Python ints. With
    ``allow_single`` a 1-element tuple is accepted too (PyTorch's pooling does)."""
    if type(value) is int:  # the common spelling, without a call
        return (value, value)
    if is_int(value):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)):
        if len(value) != 2 and not (allow_single and len(value) == 1):
            raise RuntimeValueError(
                f"{name}: expected a single int or a tuple of 2 ints, "
                f"got {len(value)} values {tuple(value)!r}"
            )
        if not all(is_int(v) for v in value):
            raise TypeError(
                f"{name}: expected ints, got {tuple(type(v).__name__ for v in value)}"
            )
        return (int(value[0]), int(value[-1]))
    raise TypeError(
        f"{name}: expected an int or a tuple of 2 ints, got {type(value).__name__}"
    )


def shape(value: Any, name: str) -> tuple[int, ...]:
    """A shape (any iterable of ints: a tuple, a Tensor's ``.shape``) -> a tuple of Python
    ints; TypeError naming the argument otherwise."""
    try:
        return tuple(int(s) for s in value)
    except TypeError:
        raise TypeError(f"{name}: expected a shape (tuple of ints), got {value!r}") from None
