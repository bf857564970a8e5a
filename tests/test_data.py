"""minigrad.data: TensorDataset, DataLoader, samplers and default_collate."""
import collections
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad
from minigrad import dtype as dt
from minigrad.data import (BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler,
                           TensorDataset, default_collate, default_convert)


def image_dataset(n=10, c=1, h=4, w=3):
    """Images (n, c, h, w) whose first pixel is the sample's number; labels = number."""
    images = np.zeros((n, c, h, w), dtype=np.float32)
    images[:, 0, 0, 0] = np.arange(n)
    return TensorDataset(minigrad.tensor(images), minigrad.tensor(np.arange(n)))


def order(loader):
    """The labels in the order one epoch visits them."""
    return [int(v) for _, labels in loader for v in labels._array]


# ---- TensorDataset -----------------------------------------------------------------
def test_tensor_dataset_items_and_len():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = minigrad.tensor([7, 8, 9])
    ds = TensorDataset(x, y)
    assert len(ds) == 3
    xi, yi = ds[1]
    assert xi.tolist() == [3.0, 4.0] and int(yi) == 8 and yi.dtype == minigrad.int64
    assert ds[-1][1].item() == 9


def test_tensor_dataset_checks_its_tensors():
    with pytest.raises(ValueError, match=r"size mismatch.*\[3, 2\]"):
        TensorDataset(minigrad.zeros(3, 2), minigrad.zeros(2))
    with pytest.raises(TypeError, match="expected minigrad Tensors, got ndarray at position 1"):
        TensorDataset(minigrad.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d tensor"):
        TensorDataset(minigrad.tensor(1.0))


def test_dataset_base_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    with pytest.raises(NotImplementedError):
        len(Dataset())


# ---- batches -----------------------------------------------------------------------
def test_batch_shapes_dtypes_and_last_batch():
    loader = DataLoader(image_dataset(n=10, c=2), batch_size=4)
    batches = list(loader)
    assert [tuple(x.shape) for x, _ in batches] == [(4, 2, 4, 3), (4, 2, 4, 3), (2, 2, 4, 3)]
    for x, y in batches:
        assert x.dtype == minigrad.float32 and y.dtype == minigrad.int64
        assert isinstance(x, minigrad.Tensor) and isinstance(y, minigrad.Tensor)
    assert order(loader) == list(range(10))  # no shuffle: in order
    x, _ = batches[1]
    np.testing.assert_array_equal(x._array[:, 0, 0, 0], [4, 5, 6, 7])


def test_drop_last():
    loader = DataLoader(image_dataset(n=10), batch_size=4, drop_last=True)
    assert [len(y._array) for _, y in loader] == [4, 4]
    assert order(loader) == list(range(8))


@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 4, False), (10, 4, True), (8, 4, False),
                                                    (8, 4, True), (3, 5, False), (3, 5, True),
                                                    (1, 1, False)])
def test_len_counts_batches(n, batch_size, drop_last):
    loader = DataLoader(image_dataset(n=n), batch_size=batch_size, drop_last=drop_last)
    expected = n // batch_size if drop_last else math.ceil(n / batch_size)
    assert len(loader) == expected == len(list(loader))


def test_default_batch_size_is_one():
    batches = list(DataLoader(image_dataset(n=3)))
    assert len(batches) == 3 and tuple(batches[0][0].shape) == (1, 1, 4, 3)


def test_batch_size_none_yields_converted_samples():
    class Pairs(Dataset):
        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32), i

        def __len__(self):
            return 3

    loader = DataLoader(Pairs(), batch_size=None)
    items = list(loader)
    assert len(loader) == 3 and len(items) == 3
    array, label = items[2]
    assert isinstance(array, minigrad.Tensor) and array.tolist() == [2.0, 2.0] and label == 2


# ---- shuffling ---------------------------------------------------------------------
def test_shuffle_with_the_same_seed_repeats_and_another_seed_differs():
    ds = image_dataset(n=50)
    a = [order(DataLoader(ds, batch_size=8, shuffle=True, generator=7)) for _ in range(2)]
    b = order(DataLoader(ds, batch_size=8, shuffle=True, generator=8))
    assert a[0] == a[1]
    assert a[0] != b
    assert a[0] != list(range(50))


