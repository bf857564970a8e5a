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
- Declare kernels with ``@_cuda.kernel`` (device functions keep ``@cuda.jit(device=True)``):
  the cached launch path below, which a training step's host time depends on.
- Shapes of shared arrays are compile-time constants (module or closure values, never
  an expression in the kernel: real CUDA refuses what the simulator allocates), and
  float32 kernels take their constants typed (``np.float32(1)``, not ``1``).

What is here: the kernel decorator (``kernel``: ``cuda.jit`` with a cached launch
path), allocation and copies (``empty``, ``full``, ``zeros``, ``copy``, ``duplicate``,
``copy_into``), launch sizes (``THREADS``, ``blocks``, ``threads_for``, ``launch``;
``MAX_BLOCKS`` and ``capped_blocks`` for kernels that loop over rows past the cap),
host-side stride arithmetic (``strides_of``, ``broadcast_strides``, ``coalesce``), the
device function ``offset`` (flat index -> strided element offset) and the strided
``gather``/``scatter`` copies.
"""
from __future__ import annotations

import ctypes
import functools
import math
from collections import OrderedDict

import numpy as np
from numba import config, cuda

THREADS = 256  # threads per block for 1-D launches
# Numba reads NUMBA_ENABLE_CUDASIM once, when it is first imported.
SIMULATOR = bool(config.ENABLE_CUDASIM)


# --- launching: cuda.jit with a cached specialisation -------------------------------

# Launches remembered per kernel (distinct argument shapes and types): a training loop
# repeats a few dozen; Hypothesis-driven tests draw many more, so the oldest go.
LAUNCH_CACHE = 256
# True: every cached launch also builds its parameters numba-cuda's way and raises if
# they differ (the compile gate and the tests turn it on; it costs the time saved).
VERIFY_LAUNCHES = False


class LaunchMismatch(RuntimeError):
    """The cached launch path built other parameters than numba-cuda would have."""


class _Packer:
    """Turns one argument into the driver's launch parameters the way numba-cuda's
    ``_Kernel._prepare_args`` does, for the types minigrad passes (C-contiguous device
    arrays, ints, floats, bools and tuples of them); None for any other type."""

    @staticmethod
    def make(ty):
        from numba.core import types
        if isinstance(ty, types.Array):
            return _pack_array
        if isinstance(ty, types.Boolean):
            return _pack_plain
        if isinstance(ty, types.Integer):
            return functools.partial(_pack_ctype, getattr(ctypes, f"c_{ty}"))
        if ty == types.float64:
            return functools.partial(_pack_ctype, ctypes.c_double)
        if ty == types.float32:
            return functools.partial(_pack_ctype, ctypes.c_float)
        if isinstance(ty, types.BaseTuple):
            parts = [_Packer.make(t) for t in ty]
            if any(p is None for p in parts):
                return None
            return functools.partial(_pack_tuple, tuple(parts))
        return None


def _pack_array(a, out):
    out += (0, 0, a.size, a.dtype.itemsize, a.device_ctypes_pointer.value or 0)
    out += a.shape
    out += a.strides


def _pack_plain(v, out):
    out.append(v)


def _pack_ctype(ctype, v, out):
    out.append(ctype(v))


def _pack_tuple(parts, values, out):
    for p, v in zip(parts, values):
        p(v, out)


def _arg_key(a):
    # What decides the Numba type of an argument (and so the specialisation): for a
    # device array its dtype, shape and strides (the layout follows from them), for a
    # number its Python or NumPy type; tuples element by element.
    t = type(a)
    if t is tuple:
        return tuple(_arg_key(v) for v in a)
    if t is int:
        return int if -2**63 <= a < 2**63 else None  # Numba types a larger int as uint64
    if t is float or t is bool:
        return t
    if isinstance(a, np.generic):
        return t
    shape = getattr(a, "shape", None)
    if shape is not None and hasattr(a, "gpu_data"):
        return (a.dtype, shape, a.strides)
    return None


def _dims(d) -> tuple:
    d = tuple(d) if isinstance(d, (tuple, list)) else (d,)
    return d + (1,) * (3 - len(d))


class Kernel:
    """A ``cuda.jit`` kernel whose launches skip numba-cuda's per-call typing and
    argument marshalling once a combination of argument types and shapes has been seen.

    ``kernel[grid, block](*args)`` works as for the dispatcher. The first launch of a
    combination goes through Numba (which types, compiles if needed, and launches);
    then the specialisation (Numba's ``_Kernel``) and one packing function per argument
    are kept, keyed by the arguments' dtypes, shapes and strides, and later launches
    build the driver's parameters directly and call the same launch function Numba
    does. Those two steps are most of a launch's host time (about 20 of 25 us here),
    and a training step launches a few dozen kernels. Anything unusual (another
    argument type, a cooperative or debug kernel, a stream) takes Numba's path.
    """

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self._cache: "OrderedDict[tuple, tuple]" = OrderedDict()
        functools.update_wrapper(self, dispatcher.py_func)

    def __getitem__(self, config):
        if len(config) == 2:
            return _Launch(self, config[0], config[1], 0)
        if len(config) == 4 and not config[2]:
            return _Launch(self, config[0], config[1], int(config[3]))
        return self.dispatcher[config]  # a stream: Numba's own path

    def __getattr__(self, name):  # overloads, py_func, inspect_asm, ...
        return getattr(self.dispatcher, name)

    def _launch(self, grid, block, shmem, args):
        try:
            key = (grid, block, shmem, tuple(_arg_key(a) for a in args))
            hash(key)
        except TypeError:
            key = None
        entry = self._cache.get(key) if key is not None else None
        if entry is None:
            self.dispatcher[grid, block, 0, shmem](*args)
            if key is not None:
                self._remember(key, args)
            return
        kernel, packers, config = entry
        from numba.cuda import dispatcher as nb_dispatcher
        from numba.cuda.cudadrv import driver
        params: list = []
        for pack, a in zip(packers, args):
            pack(a, params)
        if VERIFY_LAUNCHES:
            _verify(kernel, args, params)
        cufunc = kernel._codelibrary.get_cufunc()
        nb_dispatcher.launch(driver._to_core_stream(0), config, cufunc.kernel, *params)

    def _remember(self, key, args):
        from numba.cuda import dispatcher as nb_dispatcher
        d = self.dispatcher
        argtypes = tuple(d.typeof_pyval(a) for a in args)
        kernel = d.overloads.get(argtypes)
        if (kernel is None or kernel.cooperative or kernel.debug
                or d.targetoptions.get("extensions")
                or getattr(kernel, "launch_config_sensitive", False)):
            return
        packers = tuple(_Packer.make(t) for t in kernel.argument_types)
        if any(p is None for p in packers):
            return
        grid, block, shmem, _ = key
        config = nb_dispatcher.LaunchConfig(grid=_dims(grid), block=_dims(block),
                                            shmem_size=shmem)
        self._cache[key] = (kernel, packers, config)
        while len(self._cache) > LAUNCH_CACHE:
            self._cache.popitem(last=False)


def _verify(kernel, args, params) -> None:
    expected: list = []
    for ty, a in zip(kernel.argument_types, args):
        kernel._prepare_args(ty, a, 0, [], expected)

    def plain(v):  # a C value by its bytes: NaN equals NaN, -0.0 differs from 0.0
        return (type(v).__name__, bytes(v)) if isinstance(v, ctypes._SimpleCData) else v

    got, want = [plain(v) for v in params], [plain(v) for v in expected]
    if got != want:
        raise LaunchMismatch(f"{kernel.py_func.__qualname__}: cached launch parameters "
                             f"{got} differ from numba-cuda's {want}")


class _Launch:
    __slots__ = ("kernel", "grid", "block", "shmem")

    def __init__(self, kernel, grid, block, shmem):
        self.kernel, self.grid, self.block, self.shmem = kernel, grid, block, shmem

    def __call__(self, *args):
        self.kernel._launch(self.grid, self.block, self.shmem, args)


def kernel(fn=None, **options):
    """``@kernel`` (or ``@kernel(...)``) instead of ``@cuda.jit`` for a kernel (not a
    device function): the same kernel with the cached launch path of :class:`Kernel`.
    Under the simulator it is ``cuda.jit`` itself."""
    def wrap(f):
        d = cuda.jit(**options)(f) if options else cuda.jit(f)
        return d if SIMULATOR else Kernel(d)
    return wrap(fn) if fn is not None else wrap


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


@kernel
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

@kernel
def _gather(out, x, shape, strides, base, n):
    i = cuda.grid(1)
    if i < n:
        out[i] = x[base + offset(i, shape, strides)]


@kernel
def _scatter(out, x, shape, strides, base, n):
    i = cuda.grid(1)
    if i < n:
        out[base + offset(i, shape, strides)] = x[i]


@kernel
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


def duplicate(a):
    """A new array with ``a``'s values and dtype (see :func:`copy_into`)."""
    out = empty(a.shape, a.dtype)
    copy_into(out, a)
    return out


def copy_into(out, a) -> None:
    """Write ``a``'s values into ``out`` (one shape and dtype, both C-contiguous): one
    device-to-device copy by the driver (no kernel launch), without the checks
    numba-cuda's ``copy_to_device`` makes on every call (~50 us of host time)."""
    nbytes = a.size * a.dtype.itemsize
    if nbytes:
        if SIMULATOR:
            out.copy_to_device(a)
        else:
            from numba.cuda.cudadrv import driver
            driver.device_to_device(out, a, nbytes)
