"""Pieces the max_pool2d CUDA versions share: the window scan, tap ranges, tile sizes
and the plane groups that keep flat indices in 32 bits (``ops/_pool_cuda.py``'s, with
max_pool2d's message).

A private module (leading underscore): the registry never loads it as an
implementation. Device functions are plain ``cuda.jit(device=True)`` functions that
each kernel inlines; host functions only do arithmetic on Python ints.

Index maths is 32-bit where it divides. A GPU has no integer divider: a 64-bit ``//``
or ``%`` is a long software routine, a 32-bit unsigned one a short inline sequence, and
Numba does 64-bit ones by default (every int argument is int64, and so is the trip
count that ``range(start, stop, step)`` divides out). Those divisions cost the kernels
up to 30 registers (sm_90). So the kernels divide with ``_pool_cuda``'s ``div32`` /
``divmod32``, loop over runtime strides with int32 ``range`` arguments, and the host
launches them on groups of planes (:func:`plane_groups`) that keep every flat index
below ``_pool_cuda.INDEX_LIMIT`` (2**31).
"""
from __future__ import annotations

from typing import Iterator

from numba import cuda

from ... import _pool_cuda
from ..._pool_cuda import div32

# Grids cover output/input columns with blockIdx.x and loop over tile rows (y) and
# planes (z) so any B*C and height fit the 65535 limit of those grid dimensions. A
# module constant so the tests can lower it and exercise the loops on small inputs.
MAX_GRID_YZ = 65535

# Tiles tried in order (columns, rows): a warp runs along a row, so loads and stores
# are coalesced; smaller tiles only when a large window's staged region would not fit.
TILES = ((32, 8), (32, 4), (16, 4), (16, 2), (8, 2), (8, 1), (4, 1), (2, 1), (1, 1))


@cuda.jit(device=True)
def tap_range(start, k, d, n):
    """Taps t in [lo, hi) of a window starting at ``start`` (positions start + t*d)
    that fall inside [0, n); declare guarantees lo < hi (so start <= n - 1 and both
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
    """``_pool_cuda.plane_groups`` for max_pool2d: ranges [p0, p1) of planes covering
    [0, planes), each launch's flat indices below ``_pool_cuda.INDEX_LIMIT``; a plane too
    large is refused naming max_pool2d and its H*W."""
    return _pool_cuda.plane_groups("max_pool2d", planes, *plane_sizes, size_note=" (H*W)")


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
