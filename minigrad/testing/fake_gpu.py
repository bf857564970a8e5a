"""A GPU that is not there: numba-cuda's real launch path over fake device memory.

The simulator (``NUMBA_ENABLE_CUDASIM=1``) runs kernels as Python, so it cannot say
whether a kernel compiles for a GPU, nor what a training step costs the host. This
module answers both without a GPU. Inside :func:`fake_gpu` the real ``numba.cuda``
target is used as on a GPU: every launch is typed by the real dispatcher, compiled by
NVVM for the fake device's compute capability (9.0 unless asked otherwise), its
arguments marshalled as for the driver, and its grid checked against CUDA's limits;
device arrays are allocated through Numba's memory manager (or the EMM plugin
installed); copies really move bytes. Only the driver is replaced, one level below
Numba: memory is host memory, ``cuLaunchKernel`` records the launch and runs nothing,
so the values a kernel would write are never computed.

What it counts (:class:`Counts`), per block of code measured with
:meth:`Recorder.measure`: kernel launches (by kernel), allocations asked of the memory
manager and those that reached the driver (``cuMemAlloc``), frees reaching the driver
(``cuMemFree``, which waits for the device), copies each way, blocking synchronisations,
and the host time. What it keeps for the compile gate (:attr:`Recorder.kernels`): each
kernel specialisation launched, its code library (PTX for any compute capability) and
the launch shapes seen.

Use it in a process that has not used a real GPU and where ``NUMBA_ENABLE_CUDASIM`` is
not set (the simulator replaces ``numba.cuda`` wholesale)::

    from minigrad.testing.fake_gpu import fake_gpu
    with fake_gpu() as gpu:
        with gpu.measure() as counts:
            step()
        print(counts.launches, counts.driver_allocs, counts.device_to_host)

It patches numba-cuda internals (``numba.cuda.cudadrv``, ``dispatcher``, ``codegen``)
and is tested against the numba-cuda version the project pins.
"""
from __future__ import annotations

import collections
import contextlib
import ctypes
import dataclasses
import threading
import time
import warnings
from typing import Iterator

import numpy as np

# CUDA's launch limits (every GPU since compute capability 3.0).
MAX_GRID = (2**31 - 1, 65535, 65535)
MAX_BLOCK = (1024, 1024, 64)
MAX_THREADS_PER_BLOCK = 1024
SHARED_PER_BLOCK = 48 * 1024  # without the opt-in attribute


class FakeLaunchError(RuntimeError):
    """A launch a real driver would refuse (CUDA_ERROR_INVALID_VALUE)."""


@dataclasses.dataclass
class Counts:
    """What a block of code asked of the GPU."""
    launches: int = 0
    kernels: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    allocs: int = 0  # device arrays allocated through the memory manager
    alloc_bytes: int = 0
    driver_allocs: int = 0  # cuMemAlloc calls (a pooling allocator avoids them)
    driver_alloc_bytes: int = 0
    driver_frees: int = 0  # cuMemFree calls: each waits for the GPU to be idle
    host_to_device: int = 0
    device_to_host: int = 0  # synchronous: each waits for the GPU
    device_to_device: int = 0
    syncs: int = 0  # cuCtxSynchronize / cuStreamSynchronize
    host_s: float = 0.0

    @property
    def blocking(self) -> int:
        """Calls that wait for the GPU: device-to-host copies, syncs, driver frees."""
        return self.device_to_host + self.syncs + self.driver_frees

    def __sub__(self, other: "Counts") -> "Counts":
        out = Counts()
        for f in dataclasses.fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            setattr(out, f.name, a - b)
        out.kernels = +out.kernels  # drop zero and negative entries
        return out

    def copy(self) -> "Counts":
        out = dataclasses.replace(self)
        out.kernels = collections.Counter(self.kernels)
        return out


@dataclasses.dataclass
class KernelRecord:
    """One kernel specialisation that was launched: its Python name, argument types,
    code library (``library.get_asm_str(cc=...)`` gives its PTX) and the launch shapes
    (threads per block, dynamic shared bytes) it was launched with."""
    name: str
    argtypes: tuple
    library: object
    launch_shapes: set = dataclasses.field(default_factory=set)
    launches: int = 0
    tags: set = dataclasses.field(default_factory=set)  # labels of the calls that launched it

    @property
    def signature(self) -> str:
        return ", ".join(str(t) for t in self.argtypes)


