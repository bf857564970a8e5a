"""``apply``: run an op's kernel from the registry and record it on the tape."""
from __future__ import annotations

from typing import Any

from .. import dispatch
from .. import profiler
from .grad_mode import is_grad_enabled
from .node import Node


def common_device(inputs) -> str:
    device = None
    for t in inputs:
        if t is None:
            continue
        if device is None:
            device = t.device
        elif t.device != device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                               f"two devices, {device} and {t.device}")
    return device.type if device is not None else "cpu"


def apply(op: str, *inputs, attrs: dict[str, Any] | None = None, n_outputs: int = 1):
    """Run ``op`` on ``inputs`` (Tensors, or None for an absent optional input) with the
    implementation selected in the registry for their device, and record it.

    Returns one Tensor, or a tuple of ``n_outputs`` Tensors of which only the first is
    differentiable. Nothing is recorded in no_grad mode, when no input requires grad,
    when the op has no backward, or when the output is not floating point.
    """
    from ..tensor import Tensor

    attrs = attrs or {}
    device = common_device(inputs)
    impl, kernel = dispatch.lookup(op, device)
    arrays = tuple(None if t is None else t.data for t in inputs)
    if profiler._active is None:
        out = kernel.forward(*arrays, **attrs)
    else:
        out = profiler._active.record(op, impl, device, arrays, kernel.forward, *arrays, **attrs)
    outs = out if n_outputs > 1 else (out,)
    results = [Tensor._wrap(o) for o in outs]
    first = results[0]
    if (kernel.backward is not None and first.dtype.is_floating_point and is_grad_enabled()
            and any(t is not None and t.requires_grad for t in inputs)):
        needs = tuple(t is not None and t.requires_grad for t in inputs)
        backward = kernel.backward

        def backward_fn(grad):
            return backward(grad, arrays, out, needs, **attrs)

        edges = tuple(None if t is None or not t.requires_grad else (t._node or t) for t in inputs)
        first._node = Node(op, impl, attrs, edges, backward_fn, first.shape, first.dtype)
        first._requires_grad = True
    return first if n_outputs == 1 else tuple(results)
