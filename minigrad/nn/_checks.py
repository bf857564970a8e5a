"""Argument checks shared by the layers and the functional ops added with them:
positive ints, bools, probabilities, reductions. A layer of an op (Conv2d, MaxPool2d,
AvgPool2d) calls that op's own attribute checks instead (``check_attrs`` in its
declaration), so the layer and the function give the same messages.

Layers run them when they are built, so a bad ``kernel_size`` is reported where the model is
written, not at the first forward pass.
"""
from __future__ import annotations

from numbers import Real
from typing import Any

from ..ops._args import is_int  # noqa: F401  (also used by the layers)


def check_int(value: Any, name: str, minimum: int) -> int:
    """``value`` as a Python int >= ``minimum``; TypeError/ValueError naming ``name``."""
    if not is_int(value):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    value = int(value)
    if value < minimum:
        kind = "positive" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"{name}: expected a {kind} int, got {value}")
    return value


def check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__}")
    return value


def check_real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}: expected a float, got {type(value).__name__}")
    return float(value)


def check_probability(p: Any) -> float:
    """Dropout's p: a float in [0, 1] (PyTorch's message)."""
    p = check_real(p, "p")
    if not 0.0 <= p <= 1.0:  # written so that NaN fails too
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: Any) -> str:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction: expected 'none', 'mean' or 'sum', got {reduction!r}")
    return reduction
