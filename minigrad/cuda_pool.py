"""Device memory for the ``cuda`` device: a caching pool in front of the driver.

A training step allocates the same few dozen arrays every step (activations, gradients,
workspaces: about 35 MB at LeNet-5's batch 256). Numba's own allocator calls
``cuMemAlloc`` for each and ``cuMemFree`` in batches, and ``cuMemFree`` waits for the
GPU to go idle: host and GPU stop overlapping. A pool keeps freed blocks and hands them
out again, so in steady state a step asks the driver for nothing.

Which allocator (chosen once, before the first CUDA context is made, through Numba's
External Memory Management interface, ``numba.cuda.set_memory_manager``):

- ``MINIGRAD_CUDA_ALLOCATOR=rmm``, or by default when RAPIDS' ``rmm`` is installed
  (``pip install minigrad[rmm]``): RMM's Numba plugin, the well-kept pooling
  allocator;
- ``pool`` (the default otherwise, and always on :mod:`minigrad.testing.fake_gpu`):
  :class:`PoolMemoryManager` below. It exists because RMM allocates through the CUDA
  runtime (librmm's ``cudaMalloc``), which needs a driver and a device: CI and the fake
  GPU have neither, and this project must build, run and be measured without one (RMM
  imports without a GPU; its first allocation fails). It is also what keeps the
  default install free of RMM's ~30 MB of binaries;
- ``numba``: Numba's allocator, unchanged.

A ``NUMBA_CUDA_MEMORY_MANAGER`` set by the user wins over all of these.
"""
from __future__ import annotations

import os
import sys
import threading
import weakref
from collections import defaultdict

SMALL = 1 << 20  # up to 1 MiB, blocks are powers of two (at least MIN_BLOCK) ...
MIN_BLOCK = 512
LARGE_STEP = 2 << 20  # ... above it, multiples of 2 MiB (PyTorch's caching allocator's sizes)

_installed: str | None = None
_lock = threading.Lock()


