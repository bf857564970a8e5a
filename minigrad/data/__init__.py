"""minigrad.data: datasets and batching, as torch.utils.data and torchvision.

- :class:`Dataset`, :class:`TensorDataset`, :class:`DataLoader`, the samplers and
  :func:`default_collate` (torch.utils.data's names and semantics);
- :mod:`minigrad.data.datasets`: :class:`MNIST`, :class:`FashionMNIST` from IDX files;
- :mod:`minigrad.data.transforms`: Compose, ToTensor, Normalize, Lambda;
- :func:`read_idx`: the IDX file reader.

A PyTorch script's ``from torch.utils.data import DataLoader`` and
``from torchvision import datasets, transforms`` become
``from minigrad.data import DataLoader, datasets, transforms``.
"""
from . import datasets, transforms  # noqa: F401
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import Dataset, TensorDataset
from .datasets import MNIST, FashionMNIST
from .idx import read_idx
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["BatchSampler", "DataLoader", "Dataset", "FashionMNIST", "MNIST", "RandomSampler",
           "Sampler", "SequentialSampler", "TensorDataset", "datasets", "default_collate",
           "default_convert", "read_idx", "transforms"]
