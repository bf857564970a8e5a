"""``minigrad.accelerator``: PyTorch's device-generic accelerator API
(``torch.accelerator``), which scripts use to pick a device without naming CUDA:

    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() \
        else torch.device("cpu")

minigrad's one accelerator is CUDA through Numba (a GPU, or Numba's simulator with
``NUMBA_ENABLE_CUDASIM=1``), and it uses one device, index 0.
"""
from __future__ import annotations

from . import cuda as _cuda
from .device import CUDA, Device, device as _parse_device


def is_available() -> bool:
    """True when there is an accelerator to put tensors on (minigrad.cuda.is_available())."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False) -> Device | None:
    """``minigrad.device("cuda")`` when a GPU (or Numba's simulator) is there, else None.

    PyTorch answers with the accelerator its build was compiled for, even where none
    is present, unless ``check_available=True``; minigrad has no such build-time
    accelerator, so both give the runtime answer (``check_available`` is accepted and
    changes nothing)."""
    return CUDA if is_available() else None


def device_count() -> int:
    """How many accelerator devices minigrad can use: 1 with a GPU, else 0."""
    return _cuda.device_count()


def _no_accelerator() -> RuntimeError:
    return RuntimeError("minigrad.accelerator: no accelerator is available "
                        "(minigrad.accelerator.is_available() is False)")


def current_device_index() -> int:
    """The index of the current accelerator device: always 0 (minigrad uses one)."""
    if not is_available():
        raise _no_accelerator()
    return 0


current_device_idx = current_device_index  # PyTorch's older name, kept as an alias there


def set_device_index(device) -> None:
    """Select the accelerator device: only index 0 (or "cuda", "cuda:0") exists."""
    if not is_available():
        raise _no_accelerator()
    if isinstance(device, int) and not isinstance(device, bool):
        if device != 0:
            raise ValueError(f"device: minigrad uses one GPU, index 0; got {device}")
        return
    _parse_device(device)


set_device_idx = set_device_index


def synchronize(device=None) -> None:
    """Wait for every kernel queued on the accelerator (``minigrad.cuda.synchronize``);
    nothing to wait for without one."""
    if is_available():
        _cuda.synchronize()


__all__ = ["current_accelerator", "current_device_idx", "current_device_index",
           "device_count", "is_available", "set_device_idx", "set_device_index", "synchronize"]
