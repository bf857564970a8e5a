"""MNIST and Fashion-MNIST, read from their IDX files (torchvision.datasets' names).

Each dataset is four IDX files, named as on the datasets' sites, gzipped or raw:

    train-images-idx3-ubyte[.gz]   train-labels-idx1-ubyte[.gz]    (60,000 images)
    t10k-images-idx3-ubyte[.gz]    t10k-labels-idx1-ubyte[.gz]     (10,000 images)

minigrad never downloads. Fashion-MNIST's default root is where Debian's package puts
it (``apt-get install dataset-fashion-mnist``: /usr/share/datasets/fashion-mnist).
MNIST has no such package: put its files in ~/.minigrad/datasets/mnist (or pass root).
A torchvision download works too: root/MNIST/raw and root/FashionMNIST/raw are searched.
``download=True`` (as in torchvision scripts, e.g. ``FashionMNIST("data", download=True)``)
never touches the network: when root lacks the files, the default root is read instead,
so such scripts run unchanged where the dataset is installed.
"""
from __future__ import annotations

import operator
import os
from typing import Any, Callable, Sequence

import numpy as np

from ..tensor import Tensor
from .collate import default_collate
from .dataset import Dataset
from .idx import read_idx

FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _batchable(transform) -> bool:
    return getattr(transform, "batchable", False) is True


class _IDXImageDataset(Dataset):
    """Grey-scale images with class labels, held in memory, from IDX files.

    ``dataset[i]`` is ``(image, label)``: image a float32 Tensor (1, H, W) in [0, 1]
    (the uint8 pixels divided by 255: what torchvision's ToTensor makes of them),
    label a Python int, each passed through ``transform`` / ``target_transform`` when
    given. torchvision gives a PIL image instead, which its transforms then convert;
    here ``transforms.ToTensor()`` passes the tensor through, so the usual
    ``Compose([ToTensor(), Normalize(...)])`` works unchanged.

    Attributes: ``data`` uint8 NumPy array (N, H, W), ``targets`` int64 NumPy array
    (N,) (torchvision: tensors; minigrad has no uint8 tensors), ``classes``,
    ``class_to_idx``, ``root``, ``train``, ``files`` (the images and labels files read).
    """

    classes: list[str] = []
    _default_root = ""
    _name = ""

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        if not isinstance(train, bool):
            raise TypeError(f"train: expected a bool, got {type(train).__name__}")
        for name, fn in (("transform", transform), ("target_transform", target_transform)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name}: expected a callable or None, got {type(fn).__name__}")
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else self.default_root()
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        images_path, labels_path = self._find_files(download)
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(f"{images_path}: expected uint8 images (N, H, W), got "
                             f"{images.dtype} of shape {images.shape}")
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise ValueError(f"{labels_path}: expected uint8 labels (N,), got {labels.dtype} "
                             f"of shape {labels.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} "
                             f"holds {len(labels)} labels")
        if labels.size and labels.max() >= len(self.classes):
            raise ValueError(f"{labels_path}: label {labels.max()} is out of range for "
                             f"{len(self.classes)} classes")
        self.files = (images_path, labels_path)  # where the data was read from
        self.data = images
        self.targets = labels.astype(np.int64)

    # ---- files ----------------------------------------------------------------
    @classmethod
    def default_root(cls) -> str:
        return os.path.expanduser(cls._default_root)

    def _find_files(self, download: bool) -> tuple[str, str]:
        folders = [self.root, os.path.join(self.root, type(self).__name__, "raw")]
        if download:  # "fetch it": from where it is installed, never from the network
            folders.append(self.default_root())
        found, missing = [], []
        for base in FILES[self.train]:
            candidates = [os.path.join(d, base + ext) for d in folders for ext in ("", ".gz")]
            path = next((p for p in candidates if os.path.isfile(p)), None)
            (found if path else missing).append(path or base)
        if missing:
            raise FileNotFoundError(self._missing_message(missing, download))
        return found[0], found[1]

    def _missing_message(self, missing: Sequence[str], download: bool) -> str:
        split = "training" if self.train else "test"
        names = ", ".join(f"{m}[.gz]" for m in missing)
        msg = (f"{self._name} {split} set not found in {self.root}: missing {names}. "
               f"{self._how_to_get()} "
               f"The IDX files may be gzipped or raw, directly in root or in "
               f"root/{type(self).__name__}/raw.")
        if download:
            msg += (f" (download=True: minigrad never downloads; it also looked in "
                    f"{self.default_root()}.)")
        return msg

    def _how_to_get(self) -> str:
        raise NotImplementedError

    # ---- samples --------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        index = operator.index(index)
        image = Tensor._wrap(np.divide(self.data[index][None], 255, dtype=np.float32))
        target = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def get_batch(self, indices: Sequence[int]) -> list:
        """``default_collate([self[i] for i in indices])``, computed with one fancy index:
        ``[images (B, 1, H, W) float32, labels (B,) int64]`` after the transforms.
        Batchable transforms run once on the batch, others once per sample."""
        idx = np.asarray(indices, dtype=np.int64)
        if idx.ndim != 1:
            raise ValueError(f"indices: expected a 1-d sequence of ints, got shape {idx.shape}")
        pixels = np.divide(self.data[idx][:, None], 255, dtype=np.float32)
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


class MNIST(_IDXImageDataset):
    """The MNIST handwritten digits: 28x28 grey-scale images of 0-9, 60,000 for
    training (``train=True``) and 10,000 for testing. See :class:`_IDXImageDataset`
    for items, transforms and attributes.

    root: the folder holding the IDX files; default ~/.minigrad/datasets/mnist.
    download: minigrad never downloads; True also looks in the default root when root
        lacks the files. A missing dataset raises FileNotFoundError saying which files
        to put where.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    _default_root = os.path.join("~", ".minigrad", "datasets", "mnist")
    _name = "MNIST"

    def _how_to_get(self) -> str:
        return ("MNIST has no Debian package: download the four IDX files (e.g. from "
                "https://ossci-datasets.s3.amazonaws.com/mnist/, the mirror torchvision uses) "
                f"and put them in {self.default_root()} (the default root) or pass root=.")


class FashionMNIST(_IDXImageDataset):
    """Zalando's Fashion-MNIST: 28x28 grey-scale images of 10 kinds of clothing,
    60,000 for training (``train=True``) and 10,000 for testing; a drop-in
    replacement for MNIST. See :class:`_IDXImageDataset` for items, transforms and
    attributes.

    root: the folder holding the IDX files; default /usr/share/datasets/fashion-mnist,
        where Debian's package dataset-fashion-mnist installs them.
    download: minigrad never downloads; True also looks in the default root when root
        lacks the files. A missing dataset raises FileNotFoundError saying how to get it.
    """

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    _default_root = "/usr/share/datasets/fashion-mnist"
    _name = "Fashion-MNIST"

    def _how_to_get(self) -> str:
        return ("Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu: it "
                f"puts the files in {self.default_root()}, the default root), or put the four "
                "IDX files from https://github.com/zalandoresearch/fashion-mnist in a folder "
                "and pass it as root=.")
