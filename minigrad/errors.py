"""Exceptions that are caught the PyTorch way and the old minigrad way alike.

PyTorch raises ``IndexError`` for a dim out of range (or a float index) and
``RuntimeError`` for shapes or dtypes that do not fit; minigrad used to raise
``ValueError`` (``TypeError`` for dtypes) there. Each class here derives from both, so ``except IndexError`` (a PyTorch
user's script) and ``except ValueError`` (older minigrad code) both catch it.
"""
from __future__ import annotations

__all__ = ["IndexTypeError", "IndexValueError", "RuntimeTypeError", "RuntimeValueError"]


class IndexValueError(IndexError, ValueError):
    """An index or a dim out of range: PyTorch's ``IndexError`` ("Dimension out of
    range (expected to be in range of [-2, 1], but got 2)"), also a ``ValueError``."""


class IndexTypeError(IndexError, TypeError):
    """An index of the wrong dtype (a float tensor used as an index): PyTorch's
    ``IndexError``, also a ``TypeError``."""


class RuntimeValueError(RuntimeError, ValueError):
    """Shapes that do not fit together (cat, stack, bmm, reshape...): PyTorch's
    ``RuntimeError``, also a ``ValueError``."""


class RuntimeTypeError(RuntimeError, TypeError):
    """Dtypes that do not fit together (bmm of float32 and float64): PyTorch's
    ``RuntimeError``, also a ``TypeError``."""


def dim_out_of_range(dim: int, ndim: int) -> IndexValueError:
    """PyTorch's error for ``dim`` outside [-ndim, ndim) (a 0-d tensor takes [-1, 0])."""
    span = max(ndim, 1)
    return IndexValueError(f"Dimension out of range (expected to be in range of "
                           f"[{-span}, {span - 1}], but got {dim})")
