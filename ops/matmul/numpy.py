"""matmul, vectorized: NumPy's ``np.matmul`` (BLAS gemm per batch).

Pseudo code (3-D form from the declaration: a (B, n, k), b (B, k, m))::

    out = np.matmul(a, b)          # B gemm calls; B == 1 for 2-D x 2-D and for
                                   # a batch times one matrix (the batch is folded
                                   # into the rows: one (B*n, k) x (k, m) gemm)

Backward: dA = G @ B^T and dB = A^T @ G, again np.matmul on transposed views (BLAS
reads a transposed operand in place, no copy).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import _batched


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(B, n, k) @ (B, k, m) -> (B, n, m)."""
    return np.matmul(a, b)


# The op around the product (views, saved arrays, gradients): _batched.py.
forward = partial(_batched.forward_with, _bmm)
backward = partial(_batched.backward_with, _bmm)
