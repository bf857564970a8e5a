"""minigrad.data: datasets and batching, as torch.utils.data and torchvision.

- :class:`Dataset`, :class:`TensorDataset`, :class:`Subset`, :class:`ConcatDataset`,
  :class:`IterableDataset`, :class:`ChainDataset`, :func:`random_split`,
  :class:`DataLoader` (with worker processes), :func:`get_worker_info`, the samplers and
  :func:`default_collate` (torch.utils.data's names and semantics);
- :mod:`minigrad.data.datasets`: :class:`MNIST`, :class:`FashionMNIST` from IDX files,
  :class:`CIFAR10` from its binary files;
- :mod:`minigrad.data.transforms`: Compose, ToTensor, Normalize, Lambda, Resize,
  CenterCrop, Pad, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip;
- :mod:`minigrad.data.utils`: make_grid, save_image (torchvision.utils);
- :func:`read_idx`: the IDX file reader.

A PyTorch script's ``from torch.utils.data import DataLoader`` and
``from torchvision import datasets, transforms`` become
``from minigrad.data import DataLoader, datasets, transforms``; ``import torchvision``
can become ``import minigrad.data as torchvision`` (``torchvision.datasets``,
``torchvision.transforms``, ``torchvision.utils``).
"""
from . import datasets, transforms, utils  # noqa: F401
from .collate import default_collate, default_convert
from .combine import ChainDataset, ConcatDataset, IterableDataset, Subset
from .dataloader import DataLoader
from .dataset import Dataset, TensorDataset
from .datasets import CIFAR10, MNIST, FashionMNIST
from .idx import read_idx
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
from .split import random_split
from .worker import WorkerInfo, get_worker_info

__all__ = ["BatchSampler", "CIFAR10", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "FashionMNIST", "IterableDataset", "MNIST", "RandomSampler", "Sampler",
           "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "WorkerInfo", "datasets",
           "default_collate", "default_convert", "get_worker_info", "random_split", "read_idx",
           "transforms", "utils"]
