"""Public Hypothesis strategies for testing ops: tensors, and valid argument sets for
conv2d, max_pool2d, matmul, cross_entropy and softmax.

Each argument strategy builds its shapes *from* the attributes it draws (the input is
made just large enough for at least one window, a batch shape is shared before being
broadcast, ...), so almost nothing is filtered away and every draw is a legal call.
They return shapes and plain Python / NumPy values; draw the tensor values with
:func:`tensors` (or from a seed) so each test picks what values it needs.

Example::

    from hypothesis import given
    from minigrad.testing import conv2d_args, tensors

    @given(args=conv2d_args(), data=st.data())
    def test_my_conv(args, data):
        x = data.draw(tensors(shape=args.input_shape, requires_grad=True))
        w = data.draw(tensors(shape=args.weight_shape, requires_grad=True))
        y = F.conv2d(x, w, **args.kwargs)
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import dtype as dt

__all__ = [
    "Conv2dArgs", "CrossEntropyArgs", "Pool2dArgs", "SoftmaxArgs", "conv2d_args",
    "cross_entropy_args", "matmul_shapes", "pool2d_args", "shapes", "softmax_args", "tensors",
]

# Distinct values sit DISTINCT_GAP apart: ties make max/min gradients ambiguous, and a
# gap far wider than gradcheck's eps (1e-6) keeps finite differences from changing
# which element wins.
DISTINCT_GAP = 0.1


# ---------------------------------------------------------------- shapes and tensors


def shapes(*, min_dims: int = 1, max_dims: int = 4, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with ``min_dims..max_dims`` dimensions of ``min_side..max_side``
    each (``min_dims=0`` allows 0-d, ``min_side=0`` empty tensors)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def _default_elements(dtype: dt.DType) -> st.SearchStrategy:
    if dtype.is_floating_point:
        # Moderate values: exp, products and finite differences stay well conditioned.
        return st.floats(-2.0, 2.0, width=64 if dtype is dt.float64 else 32,
                         allow_subnormal=False)
    if dtype is dt.bool_:
        return st.booleans()
    return st.integers(-5, 5)


@st.composite
def _distinct_values(draw, shape: tuple[int, ...], np_dtype) -> np.ndarray:
    n = int(np.prod(shape))
    order = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    # Centred on 0, and off the grid of multiples of DISTINCT_GAP (0 and small
    # integers), so a value never equals a kink or clamp bound placed on that grid.
    values = (order - n // 2) * DISTINCT_GAP + DISTINCT_GAP / 4
    return values.reshape(shape).astype(np_dtype)


@st.composite
def tensors(draw, shape: "tuple[int, ...] | st.SearchStrategy | None" = None, *,
            dtype: "dt.DType | str | st.SearchStrategy" = dt.float64,
            elements: st.SearchStrategy | None = None, distinct: bool = False,
            requires_grad: bool = False, device: str = "cpu"):
    """minigrad Tensors of ``shape`` (a tuple, a strategy of tuples, or None for
    :func:`shapes` ()).

    dtype: a minigrad dtype, its name, or a strategy of them. The default is float64,
    not PyTorch's float32: gradient checks need double precision.
    elements: a strategy for the values (default: floats in [-2, 2], ints in [-5, 5]).
    distinct: all values different and at least 0.1 apart (floating dtypes; ignores
    ``elements``): what max_pool2d, max/min and clamp need for unambiguous gradients.
    requires_grad: make the tensor a leaf that requires grad (floating dtypes only).
    """
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    if isinstance(dtype, st.SearchStrategy):
        dtype = draw(dtype)
    dtype = dt.as_dtype(dtype)
    if requires_grad and not dtype.is_floating_point:
        raise ValueError(f"tensors: requires_grad needs a floating dtype, got {dtype}")
    shape = tuple(shape)
    if distinct:
        if not dtype.is_floating_point:
            raise ValueError(f"tensors: distinct=True needs a floating dtype, got {dtype}")
        values = draw(_distinct_values(shape, dtype.np))
    else:
        values = draw(hnp.arrays(dtype.np, shape,
                                 elements=elements if elements is not None
                                 else _default_elements(dtype)))
    from ..creation import tensor
    return tensor(values, dtype=dtype, requires_grad=requires_grad, device=device)


def _int_or_pair(draw, lo: int, hi: int) -> tuple[Any, tuple[int, int]]:
    """Draw an int, a tuple or a list pair, as users write them; return (the argument
    as written, the normalised pair)."""
    if draw(st.booleans()):
        v = draw(st.integers(lo, hi))
        return v, (v, v)
    a, b = draw(st.integers(lo, hi)), draw(st.integers(lo, hi))
    return draw(st.sampled_from([(a, b), [a, b]])), (a, b)


# ---------------------------------------------------------------- conv2d


class Conv2dArgs(NamedTuple):
    """A valid conv2d call: ``F.conv2d(x, w, b, **kwargs)`` with x of ``input_shape``
    (B, C_in, H, W), w of ``weight_shape`` (C_out, C_in / groups, kH, kW) and b of
    ``bias_shape`` ((C_out,), or None for no bias). ``padding4`` is the explicit
    (top, bottom, left, right) padding, derived here independently of the declaration
    (padding="same" with an even span puts the extra row/column at the bottom/right,
    as PyTorch)."""
    input_shape: tuple[int, int, int, int]
    weight_shape: tuple[int, int, int, int]
    bias_shape: "tuple[int] | None"
    kwargs: dict
    padding4: tuple[int, int, int, int]


@st.composite
def conv2d_args(draw, max_hw: int = 7, max_batch: int = 2, max_channels: int = 4,
                max_kernel: int = 3) -> Conv2dArgs:
    """Valid conv2d shapes and attributes: stride (1..3), padding (0..2, "valid", or
    "same" with stride 1, as PyTorch requires), dilation (1..2) and groups (1..3), each
    an int or a pair (tuple or list). The spatial size starts at the smallest that
    holds one dilated kernel, so every draw is legal."""
    groups = draw(st.integers(1, 3))
    c_per_group = draw(st.integers(1, max(1, max_channels // groups)))
    out_per_group = draw(st.integers(1, max(1, max_channels // groups)))
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    dilation, (dh, dw) = _int_or_pair(draw, 1, 2)
    kind = draw(st.sampled_from(["int_or_pair", "valid", "same"]))
    if kind == "same":
        stride = draw(st.sampled_from([1, (1, 1), [1, 1]]))
    else:
        stride, _ = _int_or_pair(draw, 1, 3)
    if kind == "int_or_pair":
        padding, (ph, pw) = _int_or_pair(draw, 0, 2)
        pad4 = (ph, ph, pw, pw)
    elif kind == "valid":
        padding, pad4 = "valid", (0, 0, 0, 0)
    else:
        padding = "same"
        th, tw = dh * (kh - 1), dw * (kw - 1)
        pad4 = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    min_h = max(1, dh * (kh - 1) + 1 - pad4[0] - pad4[1])
    min_w = max(1, dw * (kw - 1) + 1 - pad4[2] - pad4[3])
    h = draw(st.integers(min_h, max(min_h, max_hw)))
    w = draw(st.integers(min_w, max(min_w, max_hw)))
    b = draw(st.integers(1, max_batch))
    c_out = groups * out_per_group
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return Conv2dArgs((b, groups * c_per_group, h, w), (c_out, c_per_group, kh, kw),
                      (c_out,) if draw(st.booleans()) else None, kwargs, pad4)


# ---------------------------------------------------------------- max_pool2d


class Pool2dArgs(NamedTuple):
    """A valid max_pool2d call: ``F.max_pool2d(x, **kwargs)`` with x of ``input_shape``
    (B, C, H, W). ``attrs`` is what the declaration normalises kwargs to (pairs, the
    default stride filled in), as the kernels receive them."""
    input_shape: tuple[int, int, int, int]
    kwargs: dict
    attrs: dict


@st.composite
def pool2d_args(draw, max_hw: int = 9, max_planes: int = 4, max_kernel: int = 3) -> Pool2dArgs:
    """Valid max_pool2d attributes: kernel_size (1..3), stride (None or 1..3),
    padding (at most half the kernel, PyTorch's rule), dilation (1..3), ceil_mode;
    square pairs sometimes written as one int. H and W start at the smallest size
    giving one output; the rare draw the declaration still refuses (a dilated window
    lying wholly in the padding) is discarded."""
    from ..ops.max_pool2d import declare

    def spelled(pair):
        return pair[0] if pair[0] == pair[1] and draw(st.booleans()) else pair

    k = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    s = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    ceil_mode = draw(st.booleans())
    sizes = []
    for axis in range(2):
        smallest = max(1, (k[axis] - 1) * d[axis] + 1 - 2 * p[axis])
        sizes.append(draw(st.integers(smallest, max(smallest, max_hw))))
    b = draw(st.integers(1, 2))
    c = draw(st.integers(1, max(1, max_planes // b)))
    shape = (b, c, sizes[0], sizes[1])
    kwargs = {"kernel_size": spelled(k), "stride": None if s is None else spelled(s),
              "padding": spelled(p), "dilation": spelled(d), "ceil_mode": ceil_mode}
    try:
        attrs = declare(shape, **kwargs).attrs()
    except ValueError:
        assume(False)
    return Pool2dArgs(shape, kwargs, attrs)


# ---------------------------------------------------------------- matmul


@st.composite
def matmul_shapes(draw, max_dim: int = 4, max_batch: int = 3,
                  max_batch_ndim: int = 3) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A valid (input_shape, other_shape) pair for matmul, covering every
    torch.matmul case: 1-D @ 1-D (dot), 1-D @ 2-D, 2-D @ 1-D, 2-D @ 2-D and batched
    operands of different ranks whose batch dimensions broadcast (some set to 1)."""
    # Batched pairs have the most variants: give them more of the examples.
    case = draw(st.sampled_from(["batched", "1d@1d", "1d@2d", "2d@1d", "2d@2d", "batched"]))
    size = st.integers(1, max_dim)
    n, k, m = draw(size), draw(size), draw(size)
    if case == "1d@1d":
        return (k,), (k,)
    if case == "1d@2d":
        return (k,), (k, m)
    if case == "2d@1d":
        return (n, k), (k,)
    if case == "2d@2d":
        return (n, k), (k, m)
    # Sizes >= 2 here: the 1s come from the broadcast choices below, so they are seen.
    batch = draw(st.lists(st.integers(2, max(2, max_batch)), min_size=1,
                          max_size=max_batch_ndim))

    def operand_batch(min_rank: int) -> tuple[int, ...]:
        rank = draw(st.integers(min_rank, len(batch)))
        return tuple(1 if draw(st.booleans()) else d for d in batch[len(batch) - rank:])

    a_first = draw(st.booleans())  # which operand is sure to have a batch
    batch_a = operand_batch(1 if a_first else 0)
    batch_b = operand_batch(0 if a_first else 1)
    a_vec = not batch_a and draw(st.booleans())
    b_vec = not batch_b and draw(st.booleans())
    return ((k,) if a_vec else batch_a + (n, k)), ((k,) if b_vec else batch_b + (k, m))


# ---------------------------------------------------------------- softmax


class SoftmaxArgs(NamedTuple):
    """``F.softmax(x, dim)`` with x of ``shape``; ``norm_dim`` is dim made
    non-negative (``dim % max(ndim, 1)``)."""
    shape: tuple[int, ...]
    dim: int
    norm_dim: int


@st.composite
def softmax_args(draw, min_dims: int = 0, max_dims: int = 3, min_side: int = 0,
                 max_side: int = 4) -> SoftmaxArgs:
    """A shape (0-d and empty sizes allowed by default) and a valid dim for softmax /
    log_softmax, negative dims included."""
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                        max_side=max_side))
    ndim = max(len(shape), 1)
    dim = draw(st.integers(-ndim, ndim - 1))
    return SoftmaxArgs(shape, dim, dim % ndim)


