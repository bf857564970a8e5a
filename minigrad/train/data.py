"""The datasets ``minigrad train`` knows by name, normalised as is usual for them."""
from __future__ import annotations

import os
from typing import Any

from ..data import MNIST, DataLoader, FashionMNIST
from ..data.transforms import Normalize

# name -> (dataset class, per-channel mean, std of the training images in [0, 1])
DATASETS: dict[str, tuple[type, tuple[float, ...], tuple[float, ...]]] = {
    "fashion-mnist": (FashionMNIST, (0.2860,), (0.3530,)),
    "mnist": (MNIST, (0.1307,), (0.3081,)),
}


def _entry(name: str) -> tuple[type, tuple[float, ...], tuple[float, ...]]:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"dataset: unknown dataset {name!r}; known: "
                         f"{', '.join(DATASETS)}") from None


def load_split(name: str, root: str | os.PathLike | None, train: bool) -> Any:
    """The training or test split of dataset ``name``, read from ``root`` (None: the
    dataset's default root), with ``Normalize(mean, std)`` applied per batch.
    A missing dataset raises FileNotFoundError saying how to get it."""
    cls, mean, std = _entry(name)
    return cls(root=root, train=train, transform=Normalize(mean, std))


def classes(name: str) -> list[str]:
    return list(_entry(name)[0].classes)


def default_root(name: str) -> str:
    return _entry(name)[0].default_root()


def test_loader(dataset: Any, batch_size: int) -> DataLoader:
    """Evaluation batches, in order: larger than training batches is fine (no tape)."""
    return DataLoader(dataset, batch_size=batch_size, shuffle=False)
