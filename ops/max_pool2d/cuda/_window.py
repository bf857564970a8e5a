"""Pieces the max_pool2d CUDA versions share: the window scan, tap ranges, tile sizes,
32-bit index division and the plane groups that keep indices in its range.

A private module (leading underscore): the registry never loads it as an
implementation. Device functions are plain ``cuda.jit(device=True)`` functions that
each kernel inlines; host functions only do arithmetic on Python ints.

Index maths is 32-bit where it divides. A GPU has no integer divider: a 64-bit ``//``
or ``%`` is a long software routine, a 32-bit unsigned one a short inline sequence, and
Numba does 64-bit ones by default (every int argument is int64, and so is the trip
count that ``range(start, stop, step)`` divides out). Those divisions cost the kernels
up to 30 registers (sm_90). So the kernels divide with :func:`div32` /
:func:`divmod32`, loop over runtime strides with int32 ``range`` arguments, and the
host launches them on groups of planes (:func:`plane_groups`) that keep every flat
index below 2**31.
"""
from __future__ import annotations

from typing import Any, Iterator

from numba import cuda, int64, uint32

from ..._cuda import flat

# A Numba device array (DeviceNDArray; FakeCUDAArray under the simulator).
DeviceArray = Any

# Grids cover output/input columns with blockIdx.x and loop over tile rows (y) and
# planes (z) so any B*C and height fit the 65535 limit of those grid dimensions. A
# module constant so the tests can lower it and exercise the loops on small inputs.
MAX_GRID_YZ = 65535

# Flat indices of one launch stay below this (a module constant so the tests can lower
# it and exercise the split into plane groups).
INDEX_LIMIT = 2**31

# Tiles tried in order (columns, rows): a warp runs along a row, so loads and stores
# are coalesced; smaller tiles only when a large window's staged region would not fit.
TILES = ((32, 8), (32, 4), (16, 4), (16, 2), (8, 2), (8, 1), (4, 1), (2, 1), (1, 1))


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


@cuda.jit(device=True)
def tap_range(start, k, d, n):
    """Taps t in [lo, hi) of a window starting at ``start`` (positions start + t*d)
    that fall inside [0, n); check_args guarantees lo < hi (so start <= n - 1 and both
    dividends below are non-negative)."""
    lo = 0
    if start < 0:
        lo = div32(-start + d - 1, d)
    hi = div32(n - 1 - start, d) + 1
    if hi > k:
        hi = k
    return lo, hi


@cuda.jit(device=True)
def window_max(a, base, stride, h0, w0, p_lo, p_hi, q_lo, q_hi, dh, dw, width):
    """Max of one window and its plane index ``h*width + w``, scanning taps (p, q) in
    row-major order; element (h, w) of the plane is ``a[base + h*stride + w]`` (global
    memory: base = plane offset, stride = W; shared: base shifts the staged region).

    The first tap inside the input starts the scan (so a window of -inf still names an
    input element); a later tap wins if larger or NaN: ties keep the first, NaNs the
    last, as the CPU kernels and PyTorch.
    """
    h = h0 + p_lo * dh
    w = w0 + q_lo * dw
    best = a[base + h * stride + w]
    best_pos = h * width + w
    for p in range(p_lo, p_hi):
        h = h0 + p * dh
        row = base + h * stride
        for q in range(q_lo, q_hi):
            w = w0 + q * dw
            v = a[row + w]
            if v > best or v != v:
                best = v
                best_pos = h * width + w
    return best, best_pos


def plane_groups(planes: int, *plane_sizes: int) -> Iterator[tuple[int, int]]:
    """Ranges [p0, p1) of planes, in order, covering [0, planes), each small enough that
    (p1 - p0) * size < INDEX_LIMIT for every ``size`` (elements per plane of each array
    a launch indexes). One group unless the tensors pass 2**31 elements."""
    per = max(plane_sizes)
    if per >= INDEX_LIMIT:
        raise RuntimeError(f"max_pool2d on cuda: a plane of {per} elements (H*W) is too "
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


def window_args(kernel_size, stride, padding, dilation) -> tuple[int, ...]:
    """The attributes as the kernels take them: kh, kw, sh, sw, ph, pw, dh, dw."""
    return (*kernel_size, *stride, *padding, *dilation)


def spans(kernel_size, dilation) -> tuple[int, int]:
    """Rows and columns one dilated window covers."""
    return ((kernel_size[0] - 1) * dilation[0] + 1, (kernel_size[1] - 1) * dilation[1] + 1)


def pick_tile(fits) -> tuple[int, int] | None:
    """The first tile (columns, rows) of TILES for which ``fits(tw, th)``; None if none."""
    for tw, th in TILES:
        if fits(tw, th):
            return tw, th
    return None


def shrink_tile(tile: tuple[int, int], cols: int, rows: int) -> tuple[int, int]:
    """The tile cut down to the plane it covers (powers of two at least ``cols``,
    ``rows``): a small plane (LeNet's 10 x 10) launches 16 x 8, not 32 x 8 threads that
    would mostly idle."""
    tw, th = tile
    while tw > 1 and tw // 2 >= cols:
        tw //= 2
    while th > 1 and th // 2 >= rows:
        th //= 2
    return tw, th


def grid3(cols: int, tile_cols: int, rows: int, tile_rows: int, planes: int):
    """Blocks (x, y, z): all column tiles; row tiles and planes capped (kernels loop)."""
    return (
        -(-cols // tile_cols),
        min(-(-rows // tile_rows), MAX_GRID_YZ),
        min(planes, MAX_GRID_YZ),
    )