def size_class(nbytes: int) -> int:
    """The block size that serves a request of ``nbytes``: the next power of two up to
    1 MiB, else the next multiple of 2 MiB. Rounding makes blocks of nearby sizes
    interchangeable (at most 2x, or 2 MiB, wasted per block)."""
    n = max(int(nbytes), MIN_BLOCK)
    if n <= SMALL:
        return 1 << (n - 1).bit_length()
    return -(-n // LARGE_STEP) * LARGE_STEP


def _manager_class():
    from numba.cuda import HostOnlyCUDAMemoryManager, MemoryInfo, MemoryPointer
    from numba.cuda.cudadrv import driver as drv

    class PoolMemoryManager(drv.GetIpcHandleMixin, HostOnlyCUDAMemoryManager):
        """A Numba EMM plugin: device blocks by :func:`size_class`, freed into per-size
        free lists and reused; the driver is called only when a list is empty (and
        the cache is given back to it when an allocation runs out of memory).

        Reuse is safe in stream order: minigrad launches every kernel and copy on the
        default stream, so a block the host frees after queueing its last kernel is
        handed to work queued behind that kernel. Code launching on other streams
        should use RMM or ``MINIGRAD_CUDA_ALLOCATOR=numba``.
        """

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._free: dict[int, list] = defaultdict(list)
            self._lock = threading.Lock()
            self.held_bytes = 0  # obtained from the driver
            self.cached_bytes = 0  # of which free for reuse
            self.driver_allocs = 0

        def initialize(self):
            from numba.cuda.cudadrv.driver import _SizeNotSet
            if self.deallocations.memory_capacity == _SizeNotSet:
                self.deallocations.memory_capacity = self.get_memory_info().total

        def memalloc(self, size):
            block = size_class(size)
            with self._lock:
                free = self._free[block]
                ptr = free.pop() if free else None
                if ptr is not None:
                    self.cached_bytes -= block
            if ptr is None:
                ptr = self._from_driver(block)
            pool = weakref.ref(self)

            def give_back(ptr=ptr, block=block):
                manager = pool()
                if manager is not None:
                    manager._release(ptr, block)

            return MemoryPointer(weakref.proxy(self.context), ptr, size, finalizer=give_back)

        def _from_driver(self, block):
            try:
                ptr = drv.driver.cuMemAlloc(block)
            except drv.CudaAPIError as e:
                if e.code != drv.binding.CUresult.CUDA_ERROR_OUT_OF_MEMORY:
                    raise
                self.empty_cache()
                ptr = drv.driver.cuMemAlloc(block)
            with self._lock:
                self.held_bytes += block
                self.driver_allocs += 1
            return ptr

        def _release(self, ptr, block):
            with self._lock:
                self._free[block].append(ptr)
                self.cached_bytes += block

        def empty_cache(self) -> None:
            """Give every free block back to the driver (``torch.cuda.empty_cache``)."""
            with self._lock:
                blocks = [(p, b) for b, ptrs in self._free.items() for p in ptrs]
                self._free.clear()
                self.cached_bytes = 0
                self.held_bytes -= sum(b for _, b in blocks)
            for ptr, _ in blocks:
                drv.driver.cuMemFree(ptr)

        def reset(self):
            super().reset()
            self.empty_cache()

        def get_memory_info(self):
            free, total = drv.driver.cuMemGetInfo()
            return MemoryInfo(free=free, total=total)

        @property
        def interface_version(self):
            return 1

    return PoolMemoryManager


def install() -> str:
    """Choose the allocator (see the module docstring) before the first CUDA context;
    returns its name. Called by minigrad when "cuda" is first asked for; later calls
    return the first choice."""
    global _installed
    with _lock:
        if _installed is not None:
            return _installed
        from numba import config
        if config.ENABLE_CUDASIM:
            _installed = "simulator"
            return _installed
        if os.environ.get("NUMBA_CUDA_MEMORY_MANAGER"):
            _installed = "NUMBA_CUDA_MEMORY_MANAGER"
            return _installed
        choice = os.environ.get("MINIGRAD_CUDA_ALLOCATOR", "").strip().lower() or None
        if choice not in (None, "rmm", "pool", "numba"):
            raise ValueError(f"MINIGRAD_CUDA_ALLOCATOR: expected 'rmm', 'pool' or 'numba', "
                             f"got {choice!r}")
        from numba import cuda
        # Not imported from here: minigrad.testing needs Hypothesis, a test dependency.
        fake = sys.modules.get("minigrad.testing.fake_gpu")
        if choice is None and fake is not None and fake.active() is not None:
            choice = "pool"  # RMM would call the real CUDA runtime, which is not there
        if choice in (None, "rmm"):
            try:
                from rmm.allocators.numba import RMMNumbaManager
            except Exception:  # not installed, or no GPU to load it on
                if choice == "rmm":
                    raise RuntimeError("MINIGRAD_CUDA_ALLOCATOR=rmm: RAPIDS rmm is not "
                                       "installed (pip install rmm-cu12)") from None
            else:
                cuda.set_memory_manager(RMMNumbaManager)
                _installed = "rmm"
                return _installed
        if choice == "numba":
            _installed = "numba"
            return _installed
        cuda.set_memory_manager(_manager_class())
        _installed = "pool"
        return _installed


def allocator() -> str | None:
    """The allocator in use ("rmm", "pool", "numba", ...), None before "cuda" was used."""
    return _installed


def manager():
    """The current context's memory manager (a :class:`PoolMemoryManager` with the
    default allocator)."""
    from numba.cuda.cudadrv import devices
    return devices.get_context().memory_manager


def empty_cache() -> None:
    """Release the pool's free blocks to the driver (no-op for other allocators)."""
    m = manager()
    if hasattr(m, "empty_cache"):
        m.empty_cache()
