"""Counting reads of device memory from the host, and recording launch grids.

On a GPU every device-to-host copy goes through the device array's ``copy_to_host``.
The simulator's arrays are NumPy arrays underneath and also let host code read them in
ways a GPU array would not (``np.asarray(d)``, ``d[0]``, ``d < 0``): those are counted
too, so a hidden round-trip cannot hide behind the simulator.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np
from numba import config, cuda

_HOST_READS = ("__array__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__",
               "__add__", "__sub__", "__mul__", "__truediv__", "__float__", "__int__",
               "__bool__", "tolist", "item")


class Counter:
    def __init__(self):
        self.reads: list[str] = []

    @property
    def count(self) -> int:
        return len(self.reads)


@contextlib.contextmanager
def count_device_reads():
    """Within the block, ``counter.reads`` lists every host read of device memory."""
    cls = type(cuda.device_array(1, np.float32))
    counter = Counter()
    saved = {}

    def counting(name, original):
        def method(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            # The simulator's GPU threads read through these methods too: only reads by
            # the host thread count. Slices are views, not reads.
            if threading.current_thread() is threading.main_thread() and (
                    name != "__getitem__" or not isinstance(result, cls)):
                counter.reads.append(name)
            return result
        return method

    names = ["copy_to_host", "__getitem__"]
    if config.ENABLE_CUDASIM:
        names += list(_HOST_READS)
    for name in names:
        if name in cls.__dict__:
            original = cls.__dict__[name]
        else:  # forwarded by the simulator's __getattr__ to the NumPy array inside
            def original(self, *args, _name=name, **kwargs):
                return getattr(self._ary, _name)(*args, **kwargs)
        saved[name] = cls.__dict__.get(name)
        setattr(cls, name, counting(name, original))
    try:
        yield counter
    finally:
        for name, original in saved.items():
            if original is None:
                delattr(cls, name)
            else:
                setattr(cls, name, original)


def record_grids(monkeypatch) -> list[tuple[int, int, int]]:
    """Grids (x, y, z) of the kernel launches from here on. The simulator checks no grid
    limit (a GPU refuses gridDim.y or z over 65535), so the tests check the caps; on a
    GPU nothing is recorded and only the values are checked."""
    grids: list[tuple[int, int, int]] = []
    if config.ENABLE_CUDASIM:
        from numba.cuda.simulator.kernel import FakeCUDAKernel
        configure = FakeCUDAKernel.__getitem__

        def spy(kernel, launch):
            kernel = configure(kernel, launch)
            grids.append(tuple(kernel.grid_dim))
            return kernel
        monkeypatch.setattr(FakeCUDAKernel, "__getitem__", spy)
    return grids
