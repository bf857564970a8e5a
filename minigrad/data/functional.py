"""Image geometry for the transforms (torchvision.transforms.functional's pad, crop,
center_crop, hflip, vflip, resize), on the CPU with NumPy.

An image is either
- a minigrad Tensor (..., H, W): one image (C, H, W) or a batch (B, C, H, W), any dtype;
  the result is a new Tensor without autograd history (as torchvision's transforms, these
  run in the data pipeline, outside autograd), or
- a NumPy array (H, W) or (H, W, C), typically uint8: what a PIL image is to
  torchvision; the result is a NumPy array of the same dtype and layout, to be turned
  into a tensor by ``ToTensor`` afterwards.

Differences from torchvision: no PIL images; cuda tensors are refused (move them with
``.cpu()``: the data pipeline runs on the CPU); negative padding (which crops) is refused.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Sequence

import numpy as np

from ..tensor import Tensor

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


def _unwrap(img) -> tuple[np.ndarray, int]:
    """(array, axis of H): Tensors are (..., H, W), NumPy images (H, W[, C])."""
    if isinstance(img, Tensor):
        if img.is_cuda:
            raise TypeError("image transforms run on the CPU: got a cuda tensor; call .cpu() "
                            "first")
        if img.ndim < 2:
            raise ValueError(f"img: expected a tensor (..., H, W), got shape {img.shape}")
        return img._array, img.ndim - 2
    if isinstance(img, np.ndarray):
        if img.ndim not in (2, 3):
            raise ValueError(f"img: expected a NumPy image (H, W) or (H, W, C), got shape "
                             f"{img.shape}")
        return img, 0
    raise TypeError(f"img should be a minigrad Tensor or a NumPy array (H, W[, C]). Got "
                    f"{type(img).__name__}")


def _rewrap(like, array: np.ndarray):
    return Tensor._wrap(np.ascontiguousarray(array)) if isinstance(like, Tensor) else array


def get_dimensions(img) -> list[int]:
    """[channels, height, width], as torchvision's get_dimensions."""
    array, h_axis = _unwrap(img)
    height, width = array.shape[h_axis], array.shape[h_axis + 1]
    if isinstance(img, Tensor):
        channels = array.shape[-3] if array.ndim >= 3 else 1
    else:
        channels = array.shape[2] if array.ndim == 3 else 1
    return [channels, height, width]


def _spatial(array: np.ndarray, h_axis: int, rows, cols) -> np.ndarray:
    index = [slice(None)] * array.ndim
    index[h_axis], index[h_axis + 1] = rows, cols
    return array[tuple(index)]


# ---- padding -----------------------------------------------------------------------
def parse_padding(padding) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) from an int (all sides), a 1-sequence, a 2-sequence
    (left/right, top/bottom) or a 4-sequence (left, top, right, bottom), as torchvision."""
    if isinstance(padding, Integral) and not isinstance(padding, bool):
        padding = [padding]
    if not isinstance(padding, (list, tuple)) or not all(
            isinstance(p, Integral) and not isinstance(p, bool) for p in padding):
        raise TypeError(f"Got inappropriate padding arg: {padding!r}")
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if any(p < 0 for p in padding):
        raise ValueError(f"padding: negative padding (cropping) is not supported, got {padding}")
    if len(padding) == 1:
        return (int(padding[0]),) * 4
    if len(padding) == 2:
        return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
    return tuple(int(p) for p in padding)  # type: ignore[return-value]


def check_padding_mode(padding_mode: str) -> str:
    if padding_mode not in PADDING_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    return padding_mode


def pad(img, padding, fill: float = 0, padding_mode: str = "constant"):
    """Pad the image's borders: ``padding`` as :func:`parse_padding`; ``padding_mode``
    'constant' (value ``fill``), 'edge' (repeat the border pixel), 'reflect' (mirror
    without repeating the border: [1, 2, 3] padded by 2 is [3, 2, 1, 2, 3, 2, 1]) or
    'symmetric' (mirror repeating it: [2, 1, 1, 2, 3, 3, 2]). (H, W) -> (H + top + bottom,
    W + left + right). These are NumPy's np.pad modes of the same names."""
    left, top, right, bottom = parse_padding(padding)
    check_padding_mode(padding_mode)
    if not isinstance(fill, Real) or isinstance(fill, bool):
        raise TypeError(f"fill: expected a number, got {fill!r}")
    array, h_axis = _unwrap(img)
    if padding_mode == "reflect":
        height, width = array.shape[h_axis], array.shape[h_axis + 1]
        if max(top, bottom) >= height or max(left, right) >= width:
            # torch's reflection pad refuses this too; NumPy would reflect repeatedly.
            raise ValueError(f"Padding size should be less than the corresponding input "
                             f"dimension, but got padding {(left, top, right, bottom)} for an "
                             f"image of height {height} and width {width}")
    return _rewrap(img, _pad_array(array, h_axis, (left, top, right, bottom), fill,
                                   padding_mode))


