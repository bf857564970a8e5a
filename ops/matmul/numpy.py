"""matmul, vectorized: NumPy's ``np.matmul`` (BLAS gemm per batch).

Pseudo code (3-D form from the declaration: a (B, n, k), b (B, k, m))::

    out = np.matmul(a, b)          # B gemm calls; B == 1 for 2-D x 2-D and for
                                   # a batch times one matrix (the batch is folded
                                   # into the rows: one (B*n, k) x (k, m) gemm)

Backward: dA = G @ B^T and dB = A^T @ G, again np.matmul on transposed views (BLAS
reads a transposed operand in place, no copy).
"""

from __future__ import annotations

import numpy as np

from . import from_batched, grad_to_batched, grads_from_batched, to_batched


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(B, n, k) @ (B, k, m) -> (B, n, m)."""
    return np.matmul(a, b)


def forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``matmul(a, b)`` with torch.matmul's shape rules (see the declaration)."""
    a3, b3 = to_batched(a, b)
    return from_batched(_bmm(a3, b3), a.shape, b.shape)


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray, np.ndarray],
    out: np.ndarray,
    needs_input_grad: tuple[bool, bool],
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(dL/da, dL/db) = (G @ b^T, a^T @ G), summed over broadcast batch dims."""
    a, b = inputs
    a3, b3 = to_batched(a, b)
    g3 = grad_to_batched(grad_out, a.shape, b.shape)
    grad_a3 = _bmm(g3, b3.transpose(0, 2, 1)) if needs_input_grad[0] else None
    grad_b3 = _bmm(a3.transpose(0, 2, 1), g3) if needs_input_grad[1] else None
    return grads_from_batched(grad_a3, grad_b3, a.shape, b.shape)
