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

from functools import partial

import numpy as np

from . import _batched


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


# The op around the product (views, saved arrays, gradients): _batched.py.
forward = partial(_batched.forward_with, _bmm)
backward = partial(_batched.backward_with, _bmm)
