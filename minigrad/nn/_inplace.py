"""``copy_``: new values into a tensor's own array, whatever its device.

The layers change parameters and buffers in place (``nn.init``, ``load_state_dict``,
BatchNorm's running statistics), so that views, optimizer state and an earlier
``state_dict()`` keep seeing the same array, as in PyTorch.
"""
from __future__ import annotations

from .. import dispatch
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
