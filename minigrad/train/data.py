"""The datasets ``minigrad train`` knows by name, normalised as is usual for them, and
the training augmentations a recipe (or ``--augment``) can ask for."""
from __future__ import annotations

import os
from typing import Any, Callable

import numpy as np

from ..data import MNIST, DataLoader, FashionMNIST
from ..data.transforms import Compose, Normalize, Pad, RandomCrop, RandomHorizontalFlip
from ..tensor import Tensor

# name -> (dataset class, per-channel mean, std of the training images in [0, 1])
DATASETS: dict[str, tuple[type, tuple[float, ...], tuple[float, ...]]] = {
    "fashion-mnist": (FashionMNIST, (0.2860,), (0.3530,)),
    "mnist": (MNIST, (0.1307,), (0.3081,)),
}

# --augment names, in the order they are applied, each drawing per image from minigrad's
# global generator (so manual_seed repeats them):
#   crop: a random HxW window of the image zero-padded by CROP_PADDING pixels on each
#         side (torchvision's RandomCrop(H, padding=2)): shifts of up to 2 pixels;
#   flip: a left-right mirror with probability 1/2 (RandomHorizontalFlip()). Fashion-MNIST's
#         clothes are about symmetric; MNIST's digits are not, do not flip those.
AUGMENTATIONS = ("crop", "flip")
CROP_PADDING = 2


def _entry(name: str) -> tuple[type, tuple[float, ...], tuple[float, ...]]:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"dataset: unknown dataset {name!r}; known: "
                         f"{', '.join(DATASETS)}") from None


def parse_augment(text: str | None) -> list[str]:
    """``"crop,flip"`` -> ``["crop", "flip"]``; ``"none"``, ``""`` and None -> ``[]``.
    Unknown or repeated names raise ValueError."""
    if text is None or text.strip().lower() in ("", "none"):
        return []
    names = [part.strip().lower() for part in text.split(",")]
    for name in names:
        if name not in AUGMENTATIONS:
            raise ValueError(f"augment: unknown augmentation {name!r}; known: "
                             f"{', '.join(AUGMENTATIONS)} (comma-separated), or none")
    if len(set(names)) != len(names):
        raise ValueError(f"augment: {text!r} names an augmentation twice")
    return sorted(names, key=AUGMENTATIONS.index)


class PerImage:
    """Apply ``transform`` to each image of a batch (B, C, H, W) and stack the results:
    the per-sample path of ``get_batch``, packaged as a batchable transform so that
    the cheap deterministic steps around it (padding, Normalize) run once per batch.
    The images are visited in batch order, so the random draws are those a per-sample
    pipeline would make."""

    batchable = True

    def __init__(self, transform: Callable) -> None:
        self.transform = transform

    def __call__(self, batch: Tensor) -> Tensor:
        if batch.ndim == 3:  # one image (C, H, W): ``dataset[i]``
            return self.transform(batch)
        arrays = [self.transform(Tensor._wrap(image))._array for image in batch._array]
        return Tensor._wrap(np.stack(arrays) if arrays else batch._array.copy())

    def __repr__(self) -> str:
        return f"PerImage({self.transform!r})"


def train_transform(mean: tuple[float, ...], std: tuple[float, ...], augment: list[str],
                    size: tuple[int, int]) -> Callable:
    """``Normalize(mean, std)`` after the augmentations named in ``augment`` for images of
    ``size`` (H, W). The result equals torchvision's per-sample
    ``Compose([RandomCrop(size, padding=2), RandomHorizontalFlip(), Normalize(mean, std)])``
    draw for draw; the padding (batchable) and Normalize run once per batch, only the
    random crop and flip once per image (a per-image RandomCrop with padding spends most
    of its time padding: ~80 us of its ~95)."""
    if not augment:
        return Normalize(mean, std)
    steps: list[Callable] = []
    random: list[Callable] = []
    if "crop" in augment:
        steps.append(Pad(CROP_PADDING))
        random.append(RandomCrop(size))
    if "flip" in augment:
        random.append(RandomHorizontalFlip())
    return Compose([*steps, PerImage(Compose(random)), Normalize(mean, std)])


def load_split(name: str, root: str | os.PathLike | None, train: bool,
               augment: list[str] | None = None) -> Any:
    """The training or test split of dataset ``name``, read from ``root`` (None: the
    dataset's default root), with ``Normalize(mean, std)`` applied per batch, after the
    random ``augment`` steps (see AUGMENTATIONS; training split only).
    A missing dataset raises FileNotFoundError saying how to get it."""
    cls, mean, std = _entry(name)
    if augment and not train:
        raise ValueError("augment: the test split is evaluated as it is, not augmented")
    dataset = cls(root=root, train=train, transform=Normalize(mean, std))
    if augment:
        dataset.transform = train_transform(mean, std, augment, tuple(dataset.data.shape[1:3]))
    return dataset


def classes(name: str) -> list[str]:
    return list(_entry(name)[0].classes)


def default_root(name: str) -> str:
    return _entry(name)[0].default_root()


def test_loader(dataset: Any, batch_size: int) -> DataLoader:
    """Evaluation batches, in order: larger than training batches is fine (no tape)."""
    return DataLoader(dataset, batch_size=batch_size, shuffle=False)
