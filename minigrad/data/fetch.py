"""How a DataLoader turns indices into a batch (in the main process or in a worker):
the dataset's ``get_batch`` / ``__getitems__`` fast paths, or one call per sample; for
iterable datasets, the next ``batch_size`` samples of the stream."""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator

from .collate import default_collate


def map_fetcher(dataset, collate: Callable, auto_collation: bool) -> Callable[[Any], Any]:
    """fetch(indices) -> batch (auto_collation), or fetch(index) -> converted sample."""
    if not auto_collation:
        return lambda index: collate(dataset[index])
    if collate is default_collate and callable(getattr(dataset, "get_batch", None)):
        return dataset.get_batch
    getitems = getattr(dataset, "__getitems__", None)
    if callable(getitems):
        return lambda indices: collate(getitems(indices))
    return lambda indices: collate([dataset[i] for i in indices])


def iterable_fetcher(iterator: Iterator, collate: Callable, batch_size: int | None,
                     drop_last: bool) -> Callable[[], Any]:
    """fetch() -> the next batch of the stream; StopIteration when it is used up (or
    when only a short last batch remains and ``drop_last``)."""
    if batch_size is None:
        return lambda: collate(next(iterator))

    def fetch():
        samples = list(itertools.islice(iterator, batch_size))
        if not samples or (drop_last and len(samples) < batch_size):
            raise StopIteration
        return collate(samples)

    return fetch
