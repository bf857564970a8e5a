"""matmul: the declaration (shape rules, normalisation, gradient reduction).

Matrix product with ``torch.matmul``'s shape rules. For matrices ``A`` (n, k) and
``B`` (k, m)::

    out[i, j] = sum_p A[i, p] * B[p, j]                       (n, m)

and the gradients, given ``G = dL/d out``::

    dL/dA = G @ B^T        (n, k)
    dL/dB = A^T @ G        (k, m)

The other cases reduce to that one:

- 1-D x 1-D: the dot product ``sum_p a[p] * b[p]``, a 0-d result;
- a 1-D ``input`` (k,) is treated as a row (1, k) and a 1-D ``other`` (k,) as a
  column (k, 1); the added dimension is removed from the result;
- N-D: the last two dimensions are the matrices, the leading ones are batch
  dimensions, broadcast against each other as in NumPy, so (2, 1, n, k) @ (3, k, m)
  gives (2, 3, n, m). An operand's gradient is summed over the batch dimensions it
  was broadcast along.

The kernels see one normalised form: two 3-D arrays ``a3`` (B, n, k) and ``b3``
(B, k, m) with the same B, made by :func:`to_batched`, and they return ``out3``
(B, n, m). The helpers here do all the reshaping, broadcasting and summing, once:

- :func:`to_batched` / :func:`from_batched` turn the operands into the 3-D form and
  the 3-D result into the output shape;
- :func:`grad_to_batched` / :func:`grads_from_batched` do the same for backward,
  summing gradients over broadcast batch dimensions.

They copy as little as NumPy lets them: 2-D x 2-D and (…, n, k) x (k, m) ("fold":
``other`` has no batch, so every row of ``input`` meets the same matrix) become a
single (1, B*n, k) x (1, k, m) product of views; broadcast batch dimensions become
stride-0 views, copied only when the broadcast pattern cannot be flattened to one
batch dimension (e.g. (2, 1) against (1, 3)).

:func:`check_linear_args` (``linear``'s shapes) now lives in the linear op's own
declaration, ``ops/linear/__init__.py``; it is imported here under its old name.

This module imports only NumPy, the standard library and ops/ helpers: the layers
above import it, never the other way round.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

from .._args import shape as _shape
# linear's shape checks were declared here before linear became an op of its own.
from ..linear import check_linear_args  # noqa: F401

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("naive", "tiled", "blocked")}
# numba is the default although, timed alone, OpenBLAS's sgemm is ~25% faster at
# LeNet-5's 128x400 @ 400x120: inside a training step every switch between Numba's
# worker threads (conv, pooling, loss) and OpenBLAS's own pool costs more than that.
# Measured with `minigrad bench` (docs/benchmarks): LeNet-5 step 13.0 ms with every op
# on numba against 18.4 ms with numpy matmul; SeedCNN 6.3 against 8.7 ms.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "blocked"}

Shape = tuple[int, ...]


def check_args(input_shape: Shape, other_shape: Shape) -> dict[str, Any]:
    """Check ``matmul(input, other)``'s shapes; return the kernels' attributes.

    input_shape, other_shape: at least 1-D. The last dimension of ``input`` must equal
    the first dimension of a 1-D ``other``, or the second-to-last of an N-D ``other``;
    batch dimensions (all but the last two) must broadcast.

    Returns ``{}``: matmul has no attributes; the kernels read everything they need
    from the arrays' shapes (see :func:`to_batched`).

    Raises ValueError naming ``input`` and ``other`` with both shapes. PyTorch raises
    RuntimeError for the same inputs.
    """
    a_shape = _shape(input_shape, "input")
    b_shape = _shape(other_shape, "other")
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ValueError(
            "matmul: both input and other must be at least 1-D, got input of shape "
            f"{a_shape} ({len(a_shape)}-D) and other of shape {b_shape} "
            f"({len(b_shape)}-D); use * for a product with a scalar"
        )
    k_a = a_shape[-1]
    k_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if k_a != k_b:
        where = "its only dimension" if len(b_shape) == 1 else "dimension -2"
        raise ValueError(
            f"matmul: input and other shapes cannot be multiplied: input's last "
            f"dimension ({k_a}, input of shape {a_shape}) must equal other's {where} "
            f"({k_b}, other of shape {b_shape})"
        )
    batch_a = a_shape[:-2]
    batch_b = b_shape[:-2]
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise ValueError(
            f"matmul: the batch dimensions of input {batch_a} (shape {a_shape}) and "
            f"other {batch_b} (shape {b_shape}) cannot be broadcast together"
        ) from None
    return {}


def output_shape(input_shape: Shape, other_shape: Shape) -> Shape:
    """The shape of ``matmul(input, other)`` for shapes that passed :func:`check_args`.

    (*batch_a, n, k) @ (*batch_b, k, m) -> (*broadcast(batch_a, batch_b), n, m), with
    n (resp. m) left out when ``input`` (resp. ``other``) is 1-D.
    """
    return _plan(tuple(input_shape), tuple(other_shape)).out_shape


class _Plan(NamedTuple):
    """How one pair of shapes maps to the 3-D form (B, n, k) @ (B, k, m)."""

    out_shape: Shape
    batch: Shape  # broadcast batch shape, after 1-D promotion
    a_full: Shape  # input promoted to >= 2-D (1-D (k,) -> (1, k))
    b_full: Shape  # other promoted to >= 2-D (1-D (k,) -> (k, 1))
    a3: Shape
    b3: Shape
    fold: bool  # other has no real batch: input's batch folds into its rows


@functools.lru_cache(maxsize=256)
def _plan(a_shape: Shape, b_shape: Shape) -> _Plan:
    # No checks here: shapes reach this point only after check_args passed them.
    a_full = (1,) + a_shape if len(a_shape) == 1 else a_shape
    b_full = b_shape + (1,) if len(b_shape) == 1 else b_shape
    n, k = a_full[-2:]
    m = b_full[-1]
    batch = tuple(np.broadcast_shapes(a_full[:-2], b_full[:-2]))
    out_shape = batch
    if len(a_shape) > 1:
        out_shape += (n,)
    if len(b_shape) > 1:
        out_shape += (m,)
    fold = math.prod(b_full[:-2]) == 1
    if fold:
        # broadcast(batch_a, ones) is batch_a padded with ones: same product.
        a3 = (1, math.prod(batch) * n, k)
        b3 = (1, k, m)
    else:
        size = math.prod(batch)
        a3 = (size, n, k)
        b3 = (size, k, m)
    return _Plan(out_shape, batch, a_full, b_full, a3, b3, fold)


def _broadcast_3d(x: np.ndarray, full: Shape, batch: Shape, shape3: Shape) -> np.ndarray:
    # reshape returns a view whenever the stride-0 broadcast dims can be merged.
    x = x.reshape(full)
    return np.broadcast_to(x, batch + full[-2:]).reshape(shape3)


def to_batched(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``input`` and ``other`` as ``a3`` (B, n, k) and ``b3`` (B, k, m), same B.

    Views where NumPy allows (always for 2-D x 2-D and for a batch against a plain
    matrix); the arrays may be read-only broadcast views, so kernels must not write
    into them.
    """
    p = _plan(a.shape, b.shape)
    if p.fold:
        return a.reshape(p.a3), b.reshape(p.b3)
    return (
        _broadcast_3d(a, p.a_full, p.batch, p.a3),
        _broadcast_3d(b, p.b_full, p.batch, p.b3),
    )


