"""The NumPy side every linear CPU kernel shares: forward and backward written once on
top of a rung's three pieces, which are all that differs between naive, numpy and numba:

- ``bmm(a3, b3) -> out3``, the batched product of the matmul rung of the same name
  (ops/matmul/<rung>.py), here on one-matrix views: ``mm(a, b) = bmm(a[None],
  b[None])[0]``, (n, k) @ (k, m) -> a new (n, m) array, operands of any strides;
- ``add_rows(out, b)``: out[n, o] += b[o] for every row n, in place;
- ``sum_rows(G) -> db``: db[o] = sum_n G[n, o], a new (out,) array (zeros for no rows).

With X = x as (N, in) (a view of a C-contiguous x) and G = grad_out as (N, out)::

    forward    out = mm(X, w^T);  add_rows(out, b) if there is a bias    saved: (x, w)
    backward   dX = mm(G, w)      (N, in), back in x's shape
               dw = mm(G^T, X)    (out, in)
               db = sum_rows(G)   (out,)

w^T and G^T are views (swapped strides): each rung's product reads them in place, so
nothing is transposed by a copy. A rung's kernels are these two bound to its pieces:
``forward = partial(forward_with, _bmm, _add_rows)``, ``backward =
partial(backward_with, _bmm, _sum_rows)``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import Geometry

# The matmul rung's batched product: (B, n, k) @ (B, k, m) -> a new (B, n, m) array.
Bmm = Callable[[np.ndarray, np.ndarray], np.ndarray]
# add_rows(out, b): out (N, out) += b (out,) row by row, in place.
AddRows = Callable[[np.ndarray, np.ndarray], None]
# sum_rows(G) -> db: the (out,) sum of G's (N, out) rows.
SumRows = Callable[[np.ndarray], np.ndarray]


def _mm(bmm: Bmm, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, k) @ (k, m) by ``bmm`` on single-batch views (nothing copied)."""
    return bmm(a[None], b[None])[0]


def forward_with(bmm: Bmm, add_rows: AddRows, g: Geometry, x: np.ndarray, w: np.ndarray,
                 b: np.ndarray | None) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """x (*, in), w (out, in), b (out,) or None -> x @ w^T + b (*, out); saves (x, w)."""
    out = _mm(bmm, x.reshape(g.x2), w.T)
    if b is not None:
        add_rows(out, b)
    return out.reshape(g.out_shape), (x, w)


def backward_with(
    bmm: Bmm,
    sum_rows: SumRows,
    g: Geometry,
    grad_out: np.ndarray,
    saved: tuple[np.ndarray, np.ndarray],
    needs_input_grad: tuple[bool, bool, bool],
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(dL/dx, dL/dw, dL/db) = (G @ w, G^T @ X, sum of G's rows); None for a gradient
    not asked for (db also without a bias)."""
    x, w = saved
    grad = grad_out.reshape(g.out2)
    grad_x = _mm(bmm, grad, w).reshape(g.x_shape) if needs_input_grad[0] else None
    grad_w = _mm(bmm, grad.T, x.reshape(g.x2)) if needs_input_grad[1] else None
    grad_b = sum_rows(grad) if g.has_bias and needs_input_grad[2] else None
    return grad_x, grad_w, grad_b
