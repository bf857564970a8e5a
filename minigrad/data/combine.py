"""Datasets made of other datasets, as torch.utils.data: Subset, ConcatDataset,
IterableDataset, ChainDataset."""
from __future__ import annotations

import bisect
import itertools
import operator
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from .dataset import Dataset


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i] == dataset[indices[i]]``.

    When ``dataset`` has the batched fast path ``get_batch`` (see :class:`Dataset`), so
    does the subset (the indices mapped through ``indices``), and a DataLoader over a
    Subset of MNIST or CIFAR10 still fetches a batch with one fancy index.
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list) -> list:
        # As PyTorch's: the parent's __getitems__ when it has one, else one call per index.
        getitems = getattr(self.dataset, "__getitems__", None)
        mapped = [self.indices[i] for i in indices]
        if callable(getitems):
            return getitems(mapped)
        return [self.dataset[i] for i in mapped]

    @property
    def get_batch(self):
        """The parent's ``get_batch`` through ``indices``; AttributeError when the parent
        has none (so ``getattr(subset, "get_batch", None)`` tells the DataLoader)."""
        parent = getattr(self.dataset, "get_batch", None)
        if not callable(parent):
            raise AttributeError(f"{type(self.dataset).__name__} has no get_batch")
        table = np.asarray(self.indices, dtype=np.int64)
        return lambda indices: parent(table[np.asarray(indices, dtype=np.int64)])

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The samples of each dataset in turn: ``len`` is the sum of their lengths, and
    index ``i`` falls in the first dataset whose cumulative length exceeds it
    (``cumulative_sizes``). Negative indices count from the end, as PyTorch. Iterable
    datasets are refused (use :class:`ChainDataset`). No batched fast path: samples are
    fetched one by one."""

    @staticmethod
    def cumsum(sequence: Sequence) -> list[int]:
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx) -> Any:
        idx = operator.index(idx)
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        if dataset_idx >= len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of {len(self)}")
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__`` (no indexing, maybe no length).

    A DataLoader batches the stream as it comes (no shuffling or samplers). With
    ``num_workers > 0`` every worker iterates its own copy: split the work in
    ``__iter__`` with :func:`minigrad.data.get_worker_info`, as in PyTorch, or each
    sample arrives once per worker. ``a + b`` is ``ChainDataset([a, b])``.
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: it has no indexing")

    def __add__(self, other: "IterableDataset") -> "ChainDataset":
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of each iterable dataset in turn (lazily); ``len`` is the sum of
    their lengths when they all have one."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)  # TypeError when one has no length, as PyTorch
        return total
