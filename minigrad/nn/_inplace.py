"""``copy_``: new values into a tensor's own array, whatever its device; ``zero_grad_``,
the per-tensor step of ``Module.zero_grad`` and ``Optimizer.zero_grad``.

The layers change parameters and buffers in place (``nn.init``, ``load_state_dict``,
BatchNorm's running statistics), so that views, optimizer state and an earlier
``state_dict()`` keep seeing the same array, as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from .. import arrays, dispatch
from ..autograd import version
from ..arrays import move
from ..ops._attrs import NONE
from ..tensor import Tensor


def copy_(tensor: Tensor, array) -> Tensor:
    """Write ``array`` (the tensor's shape and dtype, on any device: a host array is
    moved to the tensor's device first, one counted transfer) into ``tensor._array`` in
    place, by the registry's ``copy_`` op; returns ``tensor``. Off the tape."""
    device = tensor.device
    dispatch.run("copy_", device.type, NONE, tensor._array, move(array, device))
    version.bump(tensor)
    return tensor


def zero_grad_(tensor: Tensor, set_to_none: bool = True) -> None:
    """Reset ``tensor.grad`` as PyTorch's ``zero_grad`` does for one parameter: to None,
    or (``set_to_none=False``) detached from any history and zeroed in place, so that a
    reference to the gradient tensor sees the zeros. A read-only gradient array (a
    broadcast view the user assigned) cannot be written: it is replaced by zeros."""
    g = tensor.grad
    if g is None:
        return
    if set_to_none:
        tensor.grad = None
        return
    if g._node is not None:
        g = tensor.grad = g.detach()
    g._requires_grad = False
    if isinstance(g._array, np.ndarray) and not g._array.flags.writeable:
        g._array = arrays.zeros_like(g._array)
    else:
        g.zero_()