class FakeDevice:
    """The device numba-cuda asks about: compute capability and the few attributes it
    reads (an H100/H200-like sm_90 by default)."""

    def __init__(self, cc: tuple[int, int]):
        self.id = 0
        self.compute_capability = tuple(cc)
        self.name = f"fake sm_{cc[0]}{cc[1]} (no GPU: minigrad.testing.fake_gpu)"
        self.uuid = "GPU-00000000-0000-0000-0000-000000000000"
        self.primary_context = None
        self.MAX_THREADS_PER_BLOCK = MAX_THREADS_PER_BLOCK
        self.MAX_BLOCK_DIM_X, self.MAX_BLOCK_DIM_Y, self.MAX_BLOCK_DIM_Z = MAX_BLOCK
        self.MAX_GRID_DIM_X, self.MAX_GRID_DIM_Y, self.MAX_GRID_DIM_Z = MAX_GRID
        self.MAX_SHARED_MEMORY_PER_BLOCK = SHARED_PER_BLOCK
        self.MULTIPROCESSOR_COUNT = 132
        self.WARP_SIZE = 32
        self.CAN_MAP_HOST_MEMORY = 1
        self.COMPUTE_CAPABILITY_MAJOR, self.COMPUTE_CAPABILITY_MINOR = cc
        self.supports_float16 = True
        self.supports_bfloat16 = cc >= (8, 0)
        self.supports_fp8 = cc >= (8, 9)

    def get_device_identity(self):
        return {"pci_domain_id": 0, "pci_bus_id": 0, "pci_device_id": 0}

    def __repr__(self):
        return f"<fake CUDA device 0 sm_{self.compute_capability[0]}{self.compute_capability[1]}>"


class _FakeModule:
    initialized = True

    def setup(self):
        pass


class _FakeKernelHandle:
    """What ``cuda.core.launch`` would receive: it remembers its code library."""
    __slots__ = ("library", "name")

    def __init__(self, library, name):
        self.library = library
        self.name = name


class _FakeFunction:
    """Stands for a loaded ``CUfunction``: attributes are not known without a driver
    (the compile gate reads them from ptxas instead)."""

    def __init__(self, library, name):
        from numba.cuda.cudadrv.driver import FuncAttr
        self.module = _FakeModule()
        self.kernel = _FakeKernelHandle(library, name)
        self.handle = self.kernel
        self.name = name
        self.attrs = FuncAttr(regs=0, shared=0, local=0, const=0,
                              maxthreads=MAX_THREADS_PER_BLOCK)

    def set_shared_memory_carveout(self, carveout):
        pass

    def cache_config(self, *args, **kwargs):
        pass


