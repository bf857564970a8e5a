"""CIFAR-10 from its binary distribution (torchvision.datasets.CIFAR10's name and items).

The binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz) unpacks to

    cifar-10-batches-bin/data_batch_1.bin ... data_batch_5.bin   (10,000 images each)
    cifar-10-batches-bin/test_batch.bin                          (10,000 images)
    cifar-10-batches-bin/batches.meta.txt                        (the class names)

Each .bin file is a sequence of 3,073-byte records: 1 label byte (0-9), then the 32x32
image as 1,024 red, 1,024 green and 1,024 blue bytes, each row-major ((3, 32, 32) C
order). The pickled "python version" (cifar-10-batches-py) is never read: unpickling
runs code from the file.
"""
from __future__ import annotations

import os
from typing import Callable

import numpy as np

from .vision import VisionDataset

IMAGE_SHAPE = (3, 32, 32)
RECORD_BYTES = 1 + int(np.prod(IMAGE_SHAPE))  # 3073
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILES = ("test_batch.bin",)
META_FILE = "batches.meta.txt"


def read_cifar_bin(path: str) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 32, 32, 3) HWC, labels uint8 (N,)) of one CIFAR-10 .bin file."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % RECORD_BYTES:
        raise ValueError(f"{path}: {raw.size} bytes is not a whole number of {RECORD_BYTES}-byte "
                         "CIFAR-10 records (1 label byte + 3072 pixel bytes)")
    records = raw.reshape(-1, RECORD_BYTES)
    images = records[:, 1:].reshape((-1,) + IMAGE_SHAPE).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), records[:, 0].copy()


class CIFAR10(VisionDataset):
    """CIFAR-10: 32x32 colour images of 10 classes, 50,000 for training (the five
    data_batch files, in order) and 10,000 for testing (``train=False``).

    ``dataset[i]`` is ``(image, label)``: a float32 Tensor (3, 32, 32) in [0, 1] (what
    ToTensor makes of torchvision's PIL image) and an int, through ``transform`` /
    ``target_transform``. ``data`` is uint8 (N, 32, 32, 3) HWC and ``classes`` the names
    in batches.meta.txt (the standard list when that file is absent), as torchvision;
    ``targets`` is an int64 array (torchvision: a list). See
    :class:`~minigrad.data.vision.VisionDataset`.

    root: the folder holding the .bin files, directly or in cifar-10-batches-bin/
        (default ~/.minigrad/datasets/cifar10). There is no Debian package:
        ``download=True`` only adds the default root to the search, and a missing file
        raises FileNotFoundError naming root and the expected files.
    """

    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"]
    _default_root = os.path.join("~", ".minigrad", "datasets", "cifar10")
    _subfolders = ("cifar-10-batches-bin",)
    _name = "CIFAR-10"

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(root, train, transform, target_transform)
        paths = self._find_files(TRAIN_FILES if train else TEST_FILES, download)
        parts = [read_cifar_bin(p) for p in paths]
        images = np.concatenate([im for im, _ in parts])
        labels = np.concatenate([lb for _, lb in parts])
        meta = next((os.path.join(os.path.dirname(p), META_FILE) for p in paths
                     if os.path.isfile(os.path.join(os.path.dirname(p), META_FILE))), None)
        if meta is not None:
            with open(meta, encoding="utf-8") as f:
                names = [line.strip() for line in f if line.strip()]
            if not names:
                raise ValueError(f"{meta}: expected one class name per line, found none")
            self.classes = names  # an instance attribute, as torchvision's
        self._check_labels(labels, paths[0] if len(paths) == 1 else os.path.dirname(paths[0]))
        self.files = tuple(paths) + ((meta,) if meta else ())
        self.data = images
        self.targets = labels.astype(np.int64)

    def _how_to_get(self) -> str:
        expected = ", ".join(TRAIN_FILES + TEST_FILES)
        return ("CIFAR-10 has no Debian package: download the binary version "
                "(https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, not the python "
                f"one), unpack it and pass root= or put it in {self.default_root()} (the "
                f"default root). Expected files: {expected} (and {META_FILE} for the class "
                "names).")
