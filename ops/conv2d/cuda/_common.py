"""Helpers shared by the conv2d CUDA versions: the geometry of one call as plain ints,
the fixed-order sum of split partial results, and the per-dtype kernel cache key.

Nothing here does convolution arithmetic; each version keeps its own strategy.
"""
from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import THREADS, blocks
from .. import output_shape

# Dynamic shared memory a block may ask for without the opt-in attribute (48 KiB on
# every CUDA GPU since Kepler). The tiled kernels size their tiles to fit in it.
SMEM_BYTES = 48 * 1024


class Geometry(NamedTuple):
    """Every size and attribute of one conv2d call, as Python ints (kernel arguments)."""

    B: int
    C: int
    H: int
    W: int
    Co: int
    Cg: int  # input channels per group
    Og: int  # output channels per group
    kH: int
    kW: int
    Ho: int
    Wo: int
    sh: int
    sw: int
    top: int
    left: int
    dh: int
    dw: int
    groups: int


def geometry(x_shape, w_shape, stride, padding, dilation, groups) -> Geometry:
    """The Geometry of conv2d(x, w) with attributes normalised by ``check_args``."""
    B, Co, Ho, Wo = output_shape(x_shape, w_shape, stride, padding, dilation, groups)
    _, C, H, W = (int(s) for s in x_shape)
    _, Cg, kH, kW = (int(s) for s in w_shape)
    return Geometry(
        B=int(B), C=C, H=H, W=W, Co=int(Co), Cg=Cg, Og=int(Co) // groups, kH=kH, kW=kW,
        Ho=int(Ho), Wo=int(Wo), sh=int(stride[0]), sw=int(stride[1]),
        top=int(padding[0]), left=int(padding[2]), dh=int(dilation[0]),
        dw=int(dilation[1]), groups=int(groups),
    )


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