class Recorder:
    """The fake driver's state: memory, counts and launched kernels."""

    def __init__(self, cc):
        self.device = FakeDevice(cc)
        self.total = Counts()
        self.kernels: dict[int, KernelRecord] = {}  # id(code library) -> record
        self.memory: dict[int, np.ndarray] = {}  # address -> backing buffer
        self.mem_total = 80 * 2**30
        self._current_kernel = threading.local()
        self._tag: str | None = None
        # (kernel name, grid, block) of every launch, in order
        self.launch_log: list[tuple[str, tuple, tuple]] = []

    @contextlib.contextmanager
    def tag(self, name: str):
        """Label the kernels launched in the block (``KernelRecord.tags``)."""
        old, self._tag = self._tag, name
        try:
            yield
        finally:
            self._tag = old

    # --- measuring -------------------------------------------------------------

    @contextlib.contextmanager
    def measure(self) -> Iterator[Counts]:
        """Counts of what the block did (filled in when it ends), host time included."""
        out = Counts()
        before = self.total.copy()
        t0 = time.perf_counter()
        try:
            yield out
        finally:
            elapsed = time.perf_counter() - t0
            diff = self.total - before
            for f in dataclasses.fields(diff):
                setattr(out, f.name, getattr(diff, f.name))
            out.host_s = elapsed

    # --- the driver calls numba-cuda makes ---------------------------------------

    def mem_alloc(self, size):
        from numba.cuda.cudadrv.driver import binding
        size = int(size)
        buf = np.empty(max(size, 1), np.uint8)  # uninitialised, like cudaMalloc
        addr = buf.ctypes.data
        self.memory[addr] = buf
        self.total.driver_allocs += 1
        self.total.driver_alloc_bytes += size
        return binding.CUdeviceptr(addr)

    def mem_free(self, ptr):
        self.memory.pop(int(ptr), None)
        self.total.driver_frees += 1

    def mem_info(self):
        used = sum(b.nbytes for b in self.memory.values())
        return self.mem_total - used, self.mem_total

    def memcpy(self, kind):
        def copy(dst, src, size, *stream):
            ctypes.memmove(int(dst), int(src), int(size))
            if kind == "htod":
                self.total.host_to_device += 1
            elif kind == "dtoh":
                self.total.device_to_host += 1
            else:
                self.total.device_to_device += 1
        return copy

    def memset(self, dst, value, size, *stream):
        ctypes.memset(int(dst), int(value), int(size))

    def synchronize(self, *args):
        self.total.syncs += 1

    def get_cufunc(self, library):
        cached = library._cufunc_cache.get(0)
        if cached is None:
            cached = library._cufunc_cache[0] = _FakeFunction(library, library._entry_name)
        return cached

    def launch(self, stream, config, kernel, *args):
        grid, block = tuple(config.grid), tuple(config.block)
        for n, most, axis in zip(grid, MAX_GRID, "xyz"):
            if not 1 <= n <= most:
                raise FakeLaunchError(f"CUDA_ERROR_INVALID_VALUE: grid {grid}: gridDim.{axis} "
                                      f"must be in [1, {most}]")
        for n, most, axis in zip(block, MAX_BLOCK, "xyz"):
            if not 1 <= n <= most:
                raise FakeLaunchError(f"CUDA_ERROR_INVALID_VALUE: block {block}: "
                                      f"blockDim.{axis} must be in [1, {most}]")
        threads = block[0] * block[1] * block[2]
        if threads > MAX_THREADS_PER_BLOCK:
            raise FakeLaunchError(f"CUDA_ERROR_INVALID_VALUE: block {block} has {threads} "
                                  f"threads (at most {MAX_THREADS_PER_BLOCK})")
        if config.shmem_size > SHARED_PER_BLOCK:
            raise FakeLaunchError(f"CUDA_ERROR_INVALID_VALUE: {config.shmem_size} bytes of "
                                  f"dynamic shared memory (at most {SHARED_PER_BLOCK})")
        k = getattr(self._current_kernel, "value", None)
        rec = self.kernels.get(id(kernel.library))
        if rec is None:
            name = getattr(getattr(k, "py_func", None), "__qualname__", kernel.name)
            module = getattr(getattr(k, "py_func", None), "__module__", "")
            rec = self.kernels[id(kernel.library)] = KernelRecord(
                name=f"{module}.{name}" if module else name,
                argtypes=tuple(getattr(k, "argument_types", ())), library=kernel.library)
        rec.launch_shapes.add((threads, int(config.shmem_size)))
        rec.launches += 1
        self.launch_log.append((rec.name, grid, block))
        if self._tag is not None:
            rec.tags.add(self._tag)
        self.total.launches += 1
        self.total.kernels[rec.name] += 1


class _Patches:
    """Attribute patches, undone in reverse order."""

    def __init__(self):
        self._undo = []

    def set(self, obj, name, value):
        missing = object()
        old = obj.__dict__.get(name, missing) if hasattr(obj, "__dict__") else getattr(obj, name)
        self._undo.append((obj, name, old, missing))
        setattr(obj, name, value)

    def undo(self):
        for obj, name, old, missing in reversed(self._undo):
            if old is missing:
                delattr(obj, name)
            else:
                setattr(obj, name, old)
        self._undo.clear()


_active: Recorder | None = None


def active() -> Recorder | None:
    """The fake GPU in use, or None."""
    return _active


