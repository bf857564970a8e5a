"""Samplers: which sample indices a DataLoader visits, in which order, in which batches.
PyTorch's SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler
and BatchSampler."""
from __future__ import annotations

from numbers import Integral
from typing import Iterable, Iterator, Sized

import numpy as np

from .. import random as _random


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_positive_int(name: str, value) -> None:
    if not _is_int(value) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")


def check_bool(name: str, value, error: type = ValueError) -> None:
    if not isinstance(value, bool):
        raise error(f"{name} should be a boolean value, but got {name}={value!r}")


def as_generator(generator) -> np.random.Generator | None:
    """A NumPy Generator from ``generator``: an int seed makes a new one, a Generator is
    used as it is (its state is shared), None stays None (meaning minigrad's global
    generator, looked up at each use so that minigrad.manual_seed takes effect).

    A generator object in PyTorch's style (``Generator().manual_seed(42)``) works too:
    one holding a NumPy Generator as ``_rng`` shares it; otherwise one with
    ``initial_seed()`` seeds a new NumPy Generator from it."""
    if generator is None or isinstance(generator, np.random.Generator):
        return generator
    if _is_int(generator):
        if generator < 0:
            raise ValueError(f"generator: a seed must be non-negative, got {generator}")
        return np.random.default_rng(int(generator))
    if isinstance(getattr(generator, "_rng", None), np.random.Generator):
        return generator._rng
    if callable(getattr(generator, "initial_seed", None)):
        return np.random.default_rng(int(generator.initial_seed()))
    raise TypeError("generator: expected an int seed, a numpy.random.Generator, a generator "
                    f"with initial_seed() or None, got {type(generator).__name__}")


def _rng_of(generator: np.random.Generator | None) -> np.random.Generator:
    return generator if generator is not None else _random.generator()


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
        check_bool("replacement", replacement, TypeError)  # TypeError here, as PyTorch
        if num_samples is not None:
            check_positive_int("num_samples", num_samples)
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = as_generator(generator)

    @property
    def num_samples(self) -> int:
        # The dataset's length is read at each use, as in PyTorch.
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        rng = _rng_of(self.generator)
        n, count = len(self.data_source), self.num_samples
        if n == 0:
            return iter(())
        if self.replacement:
            return iter(rng.integers(0, n, size=count).tolist())
        perms = [rng.permutation(n) for _ in range(-(-count // n))]
        return iter(np.concatenate(perms)[:count].tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a new random order at each iteration (e.g. a validation
    split's indices: ``DataLoader(ds, sampler=SubsetRandomSampler(val_idx))``).
    generator: as :class:`RandomSampler`'s."""

    def __init__(self, indices, generator=None) -> None:
        self.indices = indices
        self.generator = as_generator(generator)

    def __iter__(self) -> Iterator:
        order = _rng_of(self.generator).permutation(len(self.indices))
        return (self.indices[i] for i in order.tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in [0, len(weights)), index i drawn with probability
    weights[i] / sum(weights) (PyTorch's ``torch.multinomial``): with ``replacement``
    independent draws; without, each index at most once (num_samples <= the number of
    non-zero weights). generator: as :class:`RandomSampler`'s."""

    def __init__(self, weights, num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        check_positive_int("num_samples", num_samples)
        check_bool("replacement", replacement)
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (weights must be finite, "
                               "non-negative and not all zero)")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        self.weights = weights
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = as_generator(generator)

    def __iter__(self) -> Iterator[int]:
        p = self.weights / self.weights.sum()
        draws = _rng_of(self.generator).choice(len(p), size=self.num_samples,
                                               replace=self.replacement, p=p)
        return iter(draws.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last one is
    smaller, or dropped when ``drop_last``."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        check_positive_int("batch_size", batch_size)
        check_bool("drop_last", drop_last)
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
