"""matmul, the sequential baseline: one plain Python loop nest per output element.

Pseudo code (3-D form from the declaration: a (B, n, k), b (B, k, m))::

    for each batch s, row i, column j:        # one output element
        acc = 0
        for p in 0..k-1:
            acc += a[s, i, p] * b[s, p, j]
        out[s, i, j] = acc

Backward is the same loop nest on transposed views: dA = G @ B^T, dB = A^T @ G.
O(B n k m) scalar multiply-adds, each a Python-level operation: the "1x" of the
speedup graphs. The accumulator has the array's dtype, so float32 sums in float32.
"""

from __future__ import annotations

import numpy as np

from . import from_batched, grad_to_batched, grads_from_batched, to_batched


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(B, n, k) @ (B, k, m) -> (B, n, m), by the triple loop per batch."""
    batch, n, k = a.shape
    m = b.shape[2]
    out = np.zeros((batch, n, m), dtype=a.dtype)
    zero = a.dtype.type(0)
    for s in range(batch):
        for i in range(n):
            for j in range(m):
                acc = zero
                for p in range(k):
                    acc += a[s, i, p] * b[s, p, j]
                out[s, i, j] = acc
    return out


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
