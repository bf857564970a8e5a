"""Padding front end: ``pad``, as ``torch.nn.functional.pad``."""
from __future__ import annotations

from typing import Sequence

from minigrad.autograd.function import apply
from minigrad.nn.functional._common import expect_tensor
from minigrad.ops import pad as _decl
from minigrad.tensor import Tensor

__all__ = ["pad"]


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad (or crop, with negative amounts) the last dims of ``input``, as
    ``torch.nn.functional.pad``.

    ``pad`` gives (before, after) amounts from the LAST dim backwards: ``(left, right)``
    pads dim -1, ``(left, right, top, bottom)`` dims -1 and -2, ``(left, right, top,
    bottom, front, back)`` dims -1, -2 and -3; at most two per dim of the input.

    Shapes: input (*, n_k, ..., n_1), output (*, n_k + b_k + a_k, ..., n_1 + b_1 + a_1)
    for the amounts (b_j, a_j) of the j-th dim from the end.

    Modes (per padded dim of size n, output position o reads input position i)::

        "constant"  (any rank; amounts may be negative: cropping)
                    i = o - b; out = x[i] inside the input, ``value`` (default 0) outside
        "reflect"   i = o - b, mirrored at the edges without repeating them:
                    [a b c d] padded (2, 2) -> [c b | a b c d | c b]; amounts < n
        "replicate" i = clamp(o - b, 0, n - 1): [a a | a b c d | d d]
        "circular"  wraps around: [c d | a b c d | a b]; amounts <= n

    The non-constant modes take PyTorch's combinations: a pad of 2 values for 2-D/3-D
    input (1-D padding of (C, W) or (B, C, W)), 4 for 3-D/4-D ((C, H, W) or (B, C, H,
    W)), 6 for 4-D/5-D; their amounts may be negative too (crop first: circular wraps
    what is left).

    Backward: each input element receives the sum of the gradients of the output
    elements that read it (reflect/replicate/circular read some several times); the
    constant ``value`` is not differentiated. Any dtype pads; only float inputs have
    gradients. The implementation is picked by the registry for the tensor's device
    (ops/pad: NumPy on the CPU, a CUDA kernel on the GPU).

    Raises TypeError for a non-Tensor input, a pad that is not a tuple/list of ints or
    a non-number value; NotImplementedError for an unknown mode or a non-constant mode
    with an unsupported pad length / rank (PyTorch's); RuntimeError (also a ValueError)
    for an odd or too long pad, a reflect amount not smaller than its dim, a circular
    one larger than its dim, a ``value`` with a non-constant mode, or a negative output
    size (PyTorch's messages).

    Differences from PyTorch: the result is always a new tensor (PyTorch too, except
    that its constant mode may return a view when only cropping); the non-constant
    modes refuse an empty padded dim with this module's RuntimeError (PyTorch raises
    from its kernel).
    """
    input = expect_tensor(input, "input")
    g = _decl.declare(input.shape, pad, mode, value)
    return apply("pad", input, geometry=g)
