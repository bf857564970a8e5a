"""DataLoader: iterate over a dataset in (shuffled) batches, as torch.utils.data, in the
calling process or in worker processes (:mod:`minigrad.data.pool`)."""
from __future__ import annotations

import multiprocessing
import multiprocessing.context
from typing import Any, Callable, Iterable, Iterator

from .collate import default_collate, default_convert
from .combine import IterableDataset
from .dataset import Dataset
from .fetch import iterable_fetcher, map_fetcher
from .sampler import (BatchSampler, RandomSampler, SequentialSampler, _is_int, as_generator,
                      check_bool, check_positive_int)
from .pool import MultiProcessIterator


class DataLoader:
    """Batches of a dataset, with PyTorch's signature and semantics.

    ``for images, labels in DataLoader(train_set, batch_size=128, shuffle=True)`` yields
    minigrad tensors: images float32 (B, C, H, W), labels int64 (B,); the last batch is
    smaller unless ``drop_last``. Each iteration (epoch) draws a new permutation.

    dataset: a map-style dataset (``__getitem__`` and ``__len__``); when it defines
        ``get_batch(indices)`` (see :class:`Dataset`) and the default collate function
        is used, a batch is fetched with one call instead of one per sample. Or an
        :class:`IterableDataset`, batched in the order it yields (no shuffle, no sampler).
    batch_size: samples per batch, or None to yield samples one by one (each passed
        through ``collate_fn``, default :func:`default_convert`).
    shuffle: visit the samples in a new random order each epoch.
    sampler / batch_sampler: an iterable of indices / of lists of indices, replacing
        the default order (mutually exclusive with shuffle / with batch_size, shuffle,
        sampler and drop_last), as in PyTorch.
    num_workers: 0 loads in the calling process; n > 0 starts n worker processes per
        epoch (or once, with ``persistent_workers``) that fetch and collate batches
        while the main process trains. Batches come in the same order as with 0 workers
        (PyTorch's in-order rule). Workers run minigrad ops on the NumPy kernels, one
        thread each (PyTorch: one thread per worker). See :mod:`minigrad.data.pool`.
    collate_fn: turns a list of samples into a batch (default :func:`default_collate`).
    pin_memory: accepted and a no-op: minigrad's CPU batches are ordinary NumPy arrays
        and its host-to-GPU copies do not use page-locked memory.
    drop_last: drop the last, incomplete batch.
    timeout: seconds to wait for a worker's batch before raising RuntimeError (0: no
        limit).
    worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker, after its
        seeding.
    multiprocessing_context: a start method name ('fork', 'spawn', 'forkserver') or a
        multiprocessing context; default the platform's (fork on Linux: the dataset is
        shared with the workers copy-on-write; with spawn it, the collate function and
        the transforms must be picklable, so no lambdas).
    generator: the shuffling's randomness and the workers' base seed: an int seed (a
        generator made once, so epochs differ yet runs repeat), a numpy.random.Generator,
        a PyTorch-style generator (see :func:`minigrad.data.sampler.as_generator`), or
        None to draw from minigrad's global generator (seeded by minigrad.manual_seed).
    prefetch_factor: batches each worker loads ahead (default 2 with workers; must be
        None without).
    persistent_workers: keep the workers between epochs (they keep their first seeds,
        as in PyTorch).

    ``len(loader)`` is the number of batches: ceil(N / batch_size), or
    floor(N / batch_size) with drop_last; N with batch_size=None; the dataset's
    ``len`` divided likewise for an iterable dataset (TypeError when it has none).
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Iterable[int] | None = None,
                 batch_sampler: Iterable[list] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context=None,
                 generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False) -> None:
        iterable = isinstance(dataset, IterableDataset)
        map_style = hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")
        if not iterable and not map_style:
            raise TypeError("dataset: expected a map-style dataset with __getitem__ and __len__, "
                            f"or an IterableDataset, got {type(dataset).__name__}")
        self._check_worker_options(num_workers, timeout, worker_init_fn, prefetch_factor,
                                   persistent_workers)
        check_bool("drop_last", drop_last)
        if batch_size is not None:
            check_positive_int("batch_size", batch_size)
        shuffle = bool(shuffle)
        if iterable and shuffle:
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                             f"option, but got shuffle={shuffle}")
        if iterable and sampler is not None:
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler "
                             f"option, but got sampler={sampler}")
        if iterable and batch_sampler is not None:
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                             f"batch_sampler option, but got batch_sampler={batch_sampler}")
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

        # One generator for the shuffling and the workers' base seeds (None: the global
        # one, looked up at each use).
        self._rng = as_generator(generator)
        if sampler is None and not iterable:
            sampler = (RandomSampler(dataset, generator=self._rng) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = bool(pin_memory)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = self._context(multiprocessing_context, num_workers)
        self.prefetch_factor = (2 if prefetch_factor is None else prefetch_factor) \
            if num_workers > 0 else None
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._iterable = iterable
        self._auto_collation = batch_size is not None if iterable else batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._persistent_iterator: MultiProcessIterator | None = None

    @staticmethod
    def _check_worker_options(num_workers, timeout, worker_init_fn, prefetch_factor,
                              persistent_workers) -> None:
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"worker_init_fn: expected a callable, got "
                            f"{type(worker_init_fn).__name__}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if prefetch_factor is not None and (not _is_int(prefetch_factor) or prefetch_factor <= 0):
            raise ValueError(f"prefetch_factor option should be a positive int, got "
                             f"{prefetch_factor!r}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

    @staticmethod
    def _context(context, num_workers: int):
        if context is None:
            return None
        if num_workers == 0:
            raise ValueError("multiprocessing_context can only be used with multi-process "
                             f"loading (num_workers > 0), but got num_workers={num_workers}")
        if isinstance(context, str):
            methods = multiprocessing.get_all_start_methods()
            if context not in methods:
                raise ValueError(f"multiprocessing_context option should specify a valid start "
                                 f"method in {methods!r}, but got "
                                 f"multiprocessing_context={context!r}")
            return multiprocessing.get_context(context)
        if not isinstance(context, multiprocessing.context.BaseContext):
            raise TypeError(f"multiprocessing_context option should be a valid context object "
                            f"or a string specifying the start method, but got "
                            f"multiprocessing_context={context!r}")
        return context

    # ---- iteration ------------------------------------------------------------
    def _index_iter(self) -> Iterator:
        """What each fetch receives: lists of indices, single indices, or (iterable
        datasets) nothing."""
        if self._iterable:
            return iter(lambda: None, object())  # endless: the stream says when it ends
        return iter(self.batch_sampler if self._auto_collation else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers == 0:
            return self._single_process_iter()
        if not self.persistent_workers:
            return MultiProcessIterator(self)
        if self._persistent_iterator is None:
            self._persistent_iterator = MultiProcessIterator(self)
        else:
            self._persistent_iterator.reset()
        return self._persistent_iterator

    def _single_process_iter(self) -> Iterator[Any]:
        if self._iterable:
            fetch = iterable_fetcher(iter(self.dataset), self.collate_fn, self.batch_size,
                                     self.drop_last)
            while True:
                try:
                    batch = fetch()
                except StopIteration:
                    return
                yield batch
        fetch = map_fetcher(self.dataset, self.collate_fn, self._auto_collation)
        for indices in self._index_iter():
            yield fetch(indices)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # TypeError when it has no length, as PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self._auto_collation else self.sampler)
