"""The main process's side of DataLoader workers: starting them, handing out indices,
putting the batches back in order, and shutting them down.

One epoch with n workers: the main process walks the sampler, sends task k (a list of
indices) to worker k mod n, keeping ``prefetch_factor * n`` tasks outstanding, and yields
the answers in task order, buffering those that arrive early, so the batches are the
ones num_workers=0 gives, in the same order (the base seed is drawn with
``Generator.spawn``, which leaves the shuffling's stream untouched). An exception in a
worker is re-raised here naming the worker; a worker that dies or a ``timeout`` raises
RuntimeError. Workers stop when the epoch ends, when the iterator is dropped, or at an
error (persistent workers: when the loader is dropped).

With an IterableDataset each worker iterates its own copy; the tasks only say "the
next batch", still handed out round robin, and a worker whose copy is used up answers
so and gets no more tasks.
"""
from __future__ import annotations

import itertools
import multiprocessing
import queue
import time
import weakref
from typing import Any

import numpy as np

from .. import random as _random
from .worker import (STATUS_CHECK_INTERVAL, ExceptionWrapper, IterableEnd, loads, unpack,
                     worker_loop)


def draw_base_seed(rng: np.random.Generator | None) -> int:
    """A 63-bit seed for this epoch's workers, from a child of ``rng`` (the global
    generator when None): reproducible under the same seed, and without consuming
    ``rng``'s own draws, so that shuffling is the same with and without workers."""
    parent = rng if rng is not None else _random.generator()
    try:
        child = parent.spawn(1)[0]
    except TypeError:  # a bit generator made without a SeedSequence: draw from it
        child = parent
    return int(child.integers(0, 2 ** 63 - 1))


class WorkerPool:
    """n worker processes, an index queue each and one result queue."""

    def __init__(self, loader, base_seed: int) -> None:
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self.result_queue = ctx.Queue()
        self.done_event = ctx.Event()
        self.index_queues, self.workers = [], []
        for worker_id in range(loader.num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()  # never wait to flush indices nobody reads
            worker = ctx.Process(
                target=worker_loop, daemon=True,
                args=(loader.dataset, index_queue, self.result_queue, self.done_event,
                      loader.collate_fn, loader._auto_collation, loader.batch_size,
                      loader.drop_last, loader._iterable, base_seed, worker_id,
                      loader.num_workers, loader.worker_init_fn))
            worker.start()
            self.index_queues.append(index_queue)
            self.workers.append(worker)
        self.closed = False

    def dead_workers(self) -> list:
        return [w for w in self.workers if not w.is_alive()]

    def shutdown(self) -> None:
        """Ask each worker to stop, wait a little, then terminate the stragglers."""
        if self.closed:
            return
        self.closed = True
        self.done_event.set()
        for q in self.index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for w in self.workers:
            w.join(timeout=5)
            if w.is_alive():
                w.terminate()
                w.join()
        for q in self.index_queues + [self.result_queue]:
            q.cancel_join_thread()
            q.close()


class MultiProcessIterator:
    """One epoch (or, for persistent workers, each epoch after a :meth:`reset`) of a
    DataLoader with workers."""

    def __init__(self, loader) -> None:
        # A persistent iterator is held by its loader: a weak reference back avoids a
        # cycle, so that dropping the loader stops the workers at once.
        self._loader = weakref.ref(loader) if loader.persistent_workers else (lambda: loader)
        self.timeout, self.persistent = loader.timeout, loader.persistent_workers
        self.pool: WorkerPool | None = None
        self.epoch = -1
        self.reset()

    def reset(self) -> None:
        loader = self._loader()
        self.epoch += 1
        self.indices = loader._index_iter()
        # The sampler draws its permutation at its first step: take it before the base
        # seed (which must not disturb it anyway, see draw_base_seed).
        first = next(self.indices, _END)
        self.indices = itertools.chain([first], self.indices) if first is not _END else iter(())
        base_seed = draw_base_seed(loader._rng)
        if self.pool is None or self.pool.closed:
            self.pool = WorkerPool(loader, base_seed)
        self.active = [True] * loader.num_workers
        self.worker_cycle = itertools.cycle(range(loader.num_workers))
        self.sent, self.received = 0, 0
        self.task_worker: dict[int, int] = {}  # outstanding task -> its worker
        self.early: dict[int, Any] = {}        # answers that came before their turn
        for _ in range(loader.prefetch_factor * loader.num_workers):
            self._send()

    def _send(self) -> None:
        """Send the next task to the next worker still active, if there is one."""
        if not any(self.active):
            return
        indices = next(self.indices, _END)
        if indices is _END:
            return
        worker_id = next(w for w in self.worker_cycle if self.active[w])
        self.pool.index_queues[worker_id].put(((self.epoch, self.sent), indices))
        self.task_worker[self.sent] = worker_id
        self.sent += 1

    def __iter__(self) -> "MultiProcessIterator":
        return self

    def __len__(self) -> int:
        return len(self._loader())

    def __next__(self) -> Any:
        while True:
            # Skip the tasks of workers whose stream ended (iterable datasets): their
            # answers were or will be IterableEnd.
            while self.received < self.sent and (
                    isinstance(self.early.get(self.received), IterableEnd)
                    or (self.received not in self.early
                        and not self.active[self.task_worker[self.received]])):
                self.early.pop(self.received, None)
                del self.task_worker[self.received]
                self.received += 1
            if self.received >= self.sent:
                self._end_epoch()
                raise StopIteration
            if self.received in self.early:
                data = self.early.pop(self.received)
                return self._deliver(data)
            task, data = self._get()
            epoch, task_id = task
            if epoch != self.epoch:  # an answer left over from an abandoned epoch
                continue
            if isinstance(data, IterableEnd):
                self.active[data.worker_id] = False
                if task_id >= self.received:
                    self.early[task_id] = data  # skipped when its turn comes
                self._send()  # hand its share to the others
                continue
            if task_id != self.received:
                self.early[task_id] = data
                continue
            return self._deliver(data)

    def _deliver(self, data: Any) -> Any:
        self.task_worker.pop(self.received, None)
        self.received += 1
        if isinstance(data, ExceptionWrapper):
            self.shutdown()
            data.reraise()
        self._send()
        return unpack(data)

    def _get(self) -> tuple:
        """The next answer from any worker; RuntimeError on a timeout or a dead worker."""
        timeout = self.timeout
        start = time.monotonic()
        while True:
            wait = STATUS_CHECK_INTERVAL if not timeout else min(
                STATUS_CHECK_INTERVAL, max(timeout - (time.monotonic() - start), 0.001))
            try:
                return loads(self.pool.result_queue.get(timeout=wait))
            except queue.Empty:
                pass
            if timeout and time.monotonic() - start >= timeout:
                self.shutdown()
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")
            dead = self.pool.dead_workers()
            if dead:
                pids = ", ".join(str(w.pid) for w in dead)
                codes = ", ".join(str(w.exitcode) for w in dead)
                self.shutdown()
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly "
                                   f"(exit code(s) {codes})")

    def _end_epoch(self) -> None:
        if not self.persistent:
            self.shutdown()

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def __del__(self) -> None:
        try:
            self.shutdown()
        except Exception:  # interpreter shutdown: the queues may be gone already
            pass


_END = object()
