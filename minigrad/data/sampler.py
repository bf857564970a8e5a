"""Samplers: which sample indices a DataLoader visits, in which order, in which batches.
PyTorch's SequentialSampler, RandomSampler and BatchSampler."""
from __future__ import annotations

from numbers import Integral
from typing import Iterable, Iterator, Sized

import numpy as np

from .. import random as _random


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def as_generator(generator) -> np.random.Generator | None:
    """A NumPy Generator from ``generator``: an int seed makes a new one, a Generator is
    used as it is (its state is shared), None stays None (meaning minigrad's global
    generator, looked up at each use so that minigrad.manual_seed takes effect)."""
    if generator is None or isinstance(generator, np.random.Generator):
        return generator
    if _is_int(generator):
        if generator < 0:
            raise ValueError(f"generator: a seed must be non-negative, got {generator}")
        return np.random.default_rng(int(generator))
    raise TypeError("generator: expected an int seed, a numpy.random.Generator or None, got "
                    f"{type(generator).__name__}")


class Sampler:
    """Base class: an iterable of sample indices (or, for a batch sampler, of lists)."""

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """The indices of ``data_source`` in random order: a new permutation at every
    iteration (each index exactly once), or, with ``replacement=True``, ``num_samples``
    independent uniform draws.

    num_samples: how many indices to yield (default len(data_source)); without
        replacement, more than len(data_source) chains permutations, as PyTorch does.
    generator: an int seed, a numpy.random.Generator, or None to draw from minigrad's
        global generator (seeded by minigrad.manual_seed). PyTorch takes a
        torch.Generator here.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator=None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        if num_samples is not None and (not _is_int(num_samples) or num_samples <= 0):
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = as_generator(generator)

    @property
    def num_samples(self) -> int:
        # The dataset's length is read at each use, as in PyTorch.
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        rng = self.generator if self.generator is not None else _random.generator()
        n, count = len(self.data_source), self.num_samples
        if n == 0:
            return iter(())
        if self.replacement:
            return iter(rng.integers(0, n, size=count).tolist())
        perms = [rng.permutation(n) for _ in range(-(-count // n))]
        return iter(np.concatenate(perms)[:count].tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last one is
    smaller, or dropped when ``drop_last``."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        batch: list = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
