"""The ``device=``/``dtype=`` arguments every layer with weights takes, as PyTorch's
factory kwargs: new parameters are created in that dtype on that device."""
from __future__ import annotations

from ... import dtype as dt
from ...device import device as parse_device


def param_dtype(device, dtype) -> dt.DType:
    """Check ``device`` ("cpu", or "cuda" where there is a GPU) and return the float
    dtype for weights."""
    parse_device(device)
    dtype = dt.as_dtype(dtype) or dt.float32
    if not dtype.is_floating_point:
        raise TypeError(f"dtype: parameters must be floating point (float32 or float64), "
                        f"got {dtype}")
    return dtype
