"""Subset, ConcatDataset, IterableDataset, ChainDataset, random_split, Dataset + Dataset."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad
from minigrad.data import (ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset,
                           Subset, TensorDataset, default_collate, random_split)
from minigrad.data.split import split_lengths


class Numbers(Dataset):
    def __init__(self, values):
        self.values = list(values)

    def __getitem__(self, i):
        return self.values[i]

    def __len__(self):
        return len(self.values)


class Batched(Numbers):
    calls = 0

    def get_batch(self, indices):
        Batched.calls += 1
        return default_collate([self.values[i] for i in indices])


def test_subset_maps_indices_and_keeps_the_get_batch_fast_path():
    ds = Batched(range(100, 110))
    sub = Subset(ds, [9, 0, 4])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [109, 100, 104]
    assert sub.__getitems__([2, 1]) == [104, 100]
    Batched.calls = 0
    assert [b.tolist() for b in DataLoader(sub, batch_size=2)] == [[109, 100], [104]]
    assert Batched.calls == 2
    assert getattr(Subset(Numbers(range(3)), [0]), "get_batch", None) is None


def test_subset_of_a_tensor_dataset_batches_as_its_items():
    x = minigrad.tensor(np.arange(12, dtype=np.float32).reshape(6, 2))
    sub = Subset(TensorDataset(x, minigrad.tensor(np.arange(6))), [5, 3, 1])
    fast = sub.get_batch([0, 2])
    slow = default_collate([sub[0], sub[2]])
    for f, s in zip(fast, slow):
        np.testing.assert_array_equal(f._array, s._array)


def test_concat_dataset_and_add():
    a, b, c = Numbers([1, 2, 3]), Numbers([]), Numbers([4, 5])
    cat = a + b + c
    assert isinstance(cat, ConcatDataset) and len(cat) == 5
    assert [cat[i] for i in range(5)] == [1, 2, 3, 4, 5] and cat[-1] == 5 and cat[-5] == 1
    assert ConcatDataset([a, c]).cumulative_sizes == [3, 5]
    with pytest.raises(IndexError):
        cat[5]
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-6]
    with pytest.raises(AssertionError, match="should not be an empty"):
        ConcatDataset([])


def test_concat_dataset_matches_torch():
    torch = pytest.importorskip("torch")
    parts = [list(range(3)), list(range(10, 12)), list(range(20, 24))]
    ours = ConcatDataset([Numbers(p) for p in parts])
    theirs = torch.utils.data.ConcatDataset(parts)
    assert [ours[i] for i in range(-9, 9)] == [theirs[i] for i in range(-9, 9)]


class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_and_chain_datasets():
    chain = Count(2) + Count(3)
    assert isinstance(chain, ChainDataset) and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Count(2)])
    with pytest.raises(TypeError, match="no indexing"):
        Count(2)[0]
    assert [b.tolist() for b in DataLoader(chain, batch_size=2)] == [[0, 1], [0, 1], [2]]


@pytest.mark.filterwarnings("ignore:Length of split")  # empty splits warn, as in torch
@pytest.mark.parametrize("n,fractions", [(10, [0.5, 0.3, 0.2]), (11, [0.5, 0.3, 0.2]),
                                         (7, [1 / 3] * 3), (5, [0.9, 0.1]), (3, [0.25] * 4)])
def test_fraction_lengths_follow_torch(n, fractions):
    # floor(n * f) each, then the remainder one by one from the first split.
    expected = [int(np.floor(n * f)) for f in fractions]
    for i in range(n - sum(expected)):
        expected[i % len(expected)] += 1
    assert split_lengths(n, fractions) == expected
    torch = pytest.importorskip("torch")
    assert [len(s) for s in torch.utils.data.random_split(range(n), fractions)] == expected


@pytest.mark.filterwarnings("ignore:Length of split")  # [0, n] with n = 1 reads as fractions
@given(n=st.integers(0, 40), seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(0, 40),
                                                                           max_size=3))
def test_random_split_partitions_the_indices(n, seed, cuts):
    cuts = sorted(min(c, n) for c in cuts)
    lengths = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    parts = random_split(Numbers(range(n)), lengths, generator=seed)
    assert [len(p) for p in parts] == lengths
    seen = [p[i] for p in parts for i in range(len(p))]
    assert sorted(seen) == list(range(n))
    assert seen == np.random.default_rng(seed).permutation(n).tolist()   # one permutation
    again = random_split(Numbers(range(n)), lengths, generator=seed)
    assert [p.indices for p in again] == [p.indices for p in parts]


def test_random_split_generators_and_errors():
    minigrad.manual_seed(5)
    a = random_split(Numbers(range(20)), [0.5, 0.5])
    minigrad.manual_seed(5)
    assert [s.indices for s in random_split(Numbers(range(20)), [0.5, 0.5])] == \
        [s.indices for s in a]

    class TorchStyle:  # a generator object in PyTorch's style
        def manual_seed(self, seed):
            self.seed = seed
            return self

        def initial_seed(self):
            return self.seed

    b = random_split(Numbers(range(20)), [10, 10], generator=TorchStyle().manual_seed(9))
    assert b[0].indices == np.random.default_rng(9).permutation(20).tolist()[:10]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(Numbers(range(5)), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(Numbers(range(5)), [0.5, -0.5, 1.0])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Numbers(range(2)), [0.9, 0.1])


# ---- SubsetRandomSampler, WeightedRandomSampler --------------------------------------
def test_subset_random_sampler_permutes_its_indices():
    from minigrad.data import SubsetRandomSampler
    sampler = SubsetRandomSampler([10, 20, 30, 40], generator=3)
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == [10, 20, 30, 40] and len(sampler) == 4
    order = np.random.default_rng(3).permutation(4)
    assert first == [[10, 20, 30, 40][i] for i in order]
    loader = DataLoader(Numbers(range(50)), batch_size=2, sampler=SubsetRandomSampler([1, 3, 5]))
    assert sorted(v for b in loader for v in b.tolist()) == [1, 3, 5]


def test_weighted_random_sampler_frequencies_and_errors():
    from minigrad.data import WeightedRandomSampler
    draws = np.array(list(WeightedRandomSampler([1.0, 0.0, 3.0], 4000, generator=0)))
    counts = np.bincount(draws, minlength=3)
    assert counts[1] == 0 and abs(counts[2] / 4000 - 0.75) < 0.03   # sd ~0.007
    once = list(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False, generator=1))
    assert sorted(once) == [0, 1, 2]
    with pytest.raises(RuntimeError, match="without replacement"):
        WeightedRandomSampler([1, 0], 2, replacement=False)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1, 1], 0)
    with pytest.raises(RuntimeError, match="invalid multinomial distribution"):
        WeightedRandomSampler([-1, 2], 1)
