"""Parameter: a tensor that a Module registers as one of its learnable weights."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's learnable weight, as ``torch.nn.Parameter``.

    Assigning a Parameter to an attribute of a :class:`~minigrad.nn.Module` registers
    it: it then appears in ``parameters()``, ``named_parameters()`` and
    ``state_dict()``. Parameters require grad by default.

    Args:
        data: the initial values, a Tensor (shared, not copied, as PyTorch); None gives
            an empty float32 tensor.
        requires_grad: whether autograd records ops on it (default True). Only
            floating point data can require grad (RuntimeError otherwise).

    Differences from PyTorch: ``data`` must be a minigrad Tensor (a NumPy array is
    refused with TypeError: wrap it first with ``minigrad.tensor(array)`` or
    ``minigrad.from_numpy(array)``). Ops on a Parameter give plain Tensors, as in
    PyTorch.
    """

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            array = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            array = data._array
        else:
            raise TypeError(f"data: expected a minigrad Tensor or None, got {type(data).__name__}"
                            "; wrap an array first with minigrad.tensor(...)")
        self._init(array, requires_grad=bool(requires_grad))

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
