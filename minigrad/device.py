"""Devices, and moving arrays between them.

``cpu`` is always there: a tensor's storage is a NumPy array. ``cuda`` is there when
Numba's CUDA target finds a GPU (or runs its simulator, ``NUMBA_ENABLE_CUDASIM=1``): the
storage is a C-contiguous Numba device array. Every copy between the two goes through
:func:`to_device` and :func:`to_host`, so a training step's transfers can be counted.

A :class:`Device` compares equal to its name, so ``t.device == "cpu"`` works. minigrad
uses one GPU: ``"cuda"`` and ``"cuda:0"`` are the same device; other indices are refused.
"""
from __future__ import annotations

import numpy as np


class Device:
    __slots__ = ("type",)

    def __init__(self, type: str):
        self.type = type

    @property
    def index(self) -> int | None:
        return 0 if self.type == "cuda" else None

    def __eq__(self, other) -> bool:
        if isinstance(other, Device):
            return other.type == self.type
        if isinstance(other, str):
            return other == self.type or (self.type == "cuda" and other == "cuda:0")
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.type)

    def __str__(self) -> str:
        return "cuda:0" if self.type == "cuda" else self.type

    def __repr__(self) -> str:
        return "device(type='cuda', index=0)" if self.type == "cuda" else f"device(type='{self.type}')"


CPU = Device("cpu")
CUDA = Device("cuda")


def cuda_available() -> bool:
    """True when Numba's CUDA target has a GPU, or its simulator, to run on.

    numba.cuda is imported only here and by the CUDA kernels, so the CPU side never
    loads it (nor needs a driver)."""
    try:
        from numba import cuda
    except ImportError:  # numba-cuda not installed
        return False
    try:
        available = bool(cuda.is_available())
    except Exception:  # a broken driver install is "no GPU", not a crash at import
        return False
    if available:
        # The allocator must be chosen before the first CUDA context is made.
        from .cuda_pool import install
        install()
    return available


_NO_CUDA = ("device 'cuda' is not available: Numba's CUDA target found no GPU (check "
            "`nvidia-smi` and that numba-cuda is installed; minigrad.cuda.is_available() "
            "says False). Use device='cpu', or NUMBA_ENABLE_CUDASIM=1 for Numba's simulator")


def device(spec: "str | Device | None") -> Device:
    """Parse a device argument ("cpu", "cuda", "cuda:0", a Device, None -> cpu); a cuda
    device where there is no GPU is a RuntimeError saying so."""
    if spec is None:
        return CPU
    if isinstance(spec, Device):
        spec = spec.type
    if not isinstance(spec, str):
        raise TypeError(f"device: expected a string such as 'cpu' or 'cuda', or a minigrad.device, "
                        f"got {type(spec).__name__}")
    name, _, index = spec.partition(":")
    if name == "cpu" and not index:
        return CPU
    if name == "cuda":
        if index not in ("", "0"):
            raise ValueError(f"device: minigrad uses one GPU, 'cuda' or 'cuda:0'; got {spec!r}")
        if not cuda_available():
            raise RuntimeError(_NO_CUDA)
        return CUDA
    raise ValueError(f"device: expected 'cpu' or 'cuda', got {spec!r}")


def is_device_array(array) -> bool:
    """True for a Numba device array (real, or the simulator's)."""
    return not isinstance(array, np.ndarray) and hasattr(array, "copy_to_host")


def device_of(array) -> Device:
    return CPU if isinstance(array, np.ndarray) or not hasattr(array, "copy_to_host") else CUDA


class _Transfers:
    """How many copies each way have been made (the tests watch a training step)."""
    __slots__ = ("host_to_device", "device_to_host")

    def __init__(self):
        self.host_to_device = 0
        self.device_to_host = 0


transfers = _Transfers()


def to_device(array: np.ndarray):
    """A C-contiguous device copy of a host array."""
    from numba import cuda
    transfers.host_to_device += 1
    # Not np.ascontiguousarray: it turns a 0-d array into a 1-d one.
    return cuda.to_device(np.asarray(array, order="C"))


def to_host(array) -> np.ndarray:
    """A host (NumPy) copy of a device array; a host array is returned as it is."""
    if isinstance(array, np.ndarray):
        return array
    transfers.device_to_host += 1
    return array.copy_to_host()


def move(array, target: Device):
    """``array`` on ``target``: the same array when it is there already, else a copy."""
    if device_of(array) == target:
        return array
    return to_device(array) if target == CUDA else to_host(array)
