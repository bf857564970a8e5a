"""The image-classification dataset base shared by MNIST, FashionMNIST and CIFAR10:
finding the files (one implementation of root / torchvision layout / ``download=True``),
samples, the batched fast path, attributes.

Where files are looked for, in order: ``root``, then ``root/<subfolder>`` for each of the
class's ``_subfolders`` (torchvision's layouts: ``MNIST/raw``, ``cifar-10-batches-bin``);
with ``download=True`` also the class's default root (for Fashion-MNIST the folder
Debian's dataset-fashion-mnist installs) and its subfolders. minigrad never downloads:
``download=True`` means "take the copy installed on this machine", so a torchvision
script's ``FashionMNIST("../data", download=True)`` runs unchanged where the package is
installed, and raises FileNotFoundError saying which files to put where otherwise.
"""
from __future__ import annotations

import operator
import os
from typing import Any, Callable, Sequence

import numpy as np

from ..tensor import Tensor
from .collate import default_collate
from .dataset import Dataset


def _batchable(transform) -> bool:
    return getattr(transform, "batchable", False) is True


class VisionDataset(Dataset):
    """Images with class labels, held in memory as uint8.

    ``dataset[i]`` is ``(image, label)``: image a float32 Tensor (C, H, W) in [0, 1] (the
    uint8 pixels divided by 255: what torchvision's ToTensor makes of its PIL image),
    label a Python int, each passed through ``transform`` / ``target_transform``. Since
    ``transforms.ToTensor()`` passes such tensors through, torchvision pipelines
    (``Compose([RandomCrop(32, padding=4), RandomHorizontalFlip(), ToTensor(),
    Normalize(...)])``) work unchanged.

    Attributes: ``data`` uint8 NumPy array ((N, H, W) for grey images, (N, H, W, C) for
    colour ones, as torchvision), ``targets`` int64 NumPy array (N,) (torchvision: a
    tensor for MNIST, a list for CIFAR-10), ``classes``, ``class_to_idx``, ``root``,
    ``train``, ``files`` (the files read).

    Subclasses set ``_name``, ``_default_root``, ``_subfolders``, ``_extensions`` and
    define ``_how_to_get()``; they load ``data``/``targets`` in ``__init__``.
    """

    classes: list[str] = []
    _default_root = ""
    _name = ""
    _subfolders: tuple[str, ...] = ()
    _extensions: tuple[str, ...] = ("",)

    def __init__(self, root: str | os.PathLike | None, train: bool,
                 transform: Callable | None, target_transform: Callable | None) -> None:
        if not isinstance(train, bool):
            raise TypeError(f"train: expected a bool, got {type(train).__name__}")
        for name, fn in (("transform", transform), ("target_transform", target_transform)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name}: expected a callable or None, got {type(fn).__name__}")
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else self.default_root()
        self.train = train
        self.transform = transform
        self.target_transform = target_transform

    # ---- files ----------------------------------------------------------------
    @classmethod
    def default_root(cls) -> str:
        return os.path.expanduser(cls._default_root)

    def _folders(self, root: str) -> list[str]:
        return [root] + [os.path.join(root, sub) for sub in self._subfolders]

    def _find_files(self, names: Sequence[str], download: bool) -> list[str]:
        """The path of each of ``names`` (tried with each of ``_extensions``), from the
        folders above; FileNotFoundError naming all the missing ones otherwise."""
        folders = self._folders(self.root)
        if download:  # "fetch it": from where it is installed, never from the network
            folders += self._folders(self.default_root())
        found, missing = [], []
        for base in names:
            candidates = [os.path.join(d, base + ext) for d in folders for ext in self._extensions]
            path = next((p for p in candidates if os.path.isfile(p)), None)
            (found if path else missing).append(path or base)
        if missing:
            raise FileNotFoundError(self._missing_message(missing, download))
        return found

    def _missing_message(self, missing: Sequence[str], download: bool) -> str:
        split = "training" if self.train else "test"
        optional = "".join(e for e in self._extensions if e)   # "[.gz]": may be gzipped
        suffix = f"[{optional}]" if optional else ""
        names = ", ".join(m + suffix for m in missing)
        places = " or ".join(f"root/{s}" for s in self._subfolders)
        msg = (f"{self._name} {split} set not found in {self.root}: missing {names}. "
               f"{self._how_to_get()} The files may be directly in root"
               f"{' or in ' + places if places else ''}.")
        if download:
            msg += (f" (download=True: minigrad never downloads; it also looked in "
                    f"{self.default_root()}.)")
        return msg

    def _how_to_get(self) -> str:
        raise NotImplementedError

    # ---- samples --------------------------------------------------------------
    def _pixels(self, index) -> np.ndarray:
        """float32 images (..., C, H, W) in [0, 1] of ``self.data[index]``."""
        chosen = self.data[index]
        chw = chosen[..., None, :, :] if self.data.ndim == 3 else np.moveaxis(chosen, -1, -3)
        return np.divide(chw, 255, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        index = operator.index(index)
        image = Tensor._wrap(self._pixels(index))
        target = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def get_batch(self, indices: Sequence[int]) -> list:
        """``default_collate([self[i] for i in indices])``, computed with one fancy index:
        ``[images (B, C, H, W) float32, labels (B,) int64]`` after the transforms.
        Batchable transforms run once on the batch, others (random crops and flips
        among them) once per sample."""
        idx = np.asarray(indices, dtype=np.int64)
        if idx.ndim != 1:
            raise ValueError(f"indices: expected a 1-d sequence of ints, got shape {idx.shape}")
        pixels = self._pixels(idx)
        if self.transform is None:
            images = Tensor._wrap(pixels)
        elif _batchable(self.transform):
            images = self.transform(Tensor._wrap(pixels))
        else:
            images = default_collate([self.transform(Tensor._wrap(p)) for p in pixels])
        labels = self.targets[idx]
        if self.target_transform is None:
            targets = Tensor._wrap(labels)
        else:  # targets are Python ints per sample: no batched form
            targets = default_collate([self.target_transform(int(t)) for t in labels])
        return [images, targets]

    def _check_labels(self, labels: np.ndarray, where: str) -> None:
        if labels.size and labels.max() >= len(self.classes):
            raise ValueError(f"{where}: label {labels.max()} is out of range for "
                             f"{len(self.classes)} classes")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}",
                 f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        return "\n".join(lines)
