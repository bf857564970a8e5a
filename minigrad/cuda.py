"""``minigrad.cuda``: is there a GPU, and waiting for it (PyTorch's ``torch.cuda`` names).

Kernels launch asynchronously: a timing around GPU work must call :func:`synchronize`
before reading the clock. Reading a value back (``item()``, ``cpu()``) synchronizes by
itself. Either raises the bad input a kernel found since (a class index out of range).
"""
from __future__ import annotations

from .device import _NO_CUDA, cuda_available, synchronize_errors


def is_available() -> bool:
    """True when tensors can be put on ``"cuda"``: Numba's CUDA target has a GPU, or its
    simulator is on (``NUMBA_ENABLE_CUDASIM=1`` set before numba was imported)."""
    return cuda_available()


def _cuda():
    if not cuda_available():
        raise RuntimeError(_NO_CUDA)
    from numba import cuda
    return cuda


def synchronize() -> None:
    """Wait until every kernel launched so far has finished, and raise the error a
    kernel recorded in the meantime (an out-of-range class index: see
    ``minigrad.device.error_word``), as PyTorch reports a device-side assert."""
    _cuda().synchronize()
    synchronize_errors()


def device_count() -> int:
    """1 when a GPU is available (minigrad uses one), else 0."""
    return 1 if cuda_available() else 0


def is_simulator() -> bool:
    """True when "cuda" is Numba's CPU simulator rather than a GPU."""
    from numba import config
    return bool(config.ENABLE_CUDASIM) and cuda_available()


def get_device_name(device=None) -> str:
    """The GPU's name, e.g. "NVIDIA H100 80GB HBM3" ("simulator" under the simulator)."""
    cuda = _cuda()
    if is_simulator():
        return "Numba CUDA simulator"
    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def current_device() -> int:
    """The index of the current GPU: 0, the one minigrad uses (RuntimeError without one)."""
    _cuda()
    return 0


def manual_seed(seed: int) -> None:
    """Accepted, as ``torch.cuda.manual_seed``, and does nothing: minigrad draws every
    random number on the host, from the one generator :func:`minigrad.manual_seed`
    seeds, and copies it to the GPU (so a seeded run gives the same numbers on either
    device). Seed that generator instead."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__}")


manual_seed_all = manual_seed
