"""MNIST and Fashion-MNIST, read from their IDX files, and CIFAR10 (torchvision.datasets' names).

Each dataset is four IDX files, named as on the datasets' sites, gzipped or raw:

    train-images-idx3-ubyte[.gz]   train-labels-idx1-ubyte[.gz]    (60,000 images)
    t10k-images-idx3-ubyte[.gz]    t10k-labels-idx1-ubyte[.gz]     (10,000 images)

minigrad never downloads. Fashion-MNIST's default root is where Debian's package puts
it (``apt-get install dataset-fashion-mnist``: /usr/share/datasets/fashion-mnist).
MNIST has no such package: put its files in ~/.minigrad/datasets/mnist (or pass root).
A torchvision download works too: root/MNIST/raw and root/FashionMNIST/raw are searched.
``download=True`` (as in torchvision scripts, e.g. ``FashionMNIST("data", download=True)``)
never touches the network: when root lacks the files, the default root is read instead,
so such scripts run unchanged where the dataset is installed (see
:mod:`minigrad.data.vision`, shared with :class:`CIFAR10`, re-exported here).
"""
from __future__ import annotations

import os
from typing import Callable

import numpy as np

from .cifar import CIFAR10
from .idx import read_idx
from .vision import VisionDataset

FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class _IDXImageDataset(VisionDataset):
    """Grey-scale images with class labels from IDX files; samples, attributes and the
    search for the files as :class:`~minigrad.data.vision.VisionDataset`: items are
    ``(image float32 (1, H, W) in [0, 1], label int)``, ``data`` is uint8 (N, H, W)."""

    _extensions = ("", ".gz")

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(root, train, transform, target_transform)
        images_path, labels_path = self._find_files(FILES[self.train], download)
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
        self._check_labels(labels, labels_path)
        self.files = (images_path, labels_path)  # where the data was read from
        self.data = images
        self.targets = labels.astype(np.int64)


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
    _subfolders = (os.path.join("MNIST", "raw"),)  # torchvision's download layout
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
    _subfolders = (os.path.join("FashionMNIST", "raw"),)
    _name = "Fashion-MNIST"

    def _how_to_get(self) -> str:
        return ("Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu: it "
                f"puts the files in {self.default_root()}, the default root), or put the four "
                "IDX files from https://github.com/zalandoresearch/fashion-mnist in a folder "
                "and pass it as root=.")


__all__ = ["CIFAR10", "FILES", "FashionMNIST", "MNIST"]
