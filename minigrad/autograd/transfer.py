"""Copying a tensor to another device: the ``to_copy`` op (ops/to_copy), recorded on the
tape like any other (gradients flow back to the source device, as with PyTorch's
``t.to("cuda")``)."""
from __future__ import annotations

from ..device import Device
from ..ops import to_copy
from .function import apply


def to_device(t, target: Device):
    """``t`` on ``target`` (``t`` itself when it is there already)."""
    if t.device == target:
        return t
    return apply("to_copy", t, geometry=to_copy.declare(t.device, target))
