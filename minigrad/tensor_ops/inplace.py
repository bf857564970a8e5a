"""In-place ops, as PyTorch's ``add_``, ``mul_``, ``zero_``, ``copy_``, ... and Python's
``+= -= *= /=``: the result is written into the tensor's own array, so every view of
that array, an optimizer's reference and an earlier ``state_dict()`` see it.

How (one rule for every op and device): the op runs out of place, through its usual
front end and kernels, and its values are copied into the tensor's array by the
registry's ``copy_`` op. When autograd records the op, the tensor takes the result's
place on the tape (its ``grad_fn`` becomes the op's node, as PyTorch "rebases" an
in-place op's history).

Checks, as PyTorch's: an in-place op on a leaf that requires grad, while grad mode is
on, raises RuntimeError ("a leaf Variable that requires grad is being used in an
in-place operation."); inside ``no_grad()`` it is allowed (the manual SGD step
``p -= lr * p.grad``). The result must have the tensor's shape (no broadcasting of the
tensor itself) and a dtype it can take (a float result is refused for an integer
tensor); a read-only array (an ``expand`` view on the CPU) is refused.

Every write adds one to the tensor's version counter (autograd/version.py): a recorded
op that saved the tensor's array refuses to run its backward afterwards, with PyTorch's
"modified by an inplace operation". Two nodes are spared that error, because they get a
copy of the old values instead (so their gradient is right): the in-place op's own
(``y.mul_(y)`` needs the old ``y``, PyTorch's "original self") and the node that made
the tensor (``y = x.exp(); y.add_(1)``: exp saved ``y``; PyTorch raises there).

Differences from PyTorch: on cuda, permute/transpose, expand and indexing copy (every
device array is C-contiguous), so an in-place write into their result is refused rather
than lost; ``reshape``/``view`` share storage on both devices, and on the CPU slicing and
transposes are NumPy views, written through as in PyTorch (a view shares its base's
version counter). Spared nodes, above: minigrad computes a right gradient where PyTorch
raises.
"""
from __future__ import annotations

import numpy as np

from .. import arrays, dispatch
from .. import tensor as _tensor
from ..autograd import version
from ..autograd.grad_mode import is_grad_enabled
from ..ops._attrs import NONE
from . import elementwise as ew
from . import shape as shp

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."


def _tensor_cls():
    # minigrad.tensor imports this module while it is being defined.
    return _tensor.Tensor


def check_target(t) -> None:
    """Refuse an in-place write into ``t`` before anything runs."""
    if t._requires_grad and t._node is None and is_grad_enabled():
        raise RuntimeError(LEAF_MESSAGE)
    if shp.is_cuda_copy(t):
        raise RuntimeError("in-place write into a cuda tensor made by permute, transpose, "
                           "expand or indexing: on cuda these are copies, not views (every "
                           "device array is C-contiguous), so the write would not reach the "
                           "tensor it came from; compute the new tensor out of place instead "
                           "(y = y + 1 rather than y += 1)")
    if isinstance(t._array, np.ndarray) and not t._array.flags.writeable:
        raise RuntimeError("unsupported operation: the tensor's array is read-only (more "
                           "than one element of the written-to tensor may refer to a single "
                           "memory location, as after expand); compute the new tensor out of place")


def _spare(saved, array):
    """``saved`` with ``array`` (about to be overwritten) replaced by a copy of it."""
    if saved is array:
        return arrays.copy(array)
    if isinstance(saved, tuple) and any(s is array for s in saved):
        return tuple(_spare(s, array) for s in saved)
    return saved


def write(t, result):
    """Write ``result`` (a Tensor computed from ``t``, out of place) into ``t``'s array
    and give ``t`` its history; returns ``t``."""
    if tuple(result.shape) != tuple(t.shape):
        raise RuntimeError(f"output with shape {list(t.shape)} doesn't match the broadcast "
                           f"shape {list(result.shape)}")
    if result.dtype is not t.dtype:
        if result.dtype.is_floating_point and not t.dtype.is_floating_point:
            raise RuntimeError(f"result type {result.dtype} can't be cast to the desired "
                               f"output type {t.dtype}")
        result = ew.cast(result, t.dtype)
    node = result._node
    for n in (node, t._node):
        if n is not None and n.saved is not None:
            spared = _spare(n.saved, t._array)
            if spared is not n.saved:
                n.saved = spared
                version.forget(n, t)
    dispatch.run("copy_", t.device.type, NONE, t._array, result._array)
    version.bump(t)
    if node is not None:
        t._node = node
        t._requires_grad = True
    return t


def binary_(op: str, t, other, alpha=None):
    """``t = t <op> (alpha * other)`` in place (add_, sub_, mul_, div_, pow_)."""
    check_target(t)
    if alpha is not None and alpha != 1:
        other = ew.binary("mul", other, alpha) if isinstance(other, _tensor_cls()) \
            else other * alpha
    return write(t, ew.binary(op, t, other))


def unary_(op: str, t):
    """``t = op(t)`` in place (neg_, abs_, exp_, log_, sqrt_, relu_, sigmoid_, tanh_)."""
    check_target(t)
    return write(t, ew.unary(op, t))


def clamp_(t, min=None, max=None):
    check_target(t)
    return write(t, ew.clamp(t, min, max))


def addcmul_(t, tensor1, tensor2, value=1):
    """``t += value * tensor1 * tensor2`` in place."""
    check_target(t)
    return write(t, t + ew.binary("mul", ew.binary("mul", tensor1, tensor2), value))


def addcdiv_(t, tensor1, tensor2, value=1):
    """``t += value * tensor1 / tensor2`` in place."""
    check_target(t)
    return write(t, t + ew.binary("mul", ew.binary("div", tensor1, tensor2), value))


def fill_(t, value):
    """Every element of ``t`` set to ``value`` (a number or a 0-d tensor); gradient 0
    to ``t``'s history, as PyTorch's FillBackward."""
    Tensor = _tensor_cls()
    check_target(t)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
    elif isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"fill_(): value must be a number, got {type(value).__name__}")
    if (t._node is not None and is_grad_enabled()) or isinstance(value, Tensor):
        # Recorded: a select that never takes t, so its gradient to t is 0 (x < x is
        # False for every x, NaN included).
        never = ew.compare("lt", t.detach(), t.detach())
        return write(t, ew.where(never, t, ew.as_operand(value, t.dtype, t.device)))
    dispatch.run("copy_", t.device.type, NONE, t._array,
                 arrays.full(t.shape, value, t._array.dtype, t.device))
    version.bump(t)
    return t


def copy_(t, src):
    """``src``'s values (broadcast to ``t``'s shape, cast to its dtype, moved to its
    device) into ``t``; differentiable with respect to ``src``, as PyTorch's."""
    Tensor = _tensor_cls()
    check_target(t)
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be a Tensor, got {type(src).__name__}")
    if src.device != t.device:
        src = src.to(t.device)
    if tuple(src.shape) != tuple(t.shape):
        src = shp.expand(src, tuple(t.shape))
    return write(t, src)
