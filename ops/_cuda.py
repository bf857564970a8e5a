"""Helpers shared by the CUDA kernels (ops/<op>/cuda/*.py): allocation, launch sizes,
and the few device functions several ops need.

Conventions every CUDA kernel file follows:

- Inputs arrive as C-contiguous Numba device arrays (``numba.cuda`` DeviceNDArray, or the
  simulator's FakeCUDAArray under ``NUMBA_ENABLE_CUDASIM=1``); outputs are new
  C-contiguous device arrays. Nothing is copied to the host: a host round-trip inside a
  training step is a bug (tests count device-to-host copies).
- Never pass a NumPy array to a kernel: Numba would copy it to the device and back on
  every launch. Pass shapes and attributes as Python ints/floats or tuples of them.
- The simulator keys ``cuda.shared.array`` by source line: one declaration per line.

What is here: allocation (``empty``, ``full``, ``zeros``, ``copy``), launch sizes
(``THREADS``, ``blocks``, ``threads_for``, ``launch``; ``MAX_BLOCKS`` and
``capped_blocks`` for kernels that loop over rows past the cap), host-side stride
arithmetic (``strides_of``, ``broadcast_strides``, ``coalesce``), the device function
``offset`` (flat index -> strided element offset) and the strided ``gather``/``scatter``
copies.
"""
from __future__ import annotations

import math

import numpy as np
from numba import config, cuda

THREADS = 256  # threads per block for 1-D launches
# Numba reads NUMBA_ENABLE_CUDASIM once, when it is first imported.
SIMULATOR = bool(config.ENABLE_CUDASIM)


def empty(shape, dtype) -> "cuda.devicearray.DeviceNDArray":
    """An uninitialised C-contiguous device array."""
    return cuda.device_array(tuple(int(s) for s in shape), dtype=np.dtype(dtype))


def blocks(n: int, threads: int = THREADS) -> int:
    """Blocks of ``threads`` needed to cover ``n`` elements (at least 1)."""
    return max(1, math.ceil(n / threads))


# The one-block-per-row kernels (tree reductions, softmax-family rows) loop past this
# many blocks: a GPU holds far fewer at once, so more buys nothing, and a grid this size
# fits every grid dimension. Read at launch time, so tests can lower it to run the loops.
MAX_BLOCKS = 65535


def capped_blocks(n: int) -> int:
    """Blocks to launch for ``n`` blocks' worth of work, at most MAX_BLOCKS (at least 1);
    fewer than ``n`` means the kernel must loop, b = blockIdx.x, + gridDim.x, ... < n."""
    return max(1, min(n, MAX_BLOCKS))


# The simulator runs one Python thread per GPU thread and a barrier switches through all
# of them, so there a block is only as large as its work; on a GPU at least a warp.
_MIN_BLOCK = 1 if SIMULATOR else 32


def threads_for(n: int, most: int = THREADS) -> int:
    """A power of two in [32, most] (down to 1 under the simulator) covering ``n``
    if it can: the block size for ``n`` items of work."""
    t = _MIN_BLOCK
    while t < n and t < most:
        t *= 2
    return t


def launch(n: int) -> tuple:
    """(blocks, threads) of a 1-D launch, one thread per element, for ``n`` elements:
    ``kernel[launch(n)](...)``. Small arrays get one small block."""
    t = threads_for(n)
    return blocks(n, t), t


@cuda.jit
def _fill(out, value):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = value


def full(shape, value, dtype):
    """A device array of ``shape`` filled with ``value`` (a fill kernel: no host copy)."""
    out = empty(shape, dtype)
    n = out.size
    if n:
        _fill[launch(n)](out.reshape(n), np.dtype(dtype).type(value))
    return out


def zeros(shape, dtype):
    return full(shape, 0, dtype)


def flat(a):
    """A 1-D view of a C-contiguous device array (0-d arrays give a 1-element view).

    A 1-D array is its own view. Numba's ``reshape`` builds a new array even for the
    same shape, through a strides model of the array: ~15 us of host time per call on
    a path every launch takes, where constructing the view directly costs a third."""
    if a.ndim == 1:
        return a
    if SIMULATOR:
        return a.reshape(a.size)
    return type(a)(shape=(a.size,), strides=(a.dtype.itemsize,), dtype=a.dtype,
                   gpu_data=a.gpu_data)


