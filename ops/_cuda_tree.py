"""Tree-reduction kernels on CUDA, shared by several ops: reduce's "tree" version (sum,
mean, max/min and their backward) and ``sum_to``, the un-broadcast sum of the
elementwise, shape (expand) and linear backward kernels. A shared module beside
ops/_cuda.py, not inside one op's folder (ops/_cuda.py's conventions apply).

Every kernel here gives each output element o one block. The grid stops at
``_cuda.MAX_BLOCKS`` blocks; past that the kernels are compiled ``looped`` and each block
takes o = blockIdx.x, blockIdx.x + gridDim.x, ... (:func:`_grid`). The output
element's position in the input is ``base = offset(o, kept_shape, kept_strides)``; the
block's threads stride over the ``count`` reduced elements at
``base + offset(r, red_shape, red_strides)`` (r is the C-order index over the reduced
dims, so for one dim it is the index along that dim and for all dims the flat index),
keep a running result in registers, then combine the per-thread results in shared
memory by halving (a tree: log2(threads) steps). Each output's order of operations is
the same whichever block computes it. Why a variant, not always the loop: the loop's
state stays live across the body and costs these short kernels registers (on sm_90 up
to 8 more, and occupancy); the straight variant compiles to one output per block.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda, from_dtype

from . import _cuda
from ._cuda import offset

TREE = 256  # the most threads per block; shared arrays are this long
# Under the simulator (a Python thread per GPU thread, ~6 ms per barrier) blocks stay
# tiny, so that the tests' small shapes still stride and still run the tree.
_MOST = 4 if _cuda.SIMULATOR else TREE


def threads_for(count: int) -> int:
    """Block size for ``count`` reduced elements: a power of two (the tree halves it)."""
    return _cuda.threads_for(count, _MOST)


def split_dims(shape, dims) -> tuple:
    """(kept_shape, kept_strides, red_shape, red_strides) of a C-contiguous ``shape``
    reduced over ``dims``, each coalesced (at least one dim)."""
    strides = _cuda.strides_of(shape)
    kept = [d for d in range(len(shape)) if d not in dims]
    kshape, kstrides = _cuda.coalesce([shape[d] for d in kept], [strides[d] for d in kept])
    rshape, rstrides = _cuda.coalesce([shape[d] for d in dims], [strides[d] for d in dims])
    return kshape, kstrides, rshape, rstrides


def reduced_shape(shape, dims, keepdim: bool) -> tuple:
    if keepdim:
        return tuple(1 if d in dims else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in dims)


def _typed(divisor: int, dtype):
    """The mean's divisor in a float array's dtype: an int next to a float32 value
    makes Numba divide in float64 (and round twice); NumPy divides in float32."""
    dt = np.dtype(dtype)
    return dt.type(divisor) if dt.kind == "f" else int(divisor)


def reduced_count(shape, dims) -> int:
    """How many elements of ``shape`` each output of a reduction over ``dims`` combines."""
    c = 1
    for d in dims:
        c *= int(shape[d])
    return c


def _grid(n: int) -> tuple[int, bool]:
    """(blocks, looped) for ``n`` output elements: at most ``_cuda.MAX_BLOCKS`` blocks,
    and whether the kernels must loop over the outputs past them."""
    blocks = _cuda.capped_blocks(n)
    return blocks, blocks < n


@functools.lru_cache(maxsize=None)
def _sum_kernel(dtype, looped: bool):
    acc = np.dtype(dtype).type
    nbtype = from_dtype(np.dtype(dtype))

    @_cuda.kernel
    def kernel(out, x, kshape, kstrides, rshape, rstrides, count, divisor):
        tid = cuda.threadIdx.x
        part = cuda.shared.array(TREE, nbtype)
        o = cuda.blockIdx.x
        while o < out.size:
            base = offset(o, kshape, kstrides)
            s = acc(0)
            for r in range(tid, count, cuda.blockDim.x):
                s += x[base + offset(r, rshape, rstrides)]
            part[tid] = s
            cuda.syncthreads()
            step = cuda.blockDim.x // 2
            while step > 0:
                if tid < step:
                    part[tid] += part[tid + step]
                cuda.syncthreads()
                step //= 2
            if tid == 0:
                if divisor == 1:
                    out[o] = part[0]
                else:
                    out[o] = part[0] if divisor == 1 else part[0] / divisor
            # No barrier before the next output: only thread 0 reads the root, slot 0,
            # and only thread 0 writes it.
            if not looped:
                break
            o += cuda.gridDim.x
    return kernel


def sum_dims(x, dims, keepdim: bool, divisor: int = 1):
    """Sum (divided by ``divisor``: the mean) of ``x`` over ``dims`` (a tuple of axes).
    One block per output element, at most ``_cuda.MAX_BLOCKS`` blocks (then looped)."""
    out = _cuda.empty(reduced_shape(x.shape, dims, keepdim), x.dtype)
    n = out.size
    if n:
        kshape, kstrides, rshape, rstrides = split_dims(x.shape, dims)
        count = reduced_count(x.shape, dims)
        blocks, looped = _grid(n)
        _sum_kernel(np.dtype(x.dtype), looped)[blocks, threads_for(count)](
            _cuda.flat(out), _cuda.flat(x), kshape, kstrides, rshape, rstrides, count,
            _typed(divisor, x.dtype))
    return out


def sum_to(grad, shape):
    """Undo broadcasting on the device: sum ``grad`` over the dims broadcasting added or
    stretched, as ops/_arrays.py's sum_to (``grad`` itself when nothing was)."""
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    extra = len(grad.shape) - len(shape)
    dims = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    return sum_dims(grad, dims, keepdim=True).reshape(shape)


