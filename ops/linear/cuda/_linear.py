"""The host side every linear CUDA version shares: linear's products as launches of
matmul's GEMM kernels (ops/matmul/cuda/_gemm.py), with forward and backward written once
on top of a matmul version's launcher.

x is C-contiguous, so X = x as (N, in) is a view; w is (out, in) and G = grad_out as
(N, out). Every launch reads flat device arrays through element strides (row stride
``rs``, column stride ``cs``), so a transposed operand is two swapped strides::

    forward   out = X @ w^T + b    A = X   (rs in, cs 1)    B = w^T (rs 1, cs in)
                                   b added to each row of out as it is stored
    grad x    dX  = G @ w          A = G   (rs out, cs 1)   B = w   (rs in, cs 1)
    grad w    dw  = G^T @ X        A = G^T (rs 1, cs out)   B = X   (rs in, cs 1)
    grad b    db  = sum of G's rows: ops/reduce's tree sum, one block per column

One launch in forward and one per gradient asked for in backward; no copy kernel.
Empty sums are zeros: dX with out == 0 and dw with N == 0 are launched with depth 0
(each thread stores its zero accumulator), db with N == 0 sums zero rows.
"""
from __future__ import annotations

import functools

from ..._cuda import empty, flat
from ...matmul.cuda import _gemm
from ..._cuda_tree import sum_to
from .. import Geometry


@functools.lru_cache(maxsize=256)
def plans(n: int, k: int, m: int) -> _gemm.Plans:
    """The three launches for X (n, k) and w (m, k): forward (n, m), grad_a = dX (n, k),
    grad_b = dw (m, k)."""
    return _gemm.Plans(
        (n, m),
        #             rows cols depth  A strides  B strides
        _gemm.matrix(n, m, k, k, 1, 1, k),  # X @ w^T
        _gemm.matrix(n, k, m, m, 1, k, 1),  # G @ w
        _gemm.matrix(m, k, n, 1, m, k, 1),  # G^T @ X
    )


def forward_with(launch: _gemm.Launch, g: Geometry, x, w, b):
    """``linear(x, w, b)`` in one launch of ``launch``; saves (x, w) for backward."""
    out = empty(g.out_shape, x.dtype)
    if out.size:
        launch(plans(g.N, g.in_features, g.out_features).forward, flat(x), flat(w),
               flat(out), None if b is None else flat(b))
    return out, (x, w)


def backward_with(launch: _gemm.Launch, g: Geometry, grad_out, saved, needs_input_grad):
    """dX = G @ w, dw = G^T @ X (one launch each) and db = sum of G's rows, when asked
    for (None if not)."""
    x, w = saved
    p = plans(g.N, g.in_features, g.out_features)
    grad = flat(grad_out)
    grad_x = grad_w = grad_b = None
    if needs_input_grad[0]:
        grad_x = empty(g.x_shape, x.dtype)
        if grad_x.size:
            launch(p.grad_a, grad, flat(w), flat(grad_x))
    if needs_input_grad[1]:
        grad_w = empty(g.w_shape, w.dtype)
        if grad_w.size:
            launch(p.grad_b, grad, flat(x), flat(grad_w))
    if g.has_bias and needs_input_grad[2]:
        # (N, out), never (out,) itself: sum_to always makes a new array from it.
        grad_b = sum_to(grad_out.reshape(g.out2), (g.out_features,))
    return grad_x, grad_w, grad_b
