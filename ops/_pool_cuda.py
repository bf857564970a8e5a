"""CUDA pieces the pooling kernels (max_pool2d's, avg_pool2d's) share: 32-bit index
division and the plane groups that keep every flat index in its range.

A GPU has no integer divider: a 64-bit ``//`` or ``%`` is a long software routine, a
32-bit unsigned one a short inline sequence, and Numba divides in 64 bits by default
(every int argument is int64). So pooling kernels that decode a flat thread index into
(plane, row, column), or divide window positions, use :func:`div32` / :func:`divmod32`,
and the host launches them on groups of planes (:func:`plane_groups`) whose flat
indices stay below :data:`INDEX_LIMIT`.
"""
from __future__ import annotations

from typing import Any, Iterator

from numba import cuda, int64, uint32

from ._cuda import flat

# A Numba device array (DeviceNDArray; FakeCUDAArray under the simulator).
DeviceArray = Any

# Flat indices of one launch stay below this (a module constant so the tests can lower
# it and exercise the split into plane groups).
INDEX_LIMIT = 2**31


@cuda.jit(device=True)
def div32(a, b):
    """``a // b`` for 0 <= a < 2**32 and 0 < b < 2**32, by 32-bit unsigned division."""
    return int64(uint32(uint32(a) // uint32(b)))


@cuda.jit(device=True)
def divmod32(a, b):
    """``(a // b, a % b)`` for 0 <= a < 2**32 and 0 < b < 2**32 (as :func:`div32`).
    Both come back as int64: later index arithmetic must not mix unsigned and signed
    ints (Numba types uint64 op int64 as float64)."""
    a32 = uint32(a)
    b32 = uint32(b)
    q = uint32(a32 // b32)
    return int64(q), int64(uint32(a32 - q * b32))


def plane_groups(op: str, planes: int, *plane_sizes: int,
                 size_note: str = "") -> Iterator[tuple[int, int]]:
    """Ranges [p0, p1) of planes, in order, covering [0, planes), each small enough that
    (p1 - p0) * size < INDEX_LIMIT for every ``size`` (elements per plane of each array
    a launch indexes). One group unless the tensors pass 2**31 elements; RuntimeError
    naming ``op`` if a single plane is too large (``size_note`` follows "elements" in
    the message: max_pool2d's says " (H*W)")."""
    per = max(plane_sizes)
    if per >= INDEX_LIMIT:
        raise RuntimeError(f"{op} on cuda: a plane of {per} elements{size_note} is too "
                           f"large; the kernels index planes of fewer than {INDEX_LIMIT}")
    step = (INDEX_LIMIT - 1) // max(per, 1)
    for p0 in range(0, planes, step):
        yield p0, min(planes, p0 + step)


def plane_slice(a: DeviceArray, p0: int, p1: int) -> DeviceArray:
    """Planes [p0, p1) of the (B, C, H, W) device array ``a``, as a flat view."""
    size = a.shape[2] * a.shape[3]
    if p0 == 0 and p1 * size == a.size:  # the usual single group: no slice to make
        return flat(a)
    return flat(a)[p0 * size:p1 * size]