def _pad_array(array: np.ndarray, h_axis: int, ltrb: tuple, fill: float = 0,
               mode: str = "constant") -> np.ndarray:
    left, top, right, bottom = ltrb
    if mode == "constant":
        # A filled array with the image copied in: what np.pad does, ~20x faster on
        # small images (this runs once per sample in RandomCrop(32, padding=4)).
        shape = list(array.shape)
        shape[h_axis] += top + bottom
        shape[h_axis + 1] += left + right
        out = np.full(shape, fill, dtype=array.dtype)
        _spatial(out, h_axis, slice(top, top + array.shape[h_axis]),
                 slice(left, left + array.shape[h_axis + 1]))[...] = array
        return out
    widths = [(0, 0)] * array.ndim
    widths[h_axis], widths[h_axis + 1] = (top, bottom), (left, right)
    return np.pad(array, widths, mode=mode)


# ---- crops and flips ---------------------------------------------------------------
def crop(img, top: int, left: int, height: int, width: int):
    """The (height, width) window whose top-left pixel is (top, left). Parts of the window
    outside the image are zeros, as torchvision."""
    array, h_axis = _unwrap(img)
    h, w = array.shape[h_axis], array.shape[h_axis + 1]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        # torchvision pads with zeros where the window leaves the image.
        padding = (max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0))
        array = _pad_array(array, h_axis, padding)
        top, left = max(top, 0), max(left, 0)
    return _rewrap(img, _spatial(array, h_axis, slice(top, top + height),
                                 slice(left, left + width)))


def setup_size(size, name: str = "size") -> tuple[int, int]:
    """(height, width) from an int (a square) or a 1- or 2-sequence, as torchvision."""
    if isinstance(size, Integral) and not isinstance(size, bool):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return setup_size(size[0], name)
    if (not isinstance(size, (list, tuple)) or len(size) != 2
            or not all(isinstance(s, Integral) and not isinstance(s, bool) for s in size)):
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    return int(size[0]), int(size[1])


