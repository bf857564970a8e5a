"""The ops' own test cases and warm-up calls, found in their folders.

Each op folder may hold a ``cases.py`` (``ops/<op>/cases.py``) whose ``cases() -> {op
name: OpCase}`` says how :func:`minigrad.testing.check_op` draws inputs for the op (a
strategy of ``(args, kwargs)`` and the public function to call). Its warm-up calls are
in ``examples.py`` beside it (minigrad/warmup.py), which needs no Hypothesis.

This module holds what the case files share: :class:`OpCase`, the value ranges that
keep finite differences well conditioned, and the discovery itself. A new op folder with
a ``cases.py`` is tested with no entry anywhere else.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, NamedTuple

from hypothesis import strategies as st

from .strategies import shapes, tensors


class OpCase(NamedTuple):
    """inputs: a strategy of ``(args, kwargs)``; call: ``call(*args, **kwargs)`` runs
    the op through its public front end; gradcheck: False where finite differences
    cannot work (a float32 output)."""
    inputs: st.SearchStrategy
    call: Callable
    gradcheck: bool = True


# Values where the ops are differentiable and well conditioned for finite differences:
# logs and square roots of positive numbers, divisors, abs and relu away from 0.
SMALL = shapes(min_dims=0, max_dims=3, max_side=3)
FLOATS = st.floats(-2.0, 2.0, allow_subnormal=False)
POSITIVE = st.floats(0.2, 3.0)
AWAY_FROM_ZERO = st.floats(0.2, 2.0) | st.floats(-2.0, -0.2)


def grad_tensors(shape, elements=None, distinct=False):
    """A strategy of float tensors of ``shape`` that require grad."""
    return tensors(shape, elements=elements, distinct=distinct, requires_grad=True)


@lru_cache(maxsize=None)
def _builtin_cases() -> dict[str, OpCase]:
    from ..dispatch.folders import folder_modules
    table: dict[str, OpCase] = {}
    for module in folder_modules("cases"):
        table.update(module.cases())
    return table


def builtin_cases() -> dict[str, OpCase]:
    """Every op folder's cases, op name -> OpCase (built on first use: it imports the
    front ends and Hypothesis)."""
    return dict(_builtin_cases())
