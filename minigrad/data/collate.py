"""Turning a list of samples into a batch: default_collate and default_convert, with
PyTorch's rules (torch.utils.data.default_collate)."""
from __future__ import annotations

import collections.abc
from typing import Any

import numpy as np

from .. import dtype as dt
from ..tensor import Tensor
from ..tensor_ops.shape import stack

_NOT_NUMERIC = "USO"  # NumPy kinds of str, bytes and object arrays: not collatable


def _from_array(array: np.ndarray) -> Tensor:
    """A tensor of a NumPy array, in the minigrad dtype that fits it
    (:func:`minigrad.dtype.from_numpy_dtype`: the same dtype where minigrad has it)."""
    try:
        target = dt.from_numpy_dtype(array.dtype)
    except TypeError:
        raise TypeError(f"default_collate: NumPy dtype {array.dtype} is not supported") from None
    return Tensor._wrap(np.asarray(array, dtype=target.np))


def _is_namedtuple(obj) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def same_mapping(like: collections.abc.Mapping, values: dict) -> collections.abc.Mapping:
    """``values`` in the Mapping type of ``like`` (a plain dict when that type cannot be
    built from a dict)."""
    try:
        return type(like)(values)
    except TypeError:
        return values


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, recursively, as PyTorch does:

    - Tensors are stacked along a new dim 0: B samples of (C, H, W) -> (B, C, H, W);
      all must have the same shape (ValueError otherwise).
    - NumPy arrays and NumPy scalars become tensors, stacked likewise.
    - Python ints -> an int64 tensor (B,), floats -> float64 (B,), bools -> bool (B,).
    - Strings and bytes are returned as the list they came in.
    - Dicts -> a dict of collated values; namedtuples -> the same namedtuple type;
      tuples and lists -> a list of collated fields (PyTorch turns tuples into lists
      too); their lengths must agree (RuntimeError otherwise).
    - Anything else: TypeError.

    Differences from PyTorch: NumPy dtypes minigrad lacks map as
    :func:`minigrad.dtype.from_numpy_dtype` says (uint16/32/64 -> int64); tensors of
    unequal shapes raise ValueError (PyTorch: RuntimeError).
    """
    if not isinstance(batch, (list, tuple)) or len(batch) == 0:
        raise TypeError("default_collate: expected a non-empty list of samples, got "
                        f"{type(batch).__name__}{'' if batch else ' (empty)'}")
    elem = batch[0]
    if isinstance(elem, Tensor):
        if any(isinstance(t, Tensor) and t.requires_grad for t in batch):
            return stack(list(batch), 0)  # records on the tape
        for i, t in enumerate(batch):
            if not isinstance(t, Tensor) or t.shape != elem.shape:
                got = list(t.shape) if isinstance(t, Tensor) else type(t).__name__
                raise ValueError(f"default_collate: stack expects each tensor to be equal size, "
                                 f"but got {list(elem.shape)} at entry 0 and {got} at entry {i}")
        return Tensor._wrap(np.stack([t._array for t in batch]))
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if elem.dtype.kind in _NOT_NUMERIC:
            raise TypeError(_unsupported(elem.dtype))
        try:
            array = np.stack([np.asarray(x) for x in batch])
        except ValueError as e:
            raise ValueError(f"default_collate: cannot stack the arrays ({e})") from None
        return _from_array(array)
    if isinstance(elem, (bool, np.bool_)):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return same_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(_unsupported(type(elem)))


def _unsupported(what) -> str:
    return ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
            f"lists; found {what}")


def default_convert(data: Any) -> Any:
    """What the DataLoader does to each sample when ``batch_size=None`` (no batching):
    NumPy arrays and scalars become tensors, recursively inside dicts, namedtuples,
    tuples and lists (tuples become lists, as in PyTorch); anything else is returned
    unchanged."""
    if isinstance(data, (np.ndarray, np.generic)) and not isinstance(data, (np.str_, np.bytes_)):
        return data if data.dtype.kind in _NOT_NUMERIC else _from_array(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return same_mapping(data, {key: default_convert(value) for key, value in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)(default_convert(d) for d in data)
        except TypeError:
            return [default_convert(d) for d in data]
    return data
