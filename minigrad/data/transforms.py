"""Image transforms, as torchvision.transforms (v1): Compose, ToTensor, Normalize, Lambda,
Resize, CenterCrop, Pad, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip.

minigrad's datasets already hand out images as ToTensor would (float32 (C, H, W) in
[0, 1]), so ``ToTensor()`` passes those through unchanged and a torchvision pipeline
``Compose([ToTensor(), Normalize(mean, std)])`` works as it is.

A transform whose ``batchable`` attribute is True promises that applying it to a batch
(B, C, H, W) equals applying it to each (C, H, W) sample and stacking; datasets then
apply it once per batch (see ``get_batch``) instead of once per sample. The random
transforms are not batchable: each sample draws its own crop or flip.

The geometric transforms take a float Tensor (..., C, H, W) or a NumPy image (H, W) or
(H, W, C) (uint8, as a PIL image is to torchvision: put ``ToTensor()`` after them) and
return the same kind (see :mod:`minigrad.data.functional`, also reachable as
``transforms.functional``). Their randomness comes from minigrad's global generator
(``minigrad.manual_seed`` makes a run repeat; DataLoader workers reseed it per worker).
A batch (B, C, H, W) given to a random transform gets ONE draw for all its images, as in
torchvision.
"""
from __future__ import annotations

from numbers import Real
from typing import Callable, Iterable, Sequence

import numpy as np

from .. import dtype as dt
from .. import random as _random
from ..tensor import Tensor
from . import functional
from . import functional as F


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


# ---- geometry --------------------------------------------------------------------
class InterpolationMode:
    """torchvision's interpolation names; minigrad implements NEAREST and BILINEAR.
    Plain strings ("bilinear") are accepted wherever a mode is."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


def _check_probability(p) -> float:
    if not isinstance(p, Real) or isinstance(p, bool) or not 0 <= p <= 1:
        raise ValueError(f"p: expected a probability in [0, 1], got {p!r}")
    return float(p)


def _check_fill(fill) -> float:
    if not isinstance(fill, Real) or isinstance(fill, bool):
        raise TypeError(f"Got inappropriate fill arg: {fill!r} (minigrad: a number)")
    return fill


class Resize:
    """Resize the image to ``size``: an int is the new shorter side (the longer one keeps
    the aspect ratio, truncated, capped at ``max_size``), (h, w) is exact.

    interpolation: InterpolationMode.BILINEAR (default) or NEAREST, as torch's
    ``interpolate`` on tensors (align_corners=False). antialias=True (torchvision's
    default) filters when shrinking, as torch's ``antialias=True`` and PIL; False is
    plain bilinear. (H, W) -> (new_h, new_w); see :func:`functional.resize`."""

    batchable = True  # a deterministic map of each image

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR,
                 max_size: int | None = None, antialias: bool | None = True) -> None:
        if not isinstance(size, (int, list, tuple)) or isinstance(size, bool):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, (list, tuple)) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        F.check_size(size)
        mode = getattr(interpolation, "value", interpolation)
        if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
            raise NotImplementedError(f"interpolation={interpolation!r}: minigrad supports "
                                      "'bilinear' and 'nearest'")
        self.size = size
        self.interpolation = mode
        self.max_size = max_size
        self.antialias = antialias

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        return (f"Resize(size={self.size}, interpolation={self.interpolation}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop:
    """The central (h, w) window (an int: a square); a smaller image is zero-padded first.
    (..., H, W) -> (..., h, w)."""

    batchable = True

    def __init__(self, size) -> None:
        self.size = F.setup_size(size)

    def __call__(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"CenterCrop(size={self.size})"


class Pad:
    """Pad the borders: ``padding`` an int (all sides), (left/right, top/bottom) or
    (left, top, right, bottom); ``padding_mode`` 'constant' (with ``fill``), 'edge',
    'reflect' or 'symmetric' (see :func:`functional.pad`). (H, W) -> (H + top + bottom,
    W + left + right). ``fill`` is one number (torchvision also takes a tuple per
    channel for PIL images)."""

    batchable = True

    def __init__(self, padding, fill: float = 0, padding_mode: str = "constant") -> None:
        F.parse_padding(padding)
        self.padding = padding
        self.fill = _check_fill(fill)
        self.padding_mode = F.check_padding_mode(padding_mode)

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class RandomCrop:
    """A (h, w) window at a uniformly random position, as torchvision's RandomCrop.

    padding: first pad the image (as :class:`Pad`) with ``fill`` / ``padding_mode``; the
        CIFAR recipe is ``RandomCrop(32, padding=4)``.
    pad_if_needed: pad a side shorter than the crop, by the difference on BOTH sides of
        that side (torchvision's rule), so that the crop fits.
    The top row is drawn uniformly in [0, H - h], then the left column in [0, W - w],
    from minigrad's generator. An image smaller than the crop raises ValueError.
    """

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill: float = 0,
                 padding_mode: str = "constant") -> None:
        self.size = F.setup_size(size)
        if padding is not None:
            F.parse_padding(padding)
        self.padding = padding
        self.pad_if_needed = bool(pad_if_needed)
        self.fill = _check_fill(fill)
        self.padding_mode = F.check_padding_mode(padding_mode)

    @staticmethod
    def get_params(img, output_size) -> tuple[int, int, int, int]:
        """(top, left, h, w) of a random crop of ``output_size`` (h, w)."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size "
                             f"{(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        rng = _random.generator()
        top = int(rng.integers(0, h - th + 1))
        left = int(rng.integers(0, w - tw + 1))
        return top, left, th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        top, left, h, w = self.get_params(img, self.size)
        return F.crop(img, top, left, h, w)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror the image left-right with probability ``p`` (one uniform draw per call
    from minigrad's generator, flip when it is < p); otherwise return it unchanged."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = _check_probability(p)

    def __call__(self, img):
        F.get_dimensions(img)  # checks the type even when not flipping
        return F.hflip(img) if _random.generator().random() < self.p else img

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class RandomVerticalFlip:
    """Mirror the image top-bottom with probability ``p`` (as RandomHorizontalFlip)."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = _check_probability(p)

    def __call__(self, img):
        F.get_dimensions(img)
        return F.vflip(img) if _random.generator().random() < self.p else img

    def __repr__(self) -> str:
        return f"RandomVerticalFlip(p={self.p})"


__all__ = ["CenterCrop", "Compose", "InterpolationMode", "Lambda", "Normalize", "Pad",
           "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "Resize", "ToTensor",
           "functional"]
