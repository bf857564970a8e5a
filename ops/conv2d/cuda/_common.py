"""Helpers shared by the conv2d CUDA versions: the shared-memory budget, the fixed-order
sum of split partial results, a dtype's Numba type and a tile-size helper. The geometry
of a call is the declaration's (``minigrad.ops.conv2d.Geometry``).

Nothing here does convolution arithmetic; each version keeps its own strategy.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import THREADS, blocks

# Dynamic shared memory a block may ask for without the opt-in attribute (48 KiB on
# every CUDA GPU since Kepler). The tiled kernels size their tiles to fit in it.
SMEM_BYTES = 48 * 1024


def nb_type(dtype) -> numba.types.Type:
    """The Numba scalar type for a NumPy dtype (shared/local arrays need it at compile
    time)."""
    return numba.from_dtype(np.dtype(dtype))


def pow2_at_most(n: int, cap: int) -> int:
    """The smallest power of two >= n, capped at ``cap`` (a tile side)."""
    p = 1
    while p < n and p < cap:
        p *= 2
    return p


@_cuda.kernel
def _sum_parts_kernel(parts, out):
    # parts (S, E) -> out (E,): one thread per element, the S parts added in order, so
    # the result does not depend on how blocks were scheduled (no atomics).
    e = cuda.grid(1)
    if e < out.shape[0]:
        acc = parts[0, e]
        for s in range(1, parts.shape[0]):
            acc += parts[s, e]
        out[e] = acc


def sum_parts(parts, out_flat) -> None:
    """out_flat (E,) = parts (S, E) summed over S in a fixed order."""
    n = out_flat.shape[0]
    if n:
        _sum_parts_kernel[blocks(n), THREADS](parts, out_flat)
