"""The row machinery shared by the CUDA kernels of softmax, log_softmax and
cross_entropy: how rows are mapped onto threads, and the reductions along a row.

A "row" is the n values along the softmax dimension at one position. An array of
shape (d0, ..., dk) with the dimension ``dim`` is viewed, without copying, as
(outer, n, inner) (the geometry's, ops/softmax/__init__.py); row r = o * inner + c holds
the elements ``o * n * inner + k * inner + c`` for k = 0 .. n-1 of the flat array. A
row of cross_entropy is one sample's C logits.

Each of the three strategies (the three versions of every op) is a :class:`Strategy`:

- ``first_row(b)``, a device function: the first row of slot b, a slot being the rows
  one block covers at a time (one row, or one per thread, or one per warp);
- ``row_of(b)``, a device function returning (row r, first k, step) of this thread in
  slot b: the thread reads the elements k = first, first + step, ... < n of row r;
- ``reducers(dtype)``: (reduce_max, reduce_sum), device functions that combine the
  per-thread partial values of one row into the row's value, returned to every thread
  of the row;
- ``launch(rows, n)``: (blocks, threads) of the 1-D launch, one block per slot.

:func:`row_grid` caps those blocks at ``ops._cuda.MAX_BLOCKS`` (on a GPU gridDim.x may
reach 2**31 - 1, but more blocks than it holds at once buy nothing) and says whether it
did: then a block owns several slots, and the op kernels, compiled with ``looped``, loop::

    b = blockIdx.x
    while first_row(b) < rows:
        r, k0, dk = row_of(b)
        ... the row's work ...
        if not looped: break        # a compile-time constant: no loop is compiled
        b += gridDim.x

The loop depends on the block only, so all of a block's threads take the same
iterations, and each row's order of operations is the same whichever block computes it.
Why two variants: a loop keeps the row's bounds and the loop state live across the
body (and ``range`` would add a 64-bit division for its trip count); on sm_90 that took
these kernels from 32 registers to 40-46, below full occupancy. The straight variant
(every launch under the cap) compiles to the one-slot-per-block code.

The op kernels (_softmax.py, _cross_entropy.py) are written once against this interface
and compiled per (strategy, dtype, looped). Their rule: every thread of a block runs
the same sequence of reduce calls (threads past the last row loop over nothing and
still take part), because the block and the simulated warp reductions use
``syncthreads``; each reduction ends with a barrier after its result is read, so the
next call (or the next slot's) may refill its shared array. And a kernel calls each
reduction from one place only (directly, or inside one device function): NVVM rejects
a kernel that reaches a shared-memory reduction both ways (its shared array is then
defined twice).

The three strategies::

    "row"   (ROW):   row r = b * blockDim.x + threadIdx.x; first 0, step 1; no reduction
                     needed (the thread holds the whole row's value in a register).
    "block" (BLOCK): row r = b; first = threadIdx.x, step = blockDim.x; a tree
                     in shared memory (blockDim.x a power of two, 1..256, about n / 4):
                         buf[t] = v; sync
                         for h = blockDim/2, blockDim/4, .., 1: if t < h: buf[t] op= buf[t+h]; sync
                         return buf[0]
    "warp"  (WARP_ROWS): row r = b * (warps per block) + warp; first = lane, step = 32;
                     a butterfly of warp shuffles, no shared memory and no barrier:
                         for off = 16, 8, 4, 2, 1: v = v op shfl_xor_sync(FULL, v, off)
                     after which all 32 lanes hold the row's value.

Numba's simulator has no ``shfl_*_sync``. Under it (``ops._cuda.SIMULATOR``), the warp
reductions are an emulation with the same butterfly, in the same order of operations
(so the same bits), through a per-warp slice of a shared scratch array and
``syncthreads`` barriers (hence the rule above). The simulator checks that emulation;
a real GPU runs the shuffles.

Maxima skip nothing: a NaN anywhere in a row makes the row's maximum NaN, so the
row's outputs are NaN, as with NumPy (``max`` on CUDA would drop it silently).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, NamedTuple

import numba
import numpy as np
from numba import cuda

from ..._cuda import SIMULATOR, capped_blocks, flat
from .. import SoftmaxGeometry

WARP = 32
FULL_MASK = 0xFFFFFFFF
BLOCK_MAX = 256  # most threads per block of any launch here (shared scratch size)
ROW_THREADS = 128  # threads per block of the one-thread-per-row kernels
WARPS_PER_BLOCK = 4  # rows per block of the one-warp-per-row kernels


def row_grid(strategy: "Strategy", rows: int, n: int) -> tuple[int, int, bool]:
    """(blocks, threads, looped) of a row launch: ``strategy``'s blocks capped at
    ``ops._cuda.MAX_BLOCKS``; ``looped`` if that cut any (the kernels must then loop)."""
    blocks, threads = strategy.launch(rows, n)
    grid = capped_blocks(blocks)
    return grid, threads, grid < blocks


def launch_rows(strategy: "Strategy", kernel_of: Callable[[bool], Any], g: SoftmaxGeometry,
                *arrays) -> None:
    """Launch a row kernel of softmax/log_softmax, ``kernel_of(looped)(*flat arrays,
    rows, n, inner)``, over the rows of the geometry ``g`` (arrays of its shape, rows
    along its dim), mapped by ``strategy``, on at most ``ops._cuda.MAX_BLOCKS`` blocks
    (see :func:`row_grid`)."""
    blocks, threads, looped = row_grid(strategy, g.rows, g.n)
    kernel_of(looped)[blocks, threads](*(flat(a) for a in arrays), g.rows, g.n, g.inner)


def pow2_at_least(v: int, lo: int, hi: int) -> int:
    """The smallest power of two >= v, clamped to [lo, hi] (lo, hi powers of two)."""
    p = lo
    while p < v and p < hi:
        p *= 2
    return p


@cuda.jit(device=True)
def nanmax(a, b):
    """max(a, b), NaN if either is NaN (CUDA's max would return the other one)."""
    return a if (a > b or a != a) else b


# --- where a thread's row is ----------------------------------------------------------


@cuda.jit(device=True)
def _first_of_threads(b):
    return b * cuda.blockDim.x


@cuda.jit(device=True)
def _row_per_thread(b):
    return b * cuda.blockDim.x + cuda.threadIdx.x, 0, 1


@cuda.jit(device=True)
def _first_of_one(b):
    return b


@cuda.jit(device=True)
def _row_per_block(b):
    return b, cuda.threadIdx.x, cuda.blockDim.x


@cuda.jit(device=True)
def _first_of_warps(b):
    return b * (cuda.blockDim.x // WARP)


@cuda.jit(device=True)
def _row_per_warp(b):
    t = cuda.threadIdx.x
    return b * (cuda.blockDim.x // WARP) + t // WARP, t % WARP, WARP


# --- reductions ---------------------------------------------------------------------------


@cuda.jit(device=True)
def _same(v):
    return v


def _thread_reducers(dtype: np.dtype) -> tuple[Any, Any]:
    # One thread holds the whole row: its partial value is the row's value.
    return _same, _same


@lru_cache(maxsize=None)
def block_reducers(dtype: np.dtype) -> tuple[Any, Any]:
    """(block_max, block_sum) for ``dtype``: a tree in shared memory over the block
    (blockDim.x a power of two <= BLOCK_MAX); every thread gets the result."""
    nt = numba.from_dtype(np.dtype(dtype))

    @cuda.jit(device=True)
    def block_max(v):
        buf = cuda.shared.array(BLOCK_MAX, nt)
        t = cuda.threadIdx.x
        buf[t] = v
        cuda.syncthreads()
        h = cuda.blockDim.x // 2
        while h > 0:
            if t < h:
                buf[t] = nanmax(buf[t], buf[t + h])
            cuda.syncthreads()
            h //= 2
        r = buf[0]
        cuda.syncthreads()  # everyone has read buf[0] before the next call writes buf
        return r

    @cuda.jit(device=True)
    def block_sum(v):
        buf = cuda.shared.array(BLOCK_MAX, nt)
        t = cuda.threadIdx.x
        buf[t] = v
        cuda.syncthreads()
        h = cuda.blockDim.x // 2
        while h > 0:
            if t < h:
                buf[t] += buf[t + h]
            cuda.syncthreads()
            h //= 2
        r = buf[0]
        cuda.syncthreads()
        return r

    return block_max, block_sum


@cuda.jit(device=True)
def _shfl_max(v):
    off = WARP // 2
    while off > 0:
        v = nanmax(v, cuda.shfl_xor_sync(FULL_MASK, v, off))
        off //= 2
    return v


@cuda.jit(device=True)
def _shfl_sum(v):
    off = WARP // 2
    while off > 0:
        v += cuda.shfl_xor_sync(FULL_MASK, v, off)
        off //= 2
    return v


@lru_cache(maxsize=None)
def warp_reducers(dtype: np.dtype) -> tuple[Any, Any]:
    """(warp_max, warp_sum) for ``dtype``: a butterfly over the 32 lanes of each warp.

    On a GPU, warp shuffles (no shared memory, no barrier). Under the simulator, which
    has no shuffles, the same butterfly through shared memory: lane l reads lane
    l ^ off's value from buf, exactly what shfl_xor_sync(FULL, v, off) returns, and
    adds it in the same order (v + other), so both give the same bits. The emulation
    uses syncthreads, so all threads of the block must call it (the simulator runs its
    threads in any interleaving: a barrier per step keeps the warp in step)."""
    if not SIMULATOR:
        return _shfl_max, _shfl_sum
    nt = numba.from_dtype(np.dtype(dtype))

    @cuda.jit(device=True)
    def warp_max(v):
        buf = cuda.shared.array(BLOCK_MAX, nt)
        t = cuda.threadIdx.x
        off = WARP // 2
        while off > 0:
            buf[t] = v
            cuda.syncthreads()
            v = nanmax(v, buf[t ^ off])  # t ^ off: the same warp, lane ^ off
            cuda.syncthreads()
            off //= 2
        return v

    @cuda.jit(device=True)
    def warp_sum(v):
        buf = cuda.shared.array(BLOCK_MAX, nt)
        t = cuda.threadIdx.x
        off = WARP // 2
        while off > 0:
            buf[t] = v
            cuda.syncthreads()
            v += buf[t ^ off]
            cuda.syncthreads()
            off //= 2
        return v

    return warp_max, warp_sum


# --- launch sizes -------------------------------------------------------------------------


def _launch_row(rows: int, n: int) -> tuple[int, int]:
    # Whole warps, at most ROW_THREADS: a tiny batch does not start 128 threads.
    threads = min(ROW_THREADS, WARP * -(-rows // WARP))
    return -(-rows // threads), threads


def _launch_block(rows: int, n: int) -> tuple[int, int]:
    # About 4 elements per thread, a power of two (the tree), at most 256. A short row
    # gets a block smaller than a warp: the warp costs the same, idle lanes or not.
    return rows, pow2_at_least(-(-n // 4), 1, BLOCK_MAX)


def _launch_warp(rows: int, n: int) -> tuple[int, int]:
    warps = min(WARPS_PER_BLOCK, rows)
    return -(-rows // warps), WARP * warps


class Strategy(NamedTuple):
    """How one version maps rows onto threads (see the module docstring)."""

    name: str
    first_row: Any  # device function (slot b) -> its first row
    row_of: Any  # device function (slot b) -> (row, first k, step)
    reducers: Callable[[np.dtype], tuple[Any, Any]]  # dtype -> (reduce_max, reduce_sum)
    launch: Callable[[int, int], tuple[int, int]]  # (rows, n) -> (blocks, threads), uncapped


ROW = Strategy("row", _first_of_threads, _row_per_thread, _thread_reducers, _launch_row)
BLOCK = Strategy("block", _first_of_one, _row_per_block, block_reducers, _launch_block)
WARP_ROWS = Strategy("warp", _first_of_warps, _row_per_warp, warp_reducers, _launch_warp)
STRATEGIES = {s.name: s for s in (ROW, BLOCK, WARP_ROWS)}
