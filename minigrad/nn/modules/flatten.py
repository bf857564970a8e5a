"""Flatten: merge a range of dims into one."""
from __future__ import annotations

from ...tensor import Tensor
from .._checks import is_int
from ..module import Module

__all__ = ["Flatten"]


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