def center_crop(img, output_size):
    """The central (h, w) window; an image smaller than it is first padded with zeros
    (the extra pixel of an odd difference going right/bottom), as torchvision. The
    window's top is round((H - h) / 2) (round half to even, as Python's round)."""
    crop_h, crop_w = setup_size(output_size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        padding = [(crop_w - w) // 2 if crop_w > w else 0, (crop_h - h) // 2 if crop_h > h else 0,
                   (crop_w - w + 1) // 2 if crop_w > w else 0,
                   (crop_h - h + 1) // 2 if crop_h > h else 0]
        img = pad(img, padding, fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    top, left = int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def hflip(img):
    """Mirror left-right (reverse W)."""
    array, h_axis = _unwrap(img)
    return _rewrap(img, np.flip(array, axis=h_axis + 1).copy())


def vflip(img):
    """Mirror top-bottom (reverse H)."""
    array, h_axis = _unwrap(img)
    return _rewrap(img, np.flip(array, axis=h_axis).copy())


# ---- resizing ----------------------------------------------------------------------
def resized_output_size(height: int, width: int, size, max_size: int | None = None) -> tuple:
    """(new_h, new_w) as torchvision: an int (or 1-sequence) is the new shorter side, the
    longer one scaled to keep the aspect ratio (truncated to an int), then capped at
    ``max_size``; a 2-sequence is (h, w) exactly."""
    if isinstance(size, (list, tuple)) and len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             f"the smaller edge, i.e. size should be an int or a sequence of "
                             f"length 1 in torchscript mode. Got size={size}.")
        return int(size[0]), int(size[1])
    requested = size[0] if isinstance(size, (list, tuple)) else size
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = int(requested), int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                             f"size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if width <= height else (new_short, new_long)


def _linear_weights(n_in: int, n_out: int, antialias: bool) -> np.ndarray:
    """The (n_out, n_in) matrix of 1-d linear interpolation, align_corners=False.

    Output pixel i has its centre at c = (i + 0.5) * s in input coordinates, s = n_in /
    n_out. Input pixel j (centre j + 0.5) weighs tri((j + 0.5 - c) / k), tri(x) = max(0,
    1 - |x|), normalised to sum 1 over the pixels inside the image. k = 1 is plain
    bilinear (the two nearest input pixels; at the borders the renormalisation repeats
    the edge, as PyTorch's clamp does); antialias when shrinking (s > 1) widens the
    triangle to k = s, so that every input pixel contributes: PyTorch's and PIL's
    antialiased bilinear."""
    scale = n_in / n_out
    support = scale if antialias and scale > 1 else 1.0
    centres = (np.arange(n_out, dtype=np.float64) + 0.5) * scale
    offsets = (np.arange(n_in, dtype=np.float64) + 0.5)[None, :] - centres[:, None]
    weights = np.clip(1.0 - np.abs(offsets) / support, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def _nearest_index(n_in: int, n_out: int) -> np.ndarray:
    # PyTorch's mode="nearest": floor(i * n_in / n_out), clamped (not "nearest-exact").
    return np.minimum(np.floor(np.arange(n_out) * (n_in / n_out)).astype(np.int64), n_in - 1)


def resize(img, size, interpolation: str = "bilinear", max_size: int | None = None,
           antialias: bool | None = True):
    """Resize to ``size`` (see :func:`resized_output_size`).

    interpolation 'bilinear' (align_corners=False; with ``antialias`` a triangle filter
    as wide as the shrink factor, as torch's ``interpolate(..., antialias=True)`` and PIL)
    or 'nearest' (torch's ``mode="nearest"``). Float tensors are computed in float64 and
    cast back; integer images (uint8 NumPy arrays, PIL-like) are rounded and clipped to
    their dtype's range. The weights are one (H_out, H) and one (W_out, W) matrix, so a
    resize is two matrix products: exact, though slower than torch's sparse loops on large
    images (these are data-pipeline sizes)."""
    mode = getattr(interpolation, "value", interpolation)
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"interpolation={interpolation!r}: minigrad supports "
                                  "'bilinear' and 'nearest'")
    array, h_axis = _unwrap(img)
    h, w = array.shape[h_axis], array.shape[h_axis + 1]
    new_h, new_w = resized_output_size(h, w, size, max_size)
    if new_h <= 0 or new_w <= 0:
        raise ValueError(f"resize: output size {(new_h, new_w)} must be positive")
    if (new_h, new_w) == (h, w):
        return _rewrap(img, array.copy())
    if mode == "nearest":
        out = np.take(np.take(array, _nearest_index(h, new_h), axis=h_axis),
                      _nearest_index(w, new_w), axis=h_axis + 1)
        return _rewrap(img, out)
    # Put H, W last, apply the two weight matrices, move the axes back.
    moved = np.moveaxis(array, (h_axis, h_axis + 1), (-2, -1)).astype(np.float64)
    out = _linear_weights(h, new_h, bool(antialias)) @ moved @ _linear_weights(w, new_w,
                                                                              bool(antialias)).T
    out = np.moveaxis(out, (-2, -1), (h_axis, h_axis + 1))
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        out = np.clip(np.round(out), info.min, info.max)
    elif array.dtype == np.bool_:
        raise TypeError("resize: boolean images are not supported")
    return _rewrap(img, out.astype(array.dtype))


def _is_size(value) -> bool:
    if isinstance(value, Integral) and not isinstance(value, bool):
        return value > 0
    return (isinstance(value, Sequence) and len(value) in (1, 2)
            and all(isinstance(v, Integral) and not isinstance(v, bool) and v > 0 for v in value))


def check_size(size, name: str = "size", allow_pair: bool = True) -> None:
    if not _is_size(size) or (not allow_pair and not isinstance(size, Integral) and len(size) == 2):
        raise TypeError(f"{name} should be a positive int or a sequence of 1 or 2 positive "
                        f"ints. Got {size!r}")


__all__ = ["center_crop", "crop", "get_dimensions", "hflip", "pad", "resize", "vflip"]
