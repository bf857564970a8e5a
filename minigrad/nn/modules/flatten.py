"""Flatten: merge a range of dims into one; Unflatten: split one dim into several."""
from __future__ import annotations

import math

from ...errors import RuntimeValueError
from ...ops.shape import normalize_dim
from ...tensor import Tensor
from .._checks import is_int
from ..module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Merge dims ``start_dim``..``end_dim`` (inclusive) into one, as ``torch.nn.Flatten``;
    the defaults keep the batch dim: (B, C, H, W) -> (B, C * H * W)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        for name, v in (("start_dim", start_dim), ("end_dim", end_dim)):
            if not is_int(v):
                raise TypeError(f"{name}: expected an int, got {type(v).__name__}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``, as ``torch.nn.Unflatten``: the
    inverse of :class:`Flatten`, e.g. ``Unflatten(1, (C, H, W))`` turns (B, C * H * W)
    into (B, C, H, W). One size may be -1 (inferred). A reshape, so gradients flow.

    Shapes: input (*, S, *) with S = prod(unflattened_size) at ``dim``; output
    (*, *unflattened_size, *).

    Raises TypeError for a dim that is not an int or sizes that are not a tuple or
    list of ints (PyTorch's messages); RuntimeError (also a ValueError) at the call
    when the sizes do not multiply up to the dim's size, or more than one is -1;
    IndexError (also a ValueError) for a dim out of range.
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if not is_int(dim):
            raise TypeError(f"unflatten(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"unflattened_size must be a tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for i, s in enumerate(unflattened_size):
            if not is_int(s):
                raise TypeError(f"unflattened_size must be tuple of ints, but found element of "
                                f"type {type(s).__name__} at pos {i}")
        self.dim = int(dim)
        self.unflattened_size = unflattened_size  # kept as given: the repr shows it

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"input must be a Tensor, got {type(input).__name__}")
        dim = normalize_dim(self.dim, input.ndim)
        sizes = [int(s) for s in self.unflattened_size]
        n = input.shape[dim]
        if sizes.count(-1) > 1:
            raise RuntimeValueError("unflatten: only one dimension can be inferred")
        known = math.prod(s for s in sizes if s != -1)
        if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
            raise RuntimeValueError(f"unflatten: Provided sizes {sizes} don't multiply up to the "
                                    f"size of dim {self.dim} ({n}) in the input tensor")
        if -1 in sizes:
            sizes[sizes.index(-1)] = n // known
        shape = tuple(input.shape)
        return input.reshape(shape[:dim] + tuple(sizes) + shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