def from_batched(out3: np.ndarray, a_shape: Shape, b_shape: Shape) -> np.ndarray:
    """The kernel's (B, n, m) result in the output shape (a 0-d array for a dot)."""
    return out3.reshape(_plan(tuple(a_shape), tuple(b_shape)).out_shape)


def grad_to_batched(grad_out: np.ndarray, a_shape: Shape, b_shape: Shape) -> np.ndarray:
    """The output gradient in the kernel's (B, n, m) form."""
    p = _plan(tuple(a_shape), tuple(b_shape))
    return grad_out.reshape(p.a3[0], p.a3[1], p.b3[2])


def _sum_to(g: np.ndarray, shape: Shape) -> np.ndarray:
    """Sum ``g`` over the dimensions that broadcasting stretched to reach ``shape``."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def grads_from_batched(
    grad_a3: np.ndarray | None,
    grad_b3: np.ndarray | None,
    a_shape: Shape,
    b_shape: Shape,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The kernel's (B, n, k) and (B, k, m) gradients back in the operands' shapes.

    Sums over the batch dimensions each operand was broadcast along and drops the
    dimension a 1-D operand was given; None (gradient not needed) stays None.
    """
    p = _plan(tuple(a_shape), tuple(b_shape))
    a_shape, b_shape = tuple(a_shape), tuple(b_shape)
    if p.fold:
        # The fold made no broadcast copies: a plain reshape undoes it.
        grad_a = None if grad_a3 is None else grad_a3.reshape(a_shape)
        grad_b = None if grad_b3 is None else grad_b3.reshape(b_shape)
        return grad_a, grad_b
    grad_a = grad_b = None
    if grad_a3 is not None:
        grad_a = _sum_to(grad_a3.reshape(p.batch + p.a_full[-2:]), p.a_full).reshape(a_shape)
    if grad_b3 is not None:
        grad_b = _sum_to(grad_b3.reshape(p.batch + p.b_full[-2:]), p.b_full).reshape(b_shape)
    return grad_a, grad_b
