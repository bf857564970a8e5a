"""The host side every matmul CUDA version shares: one strided, batched GEMM problem
per launch, and forward/backward written once on top of a version's GEMM launcher.
A version's file holds only its kernel: :func:`launcher` makes its ``launch`` from it
(grid and block from the version's tile), and its kernels are ``forward =
partial(forward_with, launch)``, ``backward = partial(backward_with, launch)``.

Each launch computes, for every batch entry ``z`` of the result ``C``::

    C[z, i, j] = sum over r in the summed batch entries, p in range(depth) of
                 A[oa(z, r) + i*a_rs + p*a_cs] * B[ob(z, r) + p*b_rs + j*b_cs]

``A`` and ``B`` are flat 1-D views of C-contiguous arrays, read through element
strides, so a transposed operand is only a swap of its two strides (no copy), and a
batch dimension an operand is broadcast along has stride 0 (no copy either). ``C`` is
a new C-contiguous (Z, rows, cols) array. The three products of the op:

    forward   out = a @ b        A = a,        B = b        sum over nothing
    grad a    dA  = G @ b^T      A = G,        B = b^T      sum over a's broadcast dims
    grad b    dB  = a^T @ G      A = a^T,      B = G        sum over b's broadcast dims

so the batch reduction the NumPy kernels do after their products (``sum_to``) is here
part of each GEMM's contraction: no (batch, n, k) intermediate, no extra kernel.

Batch offsets: the batch dimensions are split into the ones ``C`` keeps (enumerated by
``z``) and the ones summed (enumerated by ``r``); size-1 dimensions are dropped and
neighbours that both operands step through evenly are merged, so usually at most one
of each is left, and a kernel decodes ``z`` and ``r`` into offsets with
:func:`batch_offsets`. The declaration's fold (a batch times one matrix is one
(B*n, k) @ (k, m) product) is kept: it gives the kernels tall matrices, not many small
ones.
"""
from __future__ import annotations

import functools
import math
from typing import Callable, NamedTuple

import numpy as np
from numba import cuda

from minigrad.ops._cuda import empty, flat
from minigrad.ops.matmul import Geometry

# CUDA caps gridDim.y and gridDim.z at 65535; the kernels loop over what is left (a
# module variable so that the tests can make the loops run with tiny shapes).
MAX_GRID_YZ = 65535

Dims = tuple[int, ...]


class Gemm(NamedTuple):
    """One launch: C (batches, rows, cols) from A and B as in the module docstring."""

    rows: int
    cols: int
    depth: int
    a_rs: int
    a_cs: int
    b_rs: int
    b_cs: int
    batches: int  # entries of C's batch (z)
    kept: Dims  # their shape and the operands' element strides along it
    a_kept: Dims
    b_kept: Dims
    reduced: int  # batch entries summed into each C entry (r)
    red: Dims
    a_red: Dims
    b_red: Dims


class Plans(NamedTuple):
    out_shape: Dims  # the result's shape (matmul: its geometry's out_shape)
    forward: Gemm
    grad_a: Gemm  # A = grad_out, B = b
    grad_b: Gemm  # A = a, B = grad_out


def _contiguous_strides(batch: Dims, matrix: int) -> list[int]:
    """Element strides of a C-contiguous (*batch, matrix) array, 0 along size-1 dims
    (where the operand is broadcast, or where stepping never happens)."""
    strides, step = [], matrix
    for size in reversed(batch):
        strides.append(step if size != 1 else 0)
        step *= size
    return strides[::-1]


def _merge(dims: list[tuple[int, int, int]]) -> tuple[Dims, Dims, Dims]:
    """(size, a_stride, b_stride) per dimension, outer first, as three tuples with
    neighbours merged where both operands step evenly over the pair; (1,), (0,), (0,)
    when there are none (kernels get tuples of length >= 1)."""
    merged: list[tuple[int, int, int]] = []
    for size, sa, sb in dims:
        if merged:
            psize, psa, psb = merged[-1]
            if psa == sa * size and psb == sb * size:
                merged[-1] = (psize * size, sa, sb)
                continue
        merged.append((size, sa, sb))
    if not merged:
        merged = [(1, 0, 0)]
    sizes, sas, sbs = zip(*merged)
    return tuple(sizes), tuple(sas), tuple(sbs)


def _gemm(rows: int, cols: int, depth: int, a_rs: int, a_cs: int, b_rs: int, b_cs: int,
          batch: Dims, a_str: list[int], b_str: list[int], c_batch: Dims) -> Gemm:
    kept, red = [], []
    for d, size in enumerate(batch):
        if size == 1:
            continue
        # C keeps a dimension it has in full; one it has as 1 is summed over.
        (kept if c_batch[d] == size else red).append((size, a_str[d], b_str[d]))
    k_shape, a_kept, b_kept = _merge(kept)
    r_shape, a_red, b_red = _merge(red)
    return Gemm(rows, cols, depth, a_rs, a_cs, b_rs, b_cs,
                math.prod(k_shape), k_shape, a_kept, b_kept,
                math.prod(r_shape), r_shape, a_red, b_red)