@functools.lru_cache(maxsize=None)
def _extremum_kernel(dtype, largest: bool, looped: bool):
    """Value and first index of the max (``largest``) or min over the reduced dims.
    NaN wins, as in NumPy (np.max propagates it, np.argmax points at the first one)."""
    nbtype = from_dtype(np.dtype(dtype))

    @cuda.jit(device=True)
    def better(v, i, w, j):
        # Is (w, j) preferred over (v, i)?
        if w != w:  # NaN
            return v == v or j < i
        if v != v:
            return False
        if w == v:
            return j < i
        return w > v if largest else w < v

    @_cuda.kernel
    def kernel(values, index, x, kshape, kstrides, rshape, rstrides, count):
        tid = cuda.threadIdx.x
        best = cuda.shared.array(TREE, nbtype)
        where = cuda.shared.array(TREE, np.int64)
        o = cuda.blockIdx.x
        while o < values.size:
            base = offset(o, kshape, kstrides)
            # A thread with no element holds element 0's value under an index past the
            # end, so it never beats a real element (count >= 1: empty reductions are
            # refused).
            v = x[base]
            i = count + tid
            for r in range(tid, count, cuda.blockDim.x):
                w = x[base + offset(r, rshape, rstrides)]
                if better(v, i, w, r):
                    v = w
                    i = r
            best[tid] = v
            where[tid] = i
            cuda.syncthreads()
            step = cuda.blockDim.x // 2
            while step > 0:
                if tid < step and better(best[tid], where[tid], best[tid + step],
                                         where[tid + step]):
                    best[tid] = best[tid + step]
                    where[tid] = where[tid + step]
                cuda.syncthreads()
                step //= 2
            if tid == 0:
                values[o] = best[0]
                index[o] = where[0]
            # No barrier before the next output: only thread 0 reads the root, slot 0,
            # and only thread 0 writes it.
            if not looped:
                break
            o += cuda.gridDim.x
    return kernel


def extremum(x, dims, keepdim: bool, largest: bool, out_shape=None):
    """(values, int64 indices) of the max/min of ``x`` over ``dims``; the index is r,
    the C-order position within the reduced dims (first one on ties). One block per
    output element, at most ``_cuda.MAX_BLOCKS`` blocks (then looped)."""
    shape = reduced_shape(x.shape, dims, keepdim) if out_shape is None else out_shape
    values = _cuda.empty(shape, x.dtype)
    index = _cuda.empty(shape, np.int64)
    n = values.size
    kshape, kstrides, rshape, rstrides = split_dims(x.shape, dims)
    count = reduced_count(x.shape, dims)
    blocks, looped = _grid(n)
    kernel = _extremum_kernel(np.dtype(x.dtype), bool(largest), looped)
    kernel[blocks, threads_for(count)](
        _cuda.flat(values), _cuda.flat(index), _cuda.flat(x),
        kshape, kstrides, rshape, rstrides, count)
    return values, index


