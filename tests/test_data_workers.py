"""DataLoader with worker processes: order, seeding, get_worker_info, errors, shutdown.
Tiny datasets, 2 workers, a few batches each."""
import faulthandler
import multiprocessing
import os
import random
import time

import numpy as np
import pytest

import minigrad
from minigrad.data import (DataLoader, Dataset, IterableDataset, Subset, TensorDataset,
                           get_worker_info)
from minigrad.data.pool import draw_base_seed


@pytest.fixture(autouse=True)
def no_hang():
    """A loader bug that leaves the main process waiting fails the run with tracebacks
    after a minute instead of hanging the suite."""
    faulthandler.dump_traceback_later(60, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def tensor_dataset(n=13):
    x = np.arange(n, dtype=np.float32).reshape(n, 1) * 10
    return TensorDataset(minigrad.tensor(x), minigrad.tensor(np.arange(n)))


class Plain(Dataset):
    """Samples (i, 10 * i), one call per sample (no get_batch)."""

    def __init__(self, n=11):
        self.n = n

    def __getitem__(self, i):
        return i, 10.0 * i

    def __len__(self):
        return self.n


class WhoAmI(Dataset):
    """Each sample says which worker made it, with its seed and one draw from each of
    minigrad's, Python's and NumPy's legacy generators."""

    def __getitem__(self, i):
        info = get_worker_info()
        return np.array([info.id, info.seed % 2**31, info.num_workers, os.getpid(),
                         minigrad.random.generator().integers(2**31), random.randrange(2**31),
                         np.random.randint(2**31)], dtype=np.int64)

    def __len__(self):
        return 8


def no_leftover_workers():
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children() == []


def as_lists(batch):
    """A batch with its tensors as nested lists (to compare two loaders' batches)."""
    if isinstance(batch, minigrad.Tensor):
        return batch.tolist()
    if isinstance(batch, (list, tuple)):
        return [as_lists(b) for b in batch]
    return batch


def batches_as_lists(loader):
    return [as_lists(batch) for batch in loader]


@pytest.mark.parametrize("make,kwargs", [
    (tensor_dataset, dict(batch_size=3, shuffle=True, generator=4)),       # get_batch path
    (Plain, dict(batch_size=4, shuffle=True, generator=5, drop_last=True)),
    (Plain, dict(batch_size=None)),                                        # no batching
    (lambda: Subset(tensor_dataset(), [5, 1, 8, 2, 12, 0, 3]), dict(batch_size=2)),
])
def test_batches_and_their_order_are_those_of_num_workers_0(make, kwargs):
    ds = make()
    single = DataLoader(ds, **kwargs)
    multi = DataLoader(ds, num_workers=2, **kwargs)
    for _ in range(2):                                   # two epochs: two permutations
        expected = batches_as_lists(single)
        assert batches_as_lists(multi) == expected and len(expected) == len(multi)
    assert no_leftover_workers()


def test_batches_come_back_as_tensors_and_numpy_stays_numpy():
    loader = DataLoader(tensor_dataset(6), batch_size=3, num_workers=2)
    x, y = next(iter(loader))
    assert isinstance(x, minigrad.Tensor) and x.dtype == minigrad.float32 and x.shape == (3, 1)
    assert y.dtype == minigrad.int64
    raw = list(DataLoader(Plain(4), batch_size=2, num_workers=2,
                          collate_fn=lambda s: np.array([i for i, _ in s])))
    assert all(type(b) is np.ndarray for b in raw) and [b.tolist() for b in raw] == [[0, 1], [2, 3]]


def test_workers_are_seeded_base_seed_plus_id_and_reproducibly():
    def run(seed):
        minigrad.manual_seed(seed)
        return np.concatenate([b._array for b in DataLoader(WhoAmI(), batch_size=2,
                                                           num_workers=2)])
    first, again, other = run(0), run(0), run(1)
    ids, seeds = first[:, 0], first[:, 1]
    assert ids.tolist() == [0, 0, 1, 1, 0, 0, 1, 1]       # task k -> worker k mod 2
    assert set(first[:, 2]) == {2}
    # Worker seeds: base_seed + worker_id, the base drawn (spawned) from the generator.
    minigrad.manual_seed(0)
    base = draw_base_seed(None)
    assert seeds[ids == 0][0] == base % 2**31 and seeds[ids == 1][0] == (base + 1) % 2**31
    # Each worker's minigrad and Python generators are seeded with its seed.
    for worker in (0, 1):
        rows = first[ids == worker]
        minigrad.manual_seed(base + worker)
        expected = [minigrad.random.generator().integers(2**31) for _ in range(len(rows))]
        assert rows[:, 4].tolist() == expected
        random.seed(base + worker)
        assert rows[:, 5].tolist() == [random.randrange(2**31) for _ in range(len(rows))]
    assert len(set(first[:, 3])) == 2                       # two processes
    assert first[ids == 0][0, 4] != first[ids == 1][0, 4]   # distinct streams
    assert first[ids == 0][0, 6] != first[ids == 1][0, 6]
    np.testing.assert_array_equal(np.delete(first, 3, 1), np.delete(again, 3, 1))
    assert not np.array_equal(first[:, 4], other[:, 4])
    assert get_worker_info() is None                        # in the main process


def test_base_seed_does_not_disturb_shuffling():
    minigrad.manual_seed(3)
    draw_base_seed(None)
    after = minigrad.random.generator().integers(2**31)
    minigrad.manual_seed(3)
    assert minigrad.random.generator().integers(2**31) == after


def _set_flag(worker_id):
    os.environ["MINIGRAD_TEST_WORKER"] = f"init{worker_id}"


class ReadsFlag(Dataset):
    def __getitem__(self, i):
        return os.environ.get("MINIGRAD_TEST_WORKER", "")

    def __len__(self):
        return 4


def test_worker_init_fn_runs_in_each_worker():
    got = list(DataLoader(ReadsFlag(), batch_size=1, num_workers=2, worker_init_fn=_set_flag))
    assert got == [["init0"], ["init1"], ["init0"], ["init1"]]
    assert "MINIGRAD_TEST_WORKER" not in os.environ          # set in the workers only


class Fails(Dataset):
    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"no sample {i}")
        return i

    def __len__(self):
        return 8


