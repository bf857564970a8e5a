"""Image transforms, as torchvision.transforms: Compose, ToTensor, Normalize, Lambda.

minigrad's datasets already hand out images as ToTensor would (float32 (C, H, W) in
[0, 1]), so ``ToTensor()`` passes those through unchanged and a torchvision pipeline
``Compose([ToTensor(), Normalize(mean, std)])`` works as it is.

A transform whose ``batchable`` attribute is True promises that applying it to a batch
(B, C, H, W) equals applying it to each (C, H, W) sample and stacking; datasets then
apply it once per batch (see ``get_batch``) instead of once per sample.
"""
from __future__ import annotations

from numbers import Real
from typing import Callable, Iterable, Sequence

import numpy as np

from .. import dtype as dt
from ..tensor import Tensor


class Compose:
    """Apply ``transforms`` one after the other. Batchable when all of them are."""

    def __init__(self, transforms: Iterable[Callable]) -> None:
        self.transforms = list(transforms)
        for i, t in enumerate(self.transforms):
            if not callable(t):
                raise TypeError(f"transforms: expected callables, got {type(t).__name__} at "
                                f"position {i}")

    @property
    def batchable(self) -> bool:
        return all(getattr(t, "batchable", False) is True for t in self.transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class ToTensor:
    """An image as a float tensor (C, H, W), as torchvision's ToTensor.

    - a NumPy array (H, W) or (H, W, C): moved to (C, H, W); uint8 values are divided
      by 255 into float32 [0, 1], other dtypes keep their values (as torchvision);
    - a minigrad float Tensor is returned unchanged: it is taken to be an image that is
      already a tensor, like those minigrad's datasets give (torchvision raises
      TypeError for tensors). PIL images are not supported.
    """

    # Only tensors reach a transform in a batch, and those pass through unchanged.
    batchable = True

    def __call__(self, pic) -> Tensor:
        if isinstance(pic, Tensor):
            if not pic.dtype.is_floating_point:
                raise TypeError(f"pic: expected a float tensor (an image already converted), got "
                                f"{pic.dtype}; integer images should be NumPy arrays")
            return pic
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"pic: expected a NumPy array (H, W) or (H, W, C) or a float Tensor, "
                            f"got {type(pic).__name__}")
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic: expected a NumPy array of 2 or 3 dims (H, W) or (H, W, C), "
                             f"got shape {pic.shape}")
        chw = (pic[None] if pic.ndim == 2 else pic.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            return Tensor._wrap(np.divide(chw, 255, dtype=np.float32))
        target = dt.from_numpy_dtype(chw.dtype)
        return Tensor._wrap(np.array(chw, dtype=target.np, order="C"))

    def __repr__(self) -> str:
        return "ToTensor()"


def _as_tuple(name: str, value) -> tuple:
    values = (value,) if isinstance(value, Real) else tuple(value)
    if not values or not all(isinstance(v, Real) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{name}: expected a number or a non-empty sequence of numbers, got "
                        f"{value!r}")
    return tuple(float(v) for v in values)


class Normalize:
    """``output[c] = (input[c] - mean[c]) / std[c]`` for each channel c, as torchvision.

    input: a float tensor (..., C, H, W): one image (C, H, W) or a batch (B, C, H, W).
    mean, std: one number per channel (or a single number for all channels).
    inplace: overwrite the input's data instead of making a new tensor.

    The arithmetic is done in the input's dtype, subtraction then division, as
    torchvision, so float32 results agree bit for bit. Without requires_grad it runs
    on the NumPy arrays directly and records nothing on the tape; a tensor that
    requires grad goes through minigrad's ops (and cannot be normalised in place).
    """

    batchable = True

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float],
                 inplace: bool = False) -> None:
        self.mean = _as_tuple("mean", mean)
        self.std = _as_tuple("std", std)
        if len(self.mean) != len(self.std) and 1 not in (len(self.mean), len(self.std)):
            raise ValueError(f"mean and std: expected the same number of channels, got "
                             f"{len(self.mean)} and {len(self.std)}")
        if any(s == 0 for s in self.std):
            raise ValueError(f"std: must not contain zero (division by zero), got {self.std}")
        self.inplace = bool(inplace)

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"tensor: expected a minigrad Tensor, got {type(tensor).__name__}")
        if not tensor.dtype.is_floating_point:
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {tensor.shape}.")
        channels = tensor.shape[-3]
        for name, values in (("mean", self.mean), ("std", self.std)):
            if len(values) not in (1, channels):
                raise ValueError(f"{name}: expected 1 or {channels} values for an input of "
                                 f"{channels} channels (..., C, H, W), got {len(values)}")
        np_dtype = tensor._array.dtype
        mean = np.asarray(self.mean, dtype=np_dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=np_dtype).reshape(-1, 1, 1)
        if not std.all():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, "
                             "leading to division by zero.")
        if tensor.requires_grad:
            if self.inplace:
                raise RuntimeError("Normalize(inplace=True): a tensor that requires grad cannot "
                                   "be modified in place")
            return (tensor - Tensor._wrap(mean)) / Tensor._wrap(std)
        if self.inplace:
            np.subtract(tensor._array, mean, out=tensor._array)
            np.divide(tensor._array, std, out=tensor._array)
            return tensor
        out = np.subtract(tensor._array, mean)
        np.divide(out, std, out=out)
        return Tensor._wrap(out)

    def __repr__(self) -> str:
        return f"Normalize(mean={list(self.mean)}, std={list(self.std)})"


class Lambda:
    """Apply a user function ``lambd`` as a transform (not batchable)."""

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"lambd: expected a callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, x):
        return self.lambd(x)

    def __repr__(self) -> str:
        return "Lambda()"