def matrix(rows: int, cols: int, depth: int, a_rs: int, a_cs: int, b_rs: int,
           b_cs: int) -> Gemm:
    """One unbatched launch, C (rows, cols) = A (rows, depth) @ B (depth, cols), A and B
    read through the given element strides (linear's products: ops/linear/cuda)."""
    return _gemm(rows, cols, depth, a_rs, a_cs, b_rs, b_cs, (), [], [], ())


@functools.lru_cache(maxsize=256)
def plans(g: Geometry) -> Plans:
    """The three launches for ``matmul`` of geometry ``g`` (made once per geometry)."""
    n, k, m = g.n, g.k, g.m
    if g.fold:
        batch: Dims = ()
        n = g.a3[1]  # the folded rows, B*n
        a_batch = b_batch = ()
    else:
        batch = g.batch
        # Pad the operands' batch shapes with leading 1s to the broadcast rank.
        a_batch = (1,) * (len(batch) - len(g.a_full[:-2])) + g.a_full[:-2]
        b_batch = (1,) * (len(batch) - len(g.b_full[:-2])) + g.b_full[:-2]
    sa = _contiguous_strides(a_batch, n * k)
    sb = _contiguous_strides(b_batch, k * m)
    sg = _contiguous_strides(batch, n * m)
    return Plans(
        g.out_shape,
        #          rows cols depth  A strides  B strides  batch strides of A, B; C's batch
        _gemm(n, m, k, k, 1, m, 1, batch, sa, sb, batch),
        _gemm(n, k, m, m, 1, 1, m, batch, sg, sb, a_batch),  # G @ b^T
        _gemm(k, m, n, 1, k, m, 1, batch, sa, sg, b_batch),  # a^T @ G
    )


def grid(g: Gemm, tile_rows: int, tile_cols: int) -> tuple[int, int, int]:
    """Blocks: row tiles on x (up to 2**31 - 1: folded batches make tall matrices),
    column tiles on y and batch entries on z, capped at MAX_GRID_YZ (kernels loop)."""
    return (
        max(1, math.ceil(g.rows / tile_rows)),
        max(1, min(math.ceil(g.cols / tile_cols), MAX_GRID_YZ)),
        max(1, min(g.batches, MAX_GRID_YZ)),
    )


# A version's launcher: launch(g, A, B, C) with flat device arrays (and an optional
# bias added to C's rows, which only linear passes).
Launch = Callable[[Gemm, object, object, object], None]


def launcher(kernel: Callable, tile: tuple[int, int], threads: tuple[int, int]) -> Launch:
    """A version's ``launch(g, A, B, C, bias=None)``: C = A @ B as ``g`` plans it (flat
    device arrays), one launch of the version's ``kernel(dtype)`` (its GEMM, taking A,
    B, C, D, has_bias and the fields of ``g``), ``tile`` (rows, columns) of C per block
    and ``threads`` (x, y) per block. With ``bias`` (cols,), every row of C gets
    ``+ bias[j]`` as it is stored (linear's epilogue: no extra kernel)."""
    def launch(g: Gemm, A, B, C, bias=None) -> None:
        # Without a bias the kernel never reads D: C stands in, so there is one
        # specialisation per dtype for both cases.
        D = C if bias is None else bias
        kernel(np.dtype(C.dtype))[grid(g, *tile), threads](A, B, C, D, bias is not None, *g)
    return launch


@cuda.jit(device=True)
def batch_offsets(z, shape, sa, sb):
    """Element offsets in A and B of batch entry ``z`` (row-major over ``shape``)."""
    oa = 0
    ob = 0
    for d in range(len(shape) - 1, -1, -1):
        i = z % shape[d]
        z //= shape[d]
        oa += i * sa[d]
        ob += i * sb[d]
    return oa, ob


def forward_with(launch: Launch, g: Geometry, a, b):
    """``matmul(a, b)`` in one launch of ``launch``; saves (a, b) for backward."""
    out = empty(g.out_shape, a.dtype)
    if out.size:
        launch(plans(g).forward, flat(a), flat(b), flat(out))
    return out, (a, b)


def backward_with(launch: Launch, g: Geometry, grad_out, saved, needs_input_grad):
    """dA = G @ b^T and dB = a^T @ G, one launch each when asked for (None if not)."""
    a, b = saved
    p = plans(g)
    grad = flat(grad_out)
    grad_a = grad_b = None
    if needs_input_grad[0]:
        grad_a = empty(g.a_shape, a.dtype)
        if grad_a.size:  # written in full, zeros for an empty sum (m == 0)
            launch(p.grad_a, grad, flat(b), flat(grad_a))
    if needs_input_grad[1]:
        grad_b = empty(g.b_shape, b.dtype)
        if grad_b.size:
            launch(p.grad_b, flat(a), grad, flat(grad_b))
    return grad_a, grad_b
