"""The NumPy side every matmul CPU kernel shares: forward and backward written once on
top of a rung's batched product ``bmm(a3, b3) -> out3``, (B, n, k) @ (B, k, m) ->
(B, n, m), which is all that differs between naive, numpy and numba::

    forward    out3 = bmm(a3, b3)                      saved: (a, b)
    backward   dA3 = bmm(G3, b3^T),  dB3 = bmm(a3^T, G3)   (transposes are views)

A rung's kernels are these two bound to its product: ``forward = partial(forward_with,
_bmm)``, ``backward = partial(backward_with, _bmm)``. Below them, the reshaping:

- :func:`to_batched` turns ``input`` and ``other`` into ``a3`` (B, n, k) and ``b3``
  (B, k, m) views;
- :func:`grads_from_batched` turns the (B, n, k) and (B, k, m) gradients back into the
  operands' shapes, summing over the batch dimensions each was broadcast along.

(The output and its gradient only change shape: ``out3.reshape(g.out_shape)`` and
``grad_out.reshape(g.out3)``.) They copy as little as NumPy lets them: the fold
(2-D x 2-D, a batch against one matrix) is a reshape of both operands; broadcast batch
dimensions become stride-0 views, copied only when the broadcast pattern cannot be
flattened to one batch dimension (e.g. (2, 1) against (1, 3)).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .._arrays import sum_to
from . import Geometry

Shape = tuple[int, ...]


def _broadcast_3d(x: np.ndarray, full: Shape, batch: Shape, shape3: Shape) -> np.ndarray:
    # reshape returns a view whenever the stride-0 broadcast dims can be merged.
    x = x.reshape(full)
    return np.broadcast_to(x, batch + full[-2:]).reshape(shape3)


def to_batched(g: Geometry, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``input`` and ``other`` as ``a3`` (B, n, k) and ``b3`` (B, k, m), same B.

    Views where NumPy allows (always for 2-D x 2-D and for a batch against a plain
    matrix); the arrays may be read-only broadcast views, so kernels must not write
    into them.
    """
    if g.fold:
        return a.reshape(g.a3), b.reshape(g.b3)
    return (
        _broadcast_3d(a, g.a_full, g.batch, g.a3),
        _broadcast_3d(b, g.b_full, g.batch, g.b3),
    )


def grads_from_batched(
    g: Geometry, grad_a3: np.ndarray | None, grad_b3: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The kernel's (B, n, k) and (B, k, m) gradients back in the operands' shapes.

    Sums over the batch dimensions each operand was broadcast along and drops the
    dimension a 1-D operand was given; None (gradient not needed) stays None.
    """
    if g.fold:
        # The fold made no broadcast copies: a plain reshape undoes it.
        grad_a = None if grad_a3 is None else grad_a3.reshape(g.a_shape)
        grad_b = None if grad_b3 is None else grad_b3.reshape(g.b_shape)
        return grad_a, grad_b
    grad_a = grad_b = None
    if grad_a3 is not None:
        grad_a = sum_to(grad_a3.reshape(g.batch + g.a_full[-2:]), g.a_full).reshape(g.a_shape)
    if grad_b3 is not None:
        grad_b = sum_to(grad_b3.reshape(g.batch + g.b_full[-2:]), g.b_full).reshape(g.b_shape)
    return grad_a, grad_b


# A rung's batched product: (B, n, k) @ (B, k, m) -> a new (B, n, m) array.
Bmm = Callable[[np.ndarray, np.ndarray], np.ndarray]


def forward_with(bmm: Bmm, g: Geometry, a: np.ndarray, b: np.ndarray):
    """``matmul(a, b)`` with torch.matmul's shape rules (see the declaration), by ``bmm``
    on the 3-D views; saves (a, b) for backward."""
    a3, b3 = to_batched(g, a, b)
    return bmm(a3, b3).reshape(g.out_shape), (a, b)


def backward_with(bmm: Bmm, g: Geometry, grad_out: np.ndarray, saved, needs_input_grad):
    """(dL/da, dL/db) = (G @ b^T, a^T @ G) by ``bmm``, summed over broadcast batch dims;
    None for a gradient not asked for."""
    a, b = saved
    a3, b3 = to_batched(g, a, b)
    g3 = grad_out.reshape(g.out3)
    grad_a3 = bmm(g3, b3.transpose(0, 2, 1)) if needs_input_grad[0] else None
    grad_b3 = bmm(a3.transpose(0, 2, 1), g3) if needs_input_grad[1] else None
    return grads_from_batched(g, grad_a3, grad_b3)