def test_worker_exceptions_are_raised_here_with_the_worker_id():
    loader = DataLoader(Fails(), batch_size=2, num_workers=2)
    it = iter(loader)
    assert [next(it).tolist(), next(it).tolist()] == [[0, 1], [2, 3]]   # before the failure
    with pytest.raises(KeyError, match=r"Caught KeyError in DataLoader worker process 0"
                                       r"(.|\n)*no sample 5"):
        next(it)
    assert no_leftover_workers()


def _fail_init(worker_id):
    raise ValueError(f"init of {worker_id} failed")


def test_worker_init_fn_errors_are_raised():
    with pytest.raises(ValueError, match="worker process 0 .in worker_init_fn.(.|\n)*init of 0"):
        list(DataLoader(Plain(4), batch_size=2, num_workers=2, worker_init_fn=_fail_init))
    assert no_leftover_workers()


class Dies(Dataset):
    def __getitem__(self, i):
        if i == 2:
            os._exit(3)
        return i

    def __len__(self):
        return 4


def test_a_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly \(exit code\(s\) 3\)"):
        list(DataLoader(Dies(), batch_size=1, num_workers=2))
    assert no_leftover_workers()


class Slow(Dataset):
    def __getitem__(self, i):
        time.sleep(1.0)
        return i

    def __len__(self):
        return 2


def test_timeout():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(DataLoader(Slow(), batch_size=1, num_workers=2, timeout=0.2))
    assert time.monotonic() - start < 5
    assert no_leftover_workers()