@contextlib.contextmanager
def fake_gpu(cc: tuple[int, int] = (9, 0)) -> Iterator[Recorder]:
    """Within the block, ``numba.cuda`` (and so minigrad's ``"cuda"`` device) runs on a
    fake device of compute capability ``cc``. Kernels compile for real and launch into
    nothing; see the module docstring."""
    global _active
    from numba import config
    if config.ENABLE_CUDASIM:
        raise RuntimeError("fake_gpu needs the real numba.cuda target: unset NUMBA_ENABLE_CUDASIM")
    if _active is not None:
        raise RuntimeError("fake_gpu is already active")
    import numba.cuda
    from numba.cuda.core.errors import NumbaPerformanceWarning
    from numba.cuda import codegen, dispatcher
    from numba.cuda.cudadrv import devices, driver

    rec = Recorder(cc)
    drv = driver.driver
    if getattr(driver, "_logger", None) is None:  # made by the driver init we skip
        driver._logger = driver.make_logger()
    patches = _Patches()
    warnings_ = warnings.catch_warnings()
    warnings_.__enter__()
    # Small launches are the point of several tests; the warning is about speed.
    warnings.simplefilter("ignore", NumbaPerformanceWarning)
    try:
        patches.set(numba.cuda, "is_available", lambda: True)
        patches.set(devices._runtime, "ensure_context", _no_context)
        patches.set(driver, "_to_core_stream", lambda stream: stream)
        patches.set(drv, "cuMemAlloc", rec.mem_alloc)
        patches.set(drv, "cuMemFree", rec.mem_free)
        patches.set(drv, "cuMemGetInfo", rec.mem_info)
        for name, kind in (("cuMemcpyHtoD", "htod"), ("cuMemcpyDtoH", "dtoh"),
                           ("cuMemcpyDtoD", "dtod")):
            patches.set(drv, name, rec.memcpy(kind))
            patches.set(drv, name + "Async", rec.memcpy(kind))
        patches.set(drv, "cuMemsetD8", rec.memset)
        patches.set(drv, "cuMemsetD8Async", rec.memset)
        patches.set(drv, "cuCtxSynchronize", rec.synchronize)
        patches.set(drv, "cuStreamSynchronize", rec.synchronize)
        patches.set(codegen.CUDACodeLibrary, "get_cufunc", lambda lib: rec.get_cufunc(lib))
        patches.set(dispatcher, "launch", rec.launch)
        original_launch = dispatcher._Kernel.launch

        def kernel_launch(self, *args, **kwargs):
            rec._current_kernel.value = self
            try:
                return original_launch(self, *args, **kwargs)
            finally:
                rec._current_kernel.value = None

        patches.set(dispatcher._Kernel, "launch", kernel_launch)
        made = []

        def get_or_create_context(devnum=None):
            # Made on first use, as a real context is: the memory manager (minigrad's
            # pool, RMM...) is chosen by then.
            if not made:
                made.append(_make_context(driver, rec))
            return made[0]

        patches.set(devices._runtime, "get_or_create_context", get_or_create_context)
        _active = rec
        yield rec
    finally:
        _active = None
        patches.undo()
        warnings_.__exit__(None, None, None)
        # Device arrays made here may be freed later (garbage collection, Numba's
        # batched frees): their fake addresses must never reach a real driver.
        _fake_memory.append(rec.memory)
        drv.cuMemFree = _late_free
        # Kernels compiled here hold fake functions: forget them, so that a later real
        # GPU (or another fake) compiles and loads its own.
        _forget_fake_functions(rec)


_fake_memory: list[dict] = []


def _late_free(ptr):
    for memory in _fake_memory:
        if memory.pop(int(ptr), None) is not None:
            return
    from numba.cuda.cudadrv import driver
    return driver.driver._cuda_python_wrap_fn("cuMemFree")(ptr)


def _forget_fake_functions(rec: Recorder) -> None:
    for record in rec.kernels.values():
        record.library._cufunc_cache.pop(0, None)


@contextlib.contextmanager
def _no_context():
    yield


def _make_context(driver, rec: Recorder):
    """A real numba-cuda Context (so the memory manager, EMM plugins and pending frees
    behave as on a GPU) on the fake device; its handle is a null context."""

    class FakeContext(driver.Context):
        def synchronize(self):
            rec.synchronize()

        def memalloc(self, bytesize):
            rec.total.allocs += 1
            rec.total.alloc_bytes += int(bytesize)
            return super().memalloc(bytesize)

        def create_module_image(self, image, setup_callbacks=None, teardown_callbacks=None):
            raise RuntimeError("fake_gpu: no module can be loaded without a GPU")

        def __repr__(self):
            return "<fake CUDA context>"

    ctx = FakeContext(rec.device, driver.binding.CUcontext(0))
    rec.device.primary_context = ctx
    ctx.prepare_for_use()
    return ctx