@functools.lru_cache(maxsize=None)
def _share_kernel(dtype, looped: bool):
    """max/min backward without indices: the block counts the elements equal to its
    output value (a tree sum), then gives each of them grad / count, the rest 0."""
    as_dtype = from_dtype(np.dtype(dtype))  # grad / count in grad's dtype, not float64

    @_cuda.kernel
    def kernel(gx, grad, values, x, kshape, kstrides, rshape, rstrides, count):
        tid = cuda.threadIdx.x
        hits = cuda.shared.array(TREE, np.int64)
        o = cuda.blockIdx.x
        while o < values.size:
            base = offset(o, kshape, kstrides)
            v = values[o]
            h = 0
            for r in range(tid, count, cuda.blockDim.x):
                if x[base + offset(r, rshape, rstrides)] == v:
                    h += 1
            hits[tid] = h
            cuda.syncthreads()
            step = cuda.blockDim.x // 2
            while step > 0:
                if tid < step:
                    hits[tid] += hits[tid + step]
                cuda.syncthreads()
                step //= 2
            total = hits[0]
            if looped:  # every thread reads hits[0] before the next output refills hits
                cuda.syncthreads()
            g = grad[o]
            for r in range(tid, count, cuda.blockDim.x):
                j = base + offset(r, rshape, rstrides)
                if x[j] == v:
                    gx[j] = g / as_dtype(total)
                else:
                    gx[j] = 0
            if not looped:
                break
            o += cuda.gridDim.x
    return kernel


def share_grad(grad, values, x, dims):
    """max/min backward without indices: grad shared among each output's tied maxima.
    One block per output element, at most ``_cuda.MAX_BLOCKS`` blocks (then looped)."""
    gx = _cuda.empty(x.shape, grad.dtype)
    n = values.size
    kshape, kstrides, rshape, rstrides = split_dims(x.shape, dims)
    count = reduced_count(x.shape, dims)
    blocks, looped = _grid(n)
    _share_kernel(np.dtype(grad.dtype), looped)[blocks, threads_for(count)](
        _cuda.flat(gx), _cuda.flat(grad), _cuda.flat(values), _cuda.flat(x),
        kshape, kstrides, rshape, rstrides, count)
    return gx


@functools.lru_cache(maxsize=None)
def _pick_kernel(looped: bool):
    """max/min backward with indices: the chosen element gets the gradient, the rest 0
    (each block writes its whole slices, so no separate zero fill)."""
    @_cuda.kernel
    def kernel(gx, grad, index, kshape, kstrides, rshape, rstrides, count):
        o = cuda.blockIdx.x
        while o < index.size:
            base = offset(o, kshape, kstrides)
            k = index[o]
            g = grad[o]
            for r in range(cuda.threadIdx.x, count, cuda.blockDim.x):
                gx[base + offset(r, rshape, rstrides)] = g if r == k else 0
            if not looped:
                break
            o += cuda.gridDim.x
    return kernel


def pick_grad(grad, index, x_shape, dims):
    """max/min backward with indices: grad at each output's chosen element, 0 elsewhere
    (of an input of ``x_shape``: its values are not needed). One block per output
    element, at most ``_cuda.MAX_BLOCKS`` blocks (then looped)."""
    gx = _cuda.empty(x_shape, grad.dtype)
    n = index.size
    kshape, kstrides, rshape, rstrides = split_dims(x_shape, dims)
    count = reduced_count(x_shape, dims)
    blocks, looped = _grid(n)
    _pick_kernel(looped)[blocks, threads_for(count)](
        _cuda.flat(gx), _cuda.flat(grad), _cuda.flat(index), kshape, kstrides, rshape,
        rstrides, count)
    return gx


@_cuda.kernel
def _expand_kernel(gx, grad, shape, strides, divisor, n):
    i = cuda.grid(1)
    if i < n:
        g = grad[offset(i, shape, strides)]
        gx[i] = g if divisor == 1 else g / divisor


def expand_grad(grad, x_shape, dims, divisor: int = 1):
    """sum/mean backward: ``grad`` (reduced over ``dims``) broadcast back to ``x_shape``,
    divided by ``divisor``. One thread per input element."""
    gx = _cuda.empty(x_shape, grad.dtype)
    n = gx.size
    if n:
        kept = _cuda.strides_of(reduced_shape(x_shape, dims, True))
        strides = tuple(0 if d in dims else s for d, s in enumerate(kept))
        shape, strides = _cuda.coalesce(x_shape, strides)
        _expand_kernel[_cuda.launch(n)](
            _cuda.flat(gx), _cuda.flat(grad), shape, strides, _typed(divisor, grad.dtype), n)
    return gx
