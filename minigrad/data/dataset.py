"""Map-style datasets: the Dataset base class and TensorDataset (Subset, ConcatDataset,
IterableDataset and ChainDataset are in :mod:`minigrad.data.combine`)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..tensor import Tensor


class Dataset:
    """A map-style dataset, as ``torch.utils.data.Dataset``: ``dataset[i]`` is the i-th
    sample and ``len(dataset)`` the number of samples. Subclasses define both.

    A subclass may also define ``get_batch(indices)``, returning exactly what
    ``default_collate([dataset[i] for i in indices])`` returns, only faster (one NumPy
    fancy index instead of one Python call per sample). :class:`DataLoader` uses it
    when it collates with the default collate function. (PyTorch's ``__getitems__``,
    which returns the list of samples, is honoured too.)
    """

    def __getitem__(self, index) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: "Dataset") -> "Dataset":
        """``a + b`` is ``ConcatDataset([a, b])``: a's samples, then b's."""
        from .combine import ConcatDataset  # combine builds on this module

        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are slices along the first dim of the given tensors:
    ``dataset[i] == (tensors[0][i], tensors[1][i], ...)``.

    tensors: minigrad Tensors with the same size of dim 0, e.g. images (N, C, H, W) and
    labels (N,). PyTorch asserts on a size mismatch; minigrad raises ValueError.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"tensors: expected minigrad Tensors, got {type(t).__name__} "
                                f"at position {i}")
            if t.ndim == 0:
                raise ValueError(f"tensors: expected tensors with at least one dim, got a 0-d "
                                 f"tensor at position {i}")
        sizes = [t.shape[0] for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise ValueError(f"tensors: size mismatch between tensors: dim 0 sizes are {sizes}, "
                             "expected all equal")
        self.tensors = tensors

    def __getitem__(self, index) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def get_batch(self, indices: Sequence[int]) -> list:
        """``[t[indices] for t in tensors]``: the default collate of the samples, with
        one fancy index per tensor (a list, as default_collate makes of tuples)."""
        idx = np.asarray(indices, dtype=np.int64)
        # Tensors that require grad go through minigrad indexing, which records on
        # the tape, as stacking their samples would.
        return [t[idx] if t.requires_grad else Tensor._wrap(t._array[idx]) for t in self.tensors]
