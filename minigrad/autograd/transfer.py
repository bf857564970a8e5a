"""Copying a tensor to another device, recorded on the tape (gradients flow back to the
source device, as with PyTorch's ``t.to("cuda")``)."""
from __future__ import annotations

from .. import profiler
from ..device import Device, move
from .grad_mode import is_grad_enabled
from .node import Node


def to_device(t, target: Device):
    """``t`` on ``target`` (``t`` itself when it is there already)."""
    from ..tensor import Tensor

    if t.device == target:
        return t
    if profiler._active is None:
        out = Tensor._wrap(move(t.data, target))
    else:  # a copy involves the GPU either way: "cuda" makes the profiler synchronize
        out = Tensor._wrap(profiler._active.record("to_copy", f"{t.device.type}->{target.type}",
                                                   "cuda", (t.data,), move, t.data, target))
    if t.requires_grad and is_grad_enabled():
        source = t.device

        def backward_fn(grad):
            return (move(grad, source),)

        out._node = Node("to_copy", str(target), {"device": str(target)}, (t._node or t,),
                         backward_fn, out.shape, out.dtype)
        out._requires_grad = True
    return out
