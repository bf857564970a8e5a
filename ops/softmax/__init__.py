"""softmax: the declaration (argument checks and normalisation).

Softmax along one dimension, as ``torch.nn.functional.softmax``. For each slice
``x`` taken along ``dim`` (a "row" of n values)::

    softmax(x)_i = exp(x_i) / sum_j exp(x_j)
                 = exp(x_i - m) / sum_j exp(x_j - m),      m = max_j x_j

The second form is the one computed: subtracting the row maximum changes nothing
mathematically but keeps every exponent <= 0, so nothing overflows (logits of 1e4
are fine) and the largest term is exactly 1, so the sum never underflows to 0.

Backward, with y = softmax(x) and g the gradient with respect to y (the Jacobian is
dy_i/dx_j = y_i (delta_ij - y_j))::

    dL/dx_i = y_i * (g_i - sum_j g_j y_j)

It only needs the saved output y, not the input.

Shapes: any input of shape (d0, ..., d_{k-1}) (k >= 0); the output has the same shape
and dtype. A 0-d input is treated as a single row of one element (its softmax is 1),
as PyTorch does. ``log_softmax`` shares this declaration's :func:`check_args`.

This module imports only the standard library: the layers above import it, never the
other way round.
"""

from __future__ import annotations

import operator
from typing import Any

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("row", "block", "warp")}
# numba (parallel, fused, with a vectorised exp) is the fastest, forward and backward;
# without numba installed the registry falls back to numpy.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "warp"}


def _shape(shape: Any, name: str) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{name}: expected a shape (tuple of ints), got {shape!r}") from None


def check_args(input_shape: tuple[int, ...], dim: Any) -> dict[str, Any]:
    """Check the ``dim`` of softmax / log_softmax and return ``{"dim": d}`` with
    ``0 <= d < max(ndim, 1)``.

    input_shape: any shape, 0-d included (a 0-d input accepts dim 0 or -1, as in
    PyTorch). dim: an int in ``[-ndim, ndim - 1]``; negative values count from the end.

    Raises TypeError if ``dim`` is not an int (``bool`` and ``None`` are refused:
    PyTorch's implicit choice of dim when it is None is deprecated), and ValueError
    naming ``dim`` and the valid range if it is out of range. PyTorch raises
    IndexError ("Dimension out of range") for the latter; minigrad keeps IndexError
    for indexing bugs and uses ValueError for bad arguments.
    """
    shape = _shape(input_shape, "input")
    if isinstance(dim, bool) or dim is None:
        raise TypeError(f"dim: expected an int, got {type(dim).__name__}")
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"dim: expected an int, got {type(dim).__name__}") from None
    # A 0-d tensor behaves as if it had one dimension of size 1.
    ndim = max(len(shape), 1)
    if not -ndim <= d < ndim:
        raise ValueError(
            f"dim: out of range, expected an int in [{-ndim}, {ndim - 1}] for an input "
            f"of shape {shape} ({len(shape)}-D), got {d}"
        )
    return {"dim": d % ndim}