# --- shapes and strides (host side: plain Python ints, passed to kernels as tuples) ---

def strides_of(shape) -> tuple:
    """Element strides of a C-contiguous array of ``shape`` (not bytes)."""
    strides, step = [], 1
    for n in reversed(tuple(shape)):
        strides.append(step)
        step *= int(n)
    return tuple(reversed(strides))


def broadcast_strides(shape, out_shape) -> tuple:
    """Element strides that read a C-contiguous array of ``shape`` as if broadcast to
    ``out_shape``: 0 for a dim that broadcasting adds or stretches."""
    shape, out_shape = tuple(shape), tuple(out_shape)
    lead = len(out_shape) - len(shape)
    own = strides_of(shape)
    return tuple(0 if d < lead or shape[d - lead] != out_shape[d] else own[d - lead]
                 for d in range(len(out_shape)))


def coalesce(shape, *strides_list) -> tuple:
    """Fewer dims, same walk: drop size-1 dims and merge neighbours that every operand
    steps through contiguously, so kernels do fewer divisions per element. Returns
    ``(shape, strides_a, strides_b, ...)``, always with at least one dim (a kernel
    cannot loop over an empty tuple on every Numba version)."""
    dims = [d for d, n in enumerate(shape) if n != 1]
    new_shape = [int(shape[d]) for d in dims]
    new_strides = [[int(s[d]) for d in dims] for s in strides_list]
    i = len(new_shape) - 1
    while i > 0:  # merge dim i into dim i - 1 when all strides allow it
        if all(s[i - 1] == s[i] * new_shape[i] for s in new_strides):
            new_shape[i - 1] *= new_shape[i]
            del new_shape[i]
            for s in new_strides:
                s[i - 1] = s[i]
                del s[i]
        i -= 1
    if not new_shape:
        new_shape = [1]
        new_strides = [[0] for _ in strides_list]
    return (tuple(new_shape),) + tuple(tuple(s) for s in new_strides)


# --- device functions -------------------------------------------------------------

@cuda.jit(device=True)
def offset(i, shape, strides):
    """Element offset of the ``i``-th element (C order over ``shape``) of a strided view."""
    off = 0
    for d in range(len(shape) - 1, -1, -1):
        n = shape[d]
        off += (i % n) * strides[d]
        i //= n
    return off


# --- kernels ------------------------------------------------------------------------

@cuda.jit
def _gather(out, x, shape, strides, base, n):
    i = cuda.grid(1)
    if i < n:
        out[i] = x[base + offset(i, shape, strides)]


@cuda.jit
def _scatter(out, x, shape, strides, base, n):
    i = cuda.grid(1)
    if i < n:
        out[base + offset(i, shape, strides)] = x[i]


@cuda.jit
def _copy(out, x, n):
    i = cuda.grid(1)
    if i < n:
        out[i] = x[i]


def gather(x, shape, strides, base: int = 0, dtype=None):
    """A new C-contiguous array of ``shape`` whose element at multi-index ``idx`` is
    ``flat(x)[base + sum(idx[d] * strides[d])]`` (element strides; 0 repeats a dim).
    One thread per output element: permute, expand, slicing and cat's backward."""
    out = empty(shape, x.dtype if dtype is None else dtype)
    n = out.size
    if n:
        cshape, cstrides = coalesce(shape, strides)
        _gather[launch(n)](flat(out), flat(x), cshape, cstrides, int(base), n)
    return out


def scatter(out, x, strides, base: int = 0) -> None:
    """The inverse of :func:`gather`: write C-contiguous ``x`` into ``out`` at
    ``base + sum(idx[d] * strides[d])``. The positions must not repeat (no atomics)."""
    n = x.size
    if n:
        cshape, cstrides = coalesce(x.shape, strides)
        _scatter[launch(n)](flat(out), flat(x), cshape, cstrides, int(base), n)


def copy(a, dtype=None):
    """A new C-contiguous copy of ``a`` (converted to ``dtype`` if given)."""
    out = empty(a.shape, a.dtype if dtype is None else dtype)
    n = out.size
    if n:
        _copy[launch(n)](flat(out), flat(a), n)
    return out


contiguous = copy  # inputs are C-contiguous already: making one means a fresh copy
