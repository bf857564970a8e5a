"""Image utilities, as torchvision.utils: make_grid and save_image."""
from __future__ import annotations

import math
import os
from typing import Sequence

import numpy as np

from ..tensor import Tensor


def _as_batch(tensor) -> np.ndarray:
    """A float NumPy copy (B, C, H, W) of a Tensor or list of Tensors, grey images made
    RGB, as torchvision's make_grid reshapes its input."""
    if isinstance(tensor, (list, tuple)):
        if not tensor or not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError("tensor: expected a Tensor or a non-empty list of Tensors")
        shapes = {t.shape for t in tensor}
        if len(shapes) != 1:
            raise ValueError(f"tensor: the list's tensors must have equal shapes, got "
                             f"{sorted(shapes)}")
        array = np.stack([t.detach().cpu()._array for t in tensor])
    elif isinstance(tensor, Tensor):
        array = np.array(tensor.detach().cpu()._array)  # a copy: normalising writes in place
    else:
        raise TypeError(f"tensor should be of type minigrad.Tensor, got {type(tensor).__name__}")
    if array.ndim == 2:                                  # (H, W) -> (1, H, W)
        array = array[None]
    if array.ndim == 3:                                  # one image (C, H, W)
        if array.shape[0] == 1:
            array = np.concatenate([array] * 3, axis=0)
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"tensor: expected (B, C, H, W), (C, H, W) or (H, W), got "
                         f"{array.ndim} dims")
    if array.shape[1] == 1:
        array = np.concatenate([array] * 3, axis=1)
    return array


def _normalise(array: np.ndarray, value_range) -> None:
    """Clamp to [low, high] then map it to [0, 1], in place (low, high = value_range, or
    the array's min and max)."""
    low, high = value_range if value_range is not None else (float(array.min()),
                                                             float(array.max()))
    np.clip(array, low, high, out=array)
    array -= low
    array /= max(high - low, 1e-5)


def make_grid(tensor: Tensor | Sequence[Tensor], nrow: int = 8, padding: int = 2,
              normalize: bool = False, value_range: tuple | None = None,
              scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Tile a batch of images into one image, as torchvision.utils.make_grid.

    tensor: (B, C, H, W), a list of B tensors (C, H, W), one image (C, H, W) or (H, W).
        One-channel images are repeated to 3 channels.
    nrow: images per row; the grid has ceil(B / nrow) rows.
    padding: pixels of ``pad_value`` around and between the images.
    normalize: map each value v to (clamp(v, low, high) - low) / (high - low), where
        (low, high) = ``value_range`` or the min and max of the whole batch (of each image
        with ``scale_each``).
    Returns (C, (H + padding) * rows + padding, (W + padding) * min(nrow, B) + padding);
    a single image is returned as (C, H, W) without padding, as torchvision. The result
    is a new tensor (no history) on the input's device, in its dtype.
    """
    device = (tensor[0] if isinstance(tensor, (list, tuple)) and tensor else tensor)
    device = getattr(device, "device", None)
    array = _as_batch(tensor)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")
        if not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float32)
        for image in (array if scale_each else [array]):
            _normalise(image, value_range)
    if array.shape[0] == 1:
        grid = array[0]
    else:
        nmaps, channels, h, w = array.shape
        xmaps = min(nrow, nmaps)
        ymaps = int(math.ceil(nmaps / xmaps))
        height, width = h + padding, w + padding
        grid = np.full((channels, height * ymaps + padding, width * xmaps + padding), pad_value,
                       dtype=array.dtype)
        for k in range(nmaps):
            y, x = divmod(k, xmaps)
            grid[:, y * height + padding: y * height + padding + h,
                 x * width + padding: x * width + padding + w] = array[k]
    out = Tensor._wrap(np.ascontiguousarray(grid))
    return out if device is None or device == "cpu" else out.to(device)


def save_image(tensor: Tensor | Sequence[Tensor], fp, format: str | None = None,
               **kwargs) -> None:
    """Save ``make_grid(tensor, **kwargs)`` as an image file (PNG unless ``format`` or
    the file name says otherwise), as torchvision.utils.save_image: values in [0, 1]
    become bytes round(255 * v), clamped. Written with matplotlib.image.imsave (PIL is
    not a dependency); a (C, H, W) grid with C other than 1, 3 or 4 is refused."""
    grid = make_grid(tensor, **kwargs).cpu()._array
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if pixels.shape[2] not in (1, 3, 4):
        raise ValueError(f"save_image: expected 1, 3 or 4 channels, got {pixels.shape[2]}")
    if pixels.shape[2] == 1:
        pixels = np.repeat(pixels, 3, axis=2)
    import matplotlib.image  # imported here: only saving needs matplotlib

    matplotlib.image.imsave(os.fspath(fp) if isinstance(fp, os.PathLike) else fp, pixels,
                            format=format)


__all__ = ["make_grid", "save_image"]
