"""random_split: a dataset cut into non-overlapping random subsets, as torch.utils.data."""
from __future__ import annotations

import itertools
import math
import warnings
from numbers import Real
from typing import Sequence

from .. import random as _random
from .combine import Subset
from .sampler import as_generator


def split_lengths(n: int, lengths: Sequence) -> list[int]:
    """Integer lengths from ``lengths``: fractions summing to 1 become floor(n * f) each,
    then the remainder is handed out one by one from the first split on (PyTorch's rule:
    10 samples at [0.5, 0.3, 0.2] -> [5, 3, 2]; 11 -> [6, 3, 2]); integers are kept."""
    lengths = list(lengths)
    if not all(isinstance(x, Real) and not isinstance(x, bool) for x in lengths):
        raise TypeError(f"lengths: expected a sequence of ints or of fractions, got {lengths!r}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(int(math.floor(n * frac)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an "
                              "empty dataset.")
        lengths = sizes
    if any(int(x) != x or x < 0 for x in lengths):
        raise ValueError(f"lengths: expected non-negative ints or fractions summing to 1, got "
                         f"{lengths!r}")
    lengths = [int(x) for x in lengths]
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    return lengths


def random_split(dataset, lengths: Sequence, generator=None) -> list[Subset]:
    """Split ``dataset`` into ``len(lengths)`` :class:`Subset` s of those lengths (ints, or
    fractions summing to 1: see :func:`split_lengths`), from one random permutation of
    its indices: the first split takes the first lengths[0] of it, and so on.

    generator: an int seed, a numpy.random.Generator, a PyTorch-style generator (see
    :func:`minigrad.data.sampler.as_generator`), or None for minigrad's global generator
    (seeded by minigrad.manual_seed). The same seed gives the same split, though not
    the split torch draws (a different generator)."""
    sizes = split_lengths(len(dataset), lengths)
    rng = as_generator(generator)
    rng = rng if rng is not None else _random.generator()
    indices = rng.permutation(sum(sizes)).tolist()
    return [Subset(dataset, indices[offset - size: offset])
            for offset, size in zip(itertools.accumulate(sizes), sizes)]
