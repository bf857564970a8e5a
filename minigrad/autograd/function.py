"""``apply``: run an op's kernel from the registry and record it on the tape."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dispatch
from .. import dtype as dt
from .. import tensor as _tensor
from ..ops._attrs import NONE, Attrs
from .grad_mode import is_grad_enabled
from . import version
from .node import Node


def common_device(inputs) -> str:
    """"cpu" or "cuda": the one device of the tensors in ``inputs`` (None entries
    skipped; "cpu" when there are none). RuntimeError, PyTorch's message, for two."""
    device = None
    for t in inputs:
        if t is None:
            continue
        here = "cpu" if isinstance(t._array, np.ndarray) else "cuda"
        if device is None:
            device = here
        elif here != device:
            first = next(u for u in inputs if u is not None)
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                               f"two devices, {first.device} and {t.device}")
    return device or "cpu"


def apply(op: str, *inputs, geometry: Any = None, attrs: dict[str, Any] | None = None,
          n_outputs: int = 1):
    """Run ``op`` on ``inputs`` (Tensors, or None for an absent optional input) with the
    implementation selected in the registry for their device, and record it.

    geometry: the immutable object the op's declaration made (shapes, normalised
    attributes, output shape), passed to the kernels as it is; or ``attrs``, a dict of
    attributes, passed as an :class:`~minigrad.ops._attrs.Attrs`. Returns one Tensor, or
    a tuple of ``n_outputs`` Tensors of which only the first is differentiable. Nothing
    is recorded in no_grad mode, when no input requires grad, when the op has no
    backward, or when the output is not floating point; otherwise the node keeps what
    forward saved.
    """
    Tensor = _tensor.Tensor
    if geometry is None:
        geometry = Attrs(**attrs) if attrs else NONE
    device = common_device(inputs)
    impl, kernel = dispatch.lookup(op, device)
    arrays = tuple(None if t is None else t._array for t in inputs)
    out, saved = dispatch.call(op, impl, device, arrays, kernel.forward, geometry, *arrays)
    if n_outputs == 1:
        first = results = Tensor._wrap(out)
    else:
        results = tuple(Tensor._wrap(o) for o in out)
        first = results[0]
    needs = tuple(t is not None and t._requires_grad for t in inputs)
    array = first._array
    if (kernel.backward is not None and True in needs and array.dtype.kind == "f"
            and is_grad_enabled()):
        edges = tuple((t._node or t) if need else None for t, need in zip(inputs, needs))
        # The version counters of the tensors whose own arrays the kernel saved
        # (autograd/version.py): (counter, value now, shape, dtype).
        versions = ()
        read_by = kernel.read_by
        for s in () if saved is None else saved if type(saved) is tuple else (saved,):
            for k, t in enumerate((first, *inputs)):
                if t is not None and t._array is s:
                    if read_by is not None and k and not any(needs[j] for j in read_by[k - 1]):
                        # As this input, kept only for gradients nobody asked for; the
                        # same array may still be another input's (x * x.detach()).
                        continue
                    v = t._ver
                    if v is None:
                        v = t._ver = version.Version()
                        v.value = 0
                    versions += ((v, v.value, s.shape, s.dtype),)
                    break
        first._node = Node(op, impl, device, geometry, edges, kernel.backward, saved, needs,
                           array.shape, dt.BY_NUMPY[array.dtype], versions)
        first._requires_grad = True
    return results


# torch.autograd.function's names, for ``from ...autograd.function import Function``
# (defined in custom.py, which needs common_device above).
from .custom import BackwardFunction, Function, FunctionCtx, once_differentiable  # noqa: E402,F401
