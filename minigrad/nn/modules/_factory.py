"""The ``device=``/``dtype=`` arguments every layer with weights takes, as PyTorch's
factory kwargs: new parameters are created in that dtype on that device (by default
the default dtype and device: ``set_default_dtype``, ``set_default_device``)."""
from __future__ import annotations

from ... import dtype as dt
from ...device import device as parse_device, device_or_default


def param_dtype(device, dtype) -> dt.DType:
    """Check ``device`` ("cpu", or "cuda" where there is a GPU) and return the float
    dtype for weights."""
    parse_device(device)
    dtype = dt.as_dtype(dtype) or dt.default_float()  # torch.set_default_dtype's
    if not dtype.is_floating_point:
        raise TypeError(f"dtype: parameters must be floating point (float32 or float64), "
                        f"got {dtype}")
    return dtype


def place(module, device) -> None:
    """Move a new layer's parameters and buffers to ``device`` (None: the default
    device). They are initialised on the host, so that every device gets the same
    numbers from one seed, and moved once."""
    target = device_or_default(device)
    if target.type != "cpu":
        module.to(target)
