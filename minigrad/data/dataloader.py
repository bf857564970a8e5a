"""DataLoader: iterate over a dataset in (shuffled) batches, as torch.utils.data."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from .collate import default_collate, default_convert
from .dataset import Dataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _is_int


class DataLoader:
    """Batches of a map-style dataset, with PyTorch's signature and semantics, in the
    calling process (no workers).

    ``for images, labels in DataLoader(train_set, batch_size=128, shuffle=True)`` yields
    minigrad tensors: images float32 (B, C, H, W), labels int64 (B,); the last batch is
    smaller unless ``drop_last``. Each iteration (epoch) draws a new permutation.

    dataset: anything with ``__getitem__`` and ``__len__``. When it defines
        ``get_batch(indices)`` (see :class:`Dataset`) and the default collate function
        is used, a batch is fetched with one call instead of one per sample.
    batch_size: samples per batch, or None to yield samples one by one (each passed
        through ``collate_fn``, default :func:`default_convert`).
    shuffle: visit the samples in a new random order each epoch.
    sampler / batch_sampler: an iterable of indices / of lists of indices, replacing
        the default order (mutually exclusive with shuffle / with batch_size, shuffle,
        sampler and drop_last), as in PyTorch.
    num_workers: must be 0: minigrad loads data in the calling process.
    collate_fn: turns a list of samples into a batch (default :func:`default_collate`).
    pin_memory: accepted and ignored (there is no pinned memory in minigrad).
    drop_last: drop the last, incomplete batch.
    generator: the shuffling's randomness: an int seed (a generator made once, so
        epochs differ yet runs repeat), a numpy.random.Generator, or None to draw from
        minigrad's global generator (seeded by minigrad.manual_seed). PyTorch takes a
        torch.Generator.
    timeout, worker_init_fn, multiprocessing_context, prefetch_factor,
    persistent_workers: worker options, accepted at their defaults only.

    ``len(loader)`` is the number of batches: ceil(N / batch_size), or
    floor(N / batch_size) with drop_last; N with batch_size=None.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Iterable[int] | None = None,
                 batch_sampler: Iterable[list] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context=None,
                 generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False) -> None:
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError("dataset: expected a map-style dataset with __getitem__ and __len__, "
                            f"got {type(dataset).__name__} (iterable datasets are not supported)")
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if num_workers != 0:
            raise ValueError(f"num_workers={num_workers} is not supported: minigrad's DataLoader "
                             "loads data in the calling process; use num_workers=0")
        worker_options = (("timeout", timeout, 0), ("worker_init_fn", worker_init_fn, None),
                          ("multiprocessing_context", multiprocessing_context, None),
                          ("prefetch_factor", prefetch_factor, None),
                          ("persistent_workers", persistent_workers, False))
        for name, value, default in worker_options:
            if value != default:
                raise ValueError(f"{name}={value!r} is not supported: it is a worker option and "
                                 "minigrad's DataLoader has no workers")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        if batch_size is not None and (not _is_int(batch_size) or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn: expected a callable, got {type(collate_fn).__name__}")

        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = 0
        self.pin_memory = bool(pin_memory)
        self.generator = generator
        self._auto_collation = batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __iter__(self) -> Iterator[Any]:
        if not self._auto_collation:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        fetch = self._fetcher()
        for indices in self.batch_sampler:
            yield fetch(indices)

    def _fetcher(self) -> Callable[[list], Any]:
        dataset, collate = self.dataset, self.collate_fn
        if collate is default_collate and callable(getattr(dataset, "get_batch", None)):
            return dataset.get_batch
        getitems = getattr(dataset, "__getitems__", None)
        if callable(getitems):
            return lambda indices: collate(getitems(indices))
        return lambda indices: collate([dataset[i] for i in indices])

    def __len__(self) -> int:
        return len(self.batch_sampler if self._auto_collation else self.sampler)