# ---------------------------------------------------------------- cross_entropy


class CrossEntropyArgs(NamedTuple):
    """``F.cross_entropy(logits, target, weight, **kwargs)`` with logits of
    ``input_shape`` (N, C), ``target`` an int64 array of N class indices (some equal
    to kwargs["ignore_index"]) and ``weight`` a float64 array of C positive weights or
    None."""
    input_shape: tuple[int, int]
    target: np.ndarray
    weight: "np.ndarray | None"
    kwargs: dict


@st.composite
def cross_entropy_args(draw, min_n: int = 0, max_n: int = 4, max_c: int = 4,
                       all_ignored: bool = True) -> CrossEntropyArgs:
    """Valid cross_entropy arguments: ignore_index (-100, -1 or a real class, so
    ignored samples are exercised), reduction ('none', 'mean', 'sum'), label_smoothing
    in [0, 1] (both ends included) and an optional class weight.

    With ``all_ignored=False`` a 'mean' always counts at least one sample: a mean over
    nothing is NaN (as PyTorch), which finite differences cannot check.
    """
    n = draw(st.integers(min_n, max_n))
    c = draw(st.integers(1, max_c))
    target = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    ignore_index = draw(st.sampled_from([-100, -1]) | st.integers(0, c - 1))
    if n and draw(st.booleans()):
        ignored = draw(hnp.arrays(np.bool_, (n,)))
        target[ignored] = ignore_index
    reduction = draw(st.sampled_from(["none", "mean", "sum"]))
    if not all_ignored and reduction == "mean":
        assume(n > 0 and np.any(target != ignore_index))
    weight = None
    if draw(st.booleans()):
        weight = draw(hnp.arrays(np.float64, (c,), elements=st.floats(0.1, 2.0)))
    kwargs = {"ignore_index": ignore_index, "reduction": reduction,
              "label_smoothing": draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0))}
    return CrossEntropyArgs((n, c), target, weight, kwargs)