def test_breaking_out_of_an_epoch_stops_the_workers():
    loader = DataLoader(tensor_dataset(40), batch_size=2, num_workers=2)
    for i, _ in enumerate(loader):
        if i == 1:
            break
    del _
    assert no_leftover_workers()
    assert len(list(loader)) == 20                         # a new epoch starts afresh


def test_persistent_workers_keep_their_processes_between_epochs():
    loader = DataLoader(WhoAmI(), batch_size=4, num_workers=2, persistent_workers=True,
                        pin_memory=True, prefetch_factor=1)
    pids = [set(np.concatenate([b._array for b in loader])[:, 3]) for _ in range(2)]
    assert len(pids[0]) == 2 and pids[0] == pids[1]
    assert len(multiprocessing.active_children()) == 2
    del loader
    assert no_leftover_workers()


class Stream(IterableDataset):
    """0..n-1, each worker taking every num_workers-th (PyTorch's recipe)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


def test_iterable_dataset_with_and_without_workers():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Stream(7), batch_size=3)) == 3
    got = [b.tolist() for b in DataLoader(Stream(7), batch_size=2, num_workers=2)]
    # worker 0 streams 0, 2, 4, 6 and worker 1 streams 1, 3, 5; batches alternate.
    assert got == [[0, 2], [1, 3], [4, 6], [5]]
    assert no_leftover_workers()
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)


def test_explicit_fork_context_object():
    ctx = multiprocessing.get_context("fork")
    got = batches_as_lists(DataLoader(tensor_dataset(5), batch_size=2, num_workers=2,
                                      multiprocessing_context=ctx))
    assert [y for _, y in got] == [[0, 1], [2, 3], [4]]


def test_a_batch_that_cannot_be_pickled_is_an_error_not_a_hang():
    class Local(Exception):  # a local class: pickling it by reference fails
        pass

    def collate(samples):
        return (x for x in samples)                       # a generator: not picklable

    with pytest.raises(TypeError, match="worker process 0 .sending the batch(.|\n)*pickle"):
        list(DataLoader(Plain(4), batch_size=2, num_workers=2, collate_fn=collate))

    def raises_local(samples):
        raise Local("local failure")

    with pytest.raises(RuntimeError, match="Caught Local in DataLoader worker(.|\n)*local failure"):
        list(DataLoader(Plain(4), batch_size=2, num_workers=2, collate_fn=raises_local))
    assert no_leftover_workers()


def test_iterable_dataset_without_batching():
    got = list(DataLoader(Stream(3), batch_size=None, num_workers=2))
    assert sorted(got) == [0, 1, 2]
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]


class UsesOps(Dataset):
    """Computes with minigrad ops in the worker and reports which kernels ran them."""

    def __getitem__(self, i):
        from minigrad.dispatch import registry
        x = minigrad.tensor(np.full((3, 3), float(i), dtype=np.float32))
        chosen = {op: registry.selected(op, "cpu") for op in ("matmul", "relu", "sum")
                  if op in registry.ops()}
        return float(((x @ x).relu() * 2).sum().item()), sorted(set(chosen.values()))

    def __len__(self):
        return 3


def test_workers_run_minigrad_ops_on_the_numpy_kernels():
    # Numba's threaded kernels use GNU OpenMP, which aborts in a forked child once the
    # parent has used it; workers use the NumPy kernels (one thread, as PyTorch's).
    a = minigrad.rand(256, 256)
    (a @ a).relu().sum().item()                            # the parent computes first
    got = list(DataLoader(UsesOps(), batch_size=None, num_workers=2))
    assert [v for v, _ in got] == [2 * 9 * 3 * i * i for i in range(3)]   # 2 * sum(x @ x)
    assert all(kinds == ["numpy"] for _, kinds in got)
    from minigrad.data.worker import numpy_kernels
    assert numpy_kernels() and set(numpy_kernels().values()) == {"numpy"}
