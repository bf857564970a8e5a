"""max_pool2d: the declaration (argument checks, normalisation, output size).

2-D max pooling of a batch of images, as ``torch.nn.functional.max_pool2d``::

    out[b, c, i, j] = max_{p < kH, q < kW} x_pad[b, c, i*sh + p*dh, j*sw + q*dw]

where ``x_pad`` is the input padded with ``-inf`` (``ph`` rows on top and bottom, ``pw``
columns left and right; with ``ceil_mode`` the last window may also reach past the
bottom/right padding, into more ``-inf``). Shapes: input (B, C, H, W), output and
indices (B, C, H_out, W_out). ``indices[b, c, i, j] = h * W + w``, the flat position in
the (H, W) plane of input ``(b, c)`` where the maximum was found; padding is never picked.

The kernels receive the attributes normalised by :func:`check_args`:
``kernel_size=(kh, kw)``, ``stride=(sh, sw)``, ``padding=(ph, pw)``,
``dilation=(dh, dw)``, ``ceil_mode=bool``.

This module imports only the standard library: the layers above import it, never the
other way round.
"""

from __future__ import annotations

from typing import Any

from .._args import pair

# naive: Python loops; numpy: window views + argmax; numba: prange over the (b, c) planes.
IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("direct", "tiled", "fused")}
# numba is several times faster than numpy at max_pool2d(x, 2), forward and backward;
# without numba installed the registry falls back to numpy.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "fused"}

Pair = tuple[int, int]


def _pair(value: Any, name: str) -> Pair:
    return pair(value, name, allow_single=True)


def _shape(shape: Any) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"input: expected a shape (tuple of ints), got {shape!r}") from None


def _out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape for one axis (may be < 1: the caller checks)."""
    # Python's // floors towards -inf, like PyTorch's div_rtn.
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    # With ceil_mode the last window must start inside the input or the left padding,
    # never wholly in the right padding.
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _first_inside(start: int, k: int, d: int, n: int) -> bool:
    """Whether a window starting at ``start`` (taps start + t*d, t < k) has a tap in [0, n)."""
    t = -(start // d) if start < 0 else 0  # the first tap at or after 0
    return t < k and 0 <= start + t * d < n


def output_shape(
    input_shape: tuple[int, ...],
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    ceil_mode: bool,
) -> tuple[int, int, int, int]:
    """(B, C, H_out, W_out) for input (B, C, H, W) and the normalised attributes.

    Per axis, with n the input size, k the kernel size, s the stride, p the padding and
    d the dilation (PyTorch's formula)::

        out = floor((n + 2p - d(k-1) - 1 + (s-1 if ceil_mode else 0)) / s) + 1
        if ceil_mode and (out-1)*s >= n + p: out -= 1

    The attributes must be the pairs :func:`check_args` returns; this function does not
    check them (the result may be < 1 for a too small input: check_args rejects that).
    """
    b, c, h, w = input_shape
    oh = _out_size(h, kernel_size[0], stride[0], padding[0], dilation[0], ceil_mode)
    ow = _out_size(w, kernel_size[1], stride[1], padding[1], dilation[1], ceil_mode)
    return (b, c, oh, ow)


def check_args(
    input_shape: tuple[int, ...],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
) -> dict[str, Any]:
    """Check max_pool2d's arguments and return the attributes the kernels receive.

    input_shape: (B, C, H, W) with C, H, W >= 1 (B may be 0). kernel_size, dilation:
    int or pair of ints (> 0); stride: the same, or None (or an empty tuple/list, as
    PyTorch) for ``stride = kernel_size``; padding: int or pair of ints, each between 0
    and half the (undilated) kernel size, ``p <= k // 2``, PyTorch's rule;
    ceil_mode: bool.

    Returns ``{"kernel_size": (kh, kw), "stride": (sh, sw), "padding": (ph, pw),
    "dilation": (dh, dw), "ceil_mode": bool}``.

    Raises ValueError for a wrong value or shape and TypeError for a wrong type, naming
    the argument and what was expected. Differences from PyTorch: PyTorch raises
    RuntimeError for the value errors; and where a window (possible only with a
    dilation > 1) holds nothing but padding, PyTorch returns -inf with an index outside
    the input, this raises ValueError.
    """
    input_shape = _shape(input_shape)
    if len(input_shape) != 4:
        raise ValueError(f"input: expected a 4-D shape (B, C, H, W), got shape {input_shape}")
    if any(s < 1 for s in input_shape[1:]) or input_shape[0] < 0:
        raise ValueError(
            "input: expected sizes C, H, W >= 1 (only the batch size may be 0), "
            f"got shape {input_shape}"
        )

    kernel_p = _pair(kernel_size, "kernel_size")
    if min(kernel_p) < 1:
        raise ValueError(f"kernel_size: expected positive values, got {kernel_p}")
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride_p = kernel_p
    else:
        stride_p = _pair(stride, "stride")
        if min(stride_p) < 1:
            raise ValueError(f"stride: expected positive values, got {stride_p}")
    padding_p = _pair(padding, "padding")
    if min(padding_p) < 0:
        raise ValueError(f"padding: expected non-negative values, got {padding_p}")
    dilation_p = _pair(dilation, "dilation")
    if min(dilation_p) < 1:
        raise ValueError(f"dilation: expected positive values, got {dilation_p}")
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode: expected a bool, got {type(ceil_mode).__name__}")

    # PyTorch's rule is on the kernel size itself, not the dilated one.
    if any(p > k // 2 for p, k in zip(padding_p, kernel_p)):
        raise ValueError(
            "padding: should be at most half of kernel_size (padding <= kernel_size // 2), "
            f"got padding={padding_p}, kernel_size={kernel_p}"
        )

    out = output_shape(input_shape, kernel_p, stride_p, padding_p, dilation_p, ceil_mode)
    if out[2] < 1 or out[3] < 1:
        raise ValueError(
            f"input: spatial size {input_shape[2:]} is too small for kernel_size={kernel_p}, "
            f"dilation={dilation_p}, padding={padding_p}: calculated output size "
            f"{out[2:]}, expected at least (1, 1)"
        )

    # A window starting inside the input holds an input tap, and check_args's formula
    # keeps every start below the input's end; one starting in the left padding can
    # step over the whole input when its dilation is large, e.g. k=2, d=5, p=1, H=4.
    for axis, name in ((0, "H"), (1, "W")):
        n, k, s, p, d = (input_shape[2 + axis], kernel_p[axis], stride_p[axis],
                         padding_p[axis], dilation_p[axis])
        for i in range(min(out[2 + axis], p // s + 1)):
            if not _first_inside(i * s - p, k, d, n):
                raise ValueError(
                    f"dilation: with dilation={dilation_p}, padding={padding_p} and "
                    f"kernel_size={kernel_p}, pooling window {i} along {name} covers only "
                    f"padding (input size {n}); expected every window to overlap the input"
                )

    return {
        "kernel_size": kernel_p,
        "stride": stride_p,
        "padding": padding_p,
        "dilation": dilation_p,
        "ceil_mode": ceil_mode,
    }
