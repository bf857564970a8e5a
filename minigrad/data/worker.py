"""DataLoader worker processes: the loop each worker runs, its seeding, get_worker_info,
and how batches travel between processes.

A worker is a ``multiprocessing`` process (the stdlib's: processes, queues and an event
are all a loader needs; PyTorch builds on the same module, adding only shared-memory
tensors, which minigrad does without). It receives ``(task, indices)`` on its own index
queue and answers ``(task, batch)`` on the shared result queue. Tensors in a batch travel
as their NumPy arrays (pickled by the worker and sent through the queue's pipe, never
written to disk) and are wrapped in Tensors again in the main process.

Seeding, as PyTorch: worker ``i`` of an epoch whose base seed is ``b`` seeds Python's
``random`` and minigrad's generator (``minigrad.manual_seed``) with ``b + i``, and NumPy's
legacy global generator from (b, i), before ``worker_init_fn(i)`` runs. So random
transforms differ between workers and repeat from run to run.
"""
from __future__ import annotations

import collections.abc
import os
import pickle
import queue
import random
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from .collate import _is_namedtuple, same_mapping
from .fetch import iterable_fetcher, map_fetcher

# How often a waiting process wakes to check that the other side is still alive (s).
STATUS_CHECK_INTERVAL = 0.5


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself (``get_worker_info()`` inside a worker)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker: its :class:`WorkerInfo` (id, num_workers, seed, dataset:
    this worker's copy); in the main process: None. As torch.utils.data.get_worker_info;
    an IterableDataset uses it to give each worker its share of the stream."""
    return _worker_info


class _Array:
    """A tensor's array in transit (so that the main process knows to wrap it again,
    while NumPy arrays a collate_fn returns stay NumPy arrays)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __reduce__(self):
        return _Array, (self.array,)


def pack(obj: Any) -> Any:
    """``obj`` with each Tensor (inside lists, tuples, namedtuples and dicts) replaced
    by its CPU NumPy array, marked."""
    if isinstance(obj, Tensor):
        return _Array(obj._array if not obj.is_cuda else obj.cpu()._array)
    return _map(obj, pack)


def unpack(obj: Any) -> Any:
    """The inverse of :func:`pack`: marked arrays become Tensors again (no copy)."""
    if isinstance(obj, _Array):
        return Tensor._wrap(obj.array)
    return _map(obj, unpack)


def _map(obj: Any, fn: Callable) -> Any:
    if _is_namedtuple(obj):
        return type(obj)(*(fn(x) for x in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(fn(x) for x in obj)
    if isinstance(obj, collections.abc.Mapping):
        return same_mapping(obj, {k: fn(v) for k, v in obj.items()})
    return obj


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its
    traceback as text and re-raised there (as PyTorch's)."""

    def __init__(self, exc: BaseException, where: str) -> None:
        self.exc_type = type(exc)
        self.type_name = type(exc).__name__
        try:  # the type travels by reference: one that cannot becomes a RuntimeError
            pickle.dumps(self.exc_type)
        except Exception:
            self.exc_type = RuntimeError
        self.where = where
        self.text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))

    def reraise(self):
        message = f"Caught {self.type_name} {self.where}.\nOriginal {self.text}"
        try:
            error = self.exc_type(message)
        except Exception:  # an exception type whose constructor wants other arguments
            error = RuntimeError(message)
        raise error


class IterableEnd:
    """A worker's answer once its copy of an IterableDataset is used up."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


def _dumps(task: tuple, data: Any, worker_id: int) -> bytes:
    """The answer pickled here, not in the queue's feeder thread: there a batch that
    cannot be pickled would only print an error and leave the main process waiting."""
    try:
        return pickle.dumps((task, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        error = ExceptionWrapper(e, f"in DataLoader worker process {worker_id} (sending the "
                                    f"batch: it must be picklable)")
        return pickle.dumps((task, error), protocol=pickle.HIGHEST_PROTOCOL)


def loads(message: bytes) -> tuple:
    """The inverse of :func:`_dumps`, in the main process."""
    return pickle.loads(message)


def numpy_kernels() -> dict[str, str]:
    """``use()`` choices that run every op having a NumPy implementation with it.

    PyTorch sets one thread per worker (``torch.set_num_threads(1)``) so that n workers
    do not each start a thread pool; minigrad's threaded kernels are Numba's, on GNU
    OpenMP, which also aborts a forked child that uses it after its parent did ("fork()
    called from a process already using GNU OpenMP"). Data pipelines (transforms,
    collation) are NumPy already; this covers a Dataset that computes with minigrad ops.
    Only the registry's public API is used, and nothing is imported until an op runs."""
    from ..dispatch import registry  # imported here: only workers need it

    choices = {}
    for op in registry.ops():
        try:
            with registry.use(**{op: "numpy"}):  # ValueError: no NumPy implementation
                pass
        except ValueError:
            continue
        choices[op] = "numpy"
    return choices


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed this process's generators for worker ``worker_id``; returns its seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def worker_loop(dataset, index_queue, result_queue, done_event, collate_fn: Callable,
                auto_collation: bool, batch_size: int | None, drop_last: bool, iterable: bool,
                base_seed: int, worker_id: int, num_workers: int,
                worker_init_fn: Callable | None) -> None:
    """The body of a worker process, until it receives None or its parent dies; its
    minigrad ops run on the NumPy kernels (see :func:`numpy_kernels`)."""
    from ..dispatch import registry

    with registry.use(**numpy_kernels()):
        _serve(dataset, index_queue, result_queue, done_event, collate_fn, auto_collation,
               batch_size, drop_last, iterable, base_seed, worker_id, num_workers,
               worker_init_fn)


def _serve(dataset, index_queue, result_queue, done_event, collate_fn, auto_collation,
           batch_size, drop_last, iterable, base_seed, worker_id, num_workers,
           worker_init_fn) -> None:
    global _worker_info
    parent = os.getppid()
    seed = seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    init_error = None
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as e:  # reported with the first task, as PyTorch
        init_error = ExceptionWrapper(e, f"in DataLoader worker process {worker_id} "
                                         "(in worker_init_fn)")
    fetch, epoch = None, None
    try:
        while True:
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # the main process is gone
                    break
                continue
            if task is None:
                break
            (task_epoch, task_id), indices = task
            if iterable and task_epoch != epoch:  # a new epoch: a new pass over the stream
                fetch = iterable_fetcher(iter(dataset), collate_fn, batch_size, drop_last)
            elif not iterable and fetch is None:
                fetch = map_fetcher(dataset, collate_fn, auto_collation)
            epoch = task_epoch
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = pack(fetch() if iterable else fetch(indices))
                except StopIteration:
                    data = IterableEnd(worker_id) if iterable else ExceptionWrapper(
                        StopIteration(), f"in DataLoader worker process {worker_id}")
                except Exception as e:
                    data = ExceptionWrapper(e, f"in DataLoader worker process {worker_id}")
            result_queue.put(_dumps((task_epoch, task_id), data, worker_id))
            del data
    except KeyboardInterrupt:
        pass
    if done_event.is_set():  # nobody reads what is left: do not wait to flush it
        result_queue.cancel_join_thread()
        result_queue.close()