def test_each_epoch_draws_a_new_permutation_reproducibly():
    ds = image_dataset(n=50)

    def two_epochs():
        loader = DataLoader(ds, batch_size=8, shuffle=True, generator=3)
        return order(loader), order(loader)

    first, second = two_epochs()
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second
    assert two_epochs() == (first, second)


def test_numpy_generator_is_used_as_given():
    ds = image_dataset(n=30)
    got = order(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(5)))
    assert got == np.random.default_rng(5).permutation(30).tolist()


def test_manual_seed_makes_unseeded_shuffling_reproducible():
    ds = image_dataset(n=40)
    loader = DataLoader(ds, batch_size=6, shuffle=True)
    minigrad.manual_seed(123)
    first = [order(loader), order(loader)]
    minigrad.manual_seed(123)
    assert [order(loader), order(loader)] == first
    minigrad.manual_seed(124)
    assert order(loader) != first[0]


@given(n=st.integers(1, 60), batch_size=st.integers(1, 17), seed=st.integers(0, 2**32 - 1),
       drop_last=st.booleans())
def test_every_sample_exactly_once_per_epoch(n, batch_size, seed, drop_last):
    loader = DataLoader(image_dataset(n=n), batch_size=batch_size, shuffle=True,
                        generator=seed, drop_last=drop_last)
    for _ in range(2):
        seen = order(loader)
        assert len(seen) == len(set(seen))
        if drop_last:
            assert len(seen) == (n // batch_size) * batch_size and set(seen) <= set(range(n))
        else:
            assert sorted(seen) == list(range(n))


# ---- samplers ----------------------------------------------------------------------
def test_custom_sampler_and_batch_sampler():
    ds = image_dataset(n=10)
    assert order(DataLoader(ds, batch_size=3, sampler=[9, 8, 7, 6])) == [9, 8, 7, 6]
    loader = DataLoader(ds, batch_sampler=[[1, 2], [5]])
    assert [y.tolist() for _, y in loader] == [[1, 2], [5]] and len(loader) == 2


def test_random_sampler_with_replacement_and_num_samples():
    draws = list(RandomSampler(range(5), replacement=True, num_samples=200, generator=0))
    assert len(draws) == 200 and set(draws) == set(range(5))
    chained = list(RandomSampler(range(4), num_samples=10, generator=1))
    assert sorted(chained[:4]) == sorted(chained[4:8]) == [0, 1, 2, 3] and len(chained) == 10


def test_batch_sampler_groups_indices():
    assert list(BatchSampler(SequentialSampler(range(5)), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(range(5), 2, False)) == 3


# ---- argument errors ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs,error,message", [
    (dict(batch_size=0), ValueError, "batch_size should be a positive integer value"),
    (dict(batch_size=2.0), ValueError, "batch_size should be a positive integer value"),
    (dict(batch_size=True), ValueError, "batch_size should be a positive integer value"),
    (dict(drop_last=1), ValueError, "drop_last should be a boolean value"),
    (dict(prefetch_factor=2), ValueError, "prefetch_factor option could only be specified"),
    (dict(multiprocessing_context="fork"), ValueError, "multiprocessing_context can only be"),
    (dict(num_workers=1, multiprocessing_context="nope"), ValueError, "valid start method"),
    (dict(timeout=-1), ValueError, "timeout option should be non-negative"),
    (dict(num_workers=2, prefetch_factor=0), ValueError, "prefetch_factor option should be a"),
    (dict(num_workers=-1), ValueError, "num_workers option should be non-negative"),
    (dict(persistent_workers=True), ValueError, "persistent_workers option needs num_workers"),
    (dict(shuffle=True, sampler=[0]), ValueError, "sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], batch_size=2), ValueError, "batch_sampler option is mutually"),
    (dict(batch_size=None, drop_last=True), ValueError, "mutually exclusive with drop_last"),
    (dict(shuffle=True, generator="seed"), TypeError, "generator: expected an int seed"),
    (dict(shuffle=True, generator=-1), ValueError, "seed must be non-negative"),
    (dict(collate_fn=3), TypeError, "collate_fn: expected a callable"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(image_dataset(n=4), **kwargs)


def test_dataset_must_be_map_style():
    with pytest.raises(TypeError, match="map-style dataset .* or an IterableDataset"):
        DataLoader(iter(range(3)))


# ---- fetching ----------------------------------------------------------------------
class Recording(Dataset):
    """Counts how samples are fetched."""

    def __init__(self, n=6):
        self.n, self.items, self.batches = n, 0, 0

    def __getitem__(self, i):
        self.items += 1
        return float(i)

    def __len__(self):
        return self.n


class WithGetBatch(Recording):
    def get_batch(self, indices):
        self.batches += 1
        return default_collate([float(i) for i in indices])


def test_get_batch_is_used_with_the_default_collate_only():
    ds = WithGetBatch()
    assert [b.tolist() for b in DataLoader(ds, batch_size=4)] == [[0, 1, 2, 3], [4, 5]]
    assert (ds.batches, ds.items) == (2, 0)
    ds = WithGetBatch()
    got = list(DataLoader(ds, batch_size=4, collate_fn=lambda samples: samples))
    assert got == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]] and (ds.batches, ds.items) == (0, 6)


def test_getitems_is_honoured_as_in_pytorch():
    class Batched(Recording):
        def __getitems__(self, indices):
            self.batches += 1
            return [10 * i for i in indices]

    ds = Batched()
    assert [b.tolist() for b in DataLoader(ds, batch_size=3)] == [[0, 10, 20], [30, 40, 50]]
    assert (ds.batches, ds.items) == (2, 0)


def test_tensor_dataset_fast_path_equals_per_item_collate():
    ds = image_dataset(n=9, c=3)
    indices = [4, 0, 8, 4]
    fast = ds.get_batch(indices)
    slow = default_collate([ds[i] for i in indices])
    assert len(fast) == len(slow) == 2
    for f, s in zip(fast, slow):
        assert f.dtype == s.dtype and f.shape == s.shape
        np.testing.assert_array_equal(f._array, s._array)


# ---- default_collate ---------------------------------------------------------------
def test_collate_tuples_become_lists_of_stacked_fields():
    batch = default_collate([(minigrad.tensor([1.0, 2.0]), 3, 0.5, True),
                             (minigrad.tensor([4.0, 5.0]), 6, 1.5, False)])
    assert isinstance(batch, list) and len(batch) == 4
    images, ints, floats, bools = batch
    assert images.tolist() == [[1.0, 2.0], [4.0, 5.0]] and images.dtype == minigrad.float32
    assert ints.tolist() == [3, 6] and ints.dtype == minigrad.int64
    assert floats.tolist() == [0.5, 1.5] and floats.dtype == minigrad.float64
    assert bools.tolist() == [True, False] and bools.dtype == minigrad.bool


def test_collate_dicts_nested_lists_strings_and_namedtuples():
    batch = default_collate([{"x": [1, 2], "name": "a"}, {"x": [3, 4], "name": "b"}])
    assert set(batch) == {"x", "name"} and batch["name"] == ["a", "b"]
    assert [t.tolist() for t in batch["x"]] == [[1, 3], [2, 4]]
    Point = collections.namedtuple("Point", "x y")
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(p) is Point and p.x.tolist() == [1, 3] and p.y.tolist() == [2.0, 4.0]


def test_collate_numpy_arrays_and_scalars():
    arrays = default_collate([np.zeros((2, 2), np.uint8), np.ones((2, 2), np.uint8)])
    # The arrays' dtype is kept, as PyTorch (uint8 -> uint8); widths minigrad lacks
    # (uint16...) map as minigrad.dtype.from_numpy_dtype says.
    assert arrays.shape == (2, 2, 2) and arrays.dtype == dt.from_numpy_dtype(np.dtype(np.uint8))
    assert default_collate([np.zeros(2, np.uint16)] * 2).dtype == dt.from_numpy_dtype(
        np.dtype(np.uint16))
    assert arrays._array[1].tolist() == [[1, 1], [1, 1]]
    floats = default_collate([np.float32(1.5), np.float32(2.5)])
    assert floats.dtype == minigrad.float32 and floats.tolist() == [1.5, 2.5]


def test_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(ValueError, match=r"but got \[2\] at entry 0 and \[3\] at entry 1"):
        default_collate([minigrad.zeros(2), minigrad.zeros(3)])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="batch must contain"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_collate_keeps_the_tape_for_tensors_that_require_grad():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    default_collate([a, b]).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [1.0, 1.0]


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": (np.float32(2.0), "s")})
    assert isinstance(out["a"], minigrad.Tensor) and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"], list) and out["b"][1] == "s"
    assert isinstance(out["b"][0], minigrad.Tensor) and out["b"][0].dtype == minigrad.float32
