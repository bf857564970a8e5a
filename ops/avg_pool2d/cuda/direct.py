"""Average pooling on CUDA, "direct": one thread per output element (forward), one
thread per input element gathering from the windows that hold it (backward).

Each thread works out its windows from ``g.windows``'s formula itself (see
``_windows.py``), so nothing but the arrays and a few ints reaches the device::

    forward:  thread o of a 1-D grid -> output (n, i, j)             # n = b*C + c
              [h_lo, h_hi), d_row = window i of the rows; [w_lo, w_hi), d_col: window j
              s = sum of x[n, h, w] over the window, row by row      # global memory
              out[o] = s / divisor(i, j)

    backward: thread e -> input element (n, h, w)                    # a GATHER
              rows i in [i0, i1), columns j in [j0, j1): the windows holding (h, w)
              acc = 0
              for i, j in that order (output order, as the CPU's scatter):
                  acc += grad_out[n, i, j] / divisor(i, j)
              grad_x[e] = acc                                        # one writer

Every element is written by exactly one thread: no atomics, no zero fill, and the
additions happen in the order of the CPU kernels, so the results are their bits (the
same sums in x's dtype; float32 kernels compute in float32 only). Overlapping windows
(stride < kernel, or adaptive pooling to more outputs than inputs) cost each backward
thread one read per window holding its element. Saves nothing: the geometry is enough.

Index maths is 32-bit where it divides (``_pool_cuda.div32``/``divmod32``): each launch
covers a group of planes whose flat indices fit (``plane_groups``), and the window
formula's products must stay below 2**31 (checked before any launch).
"""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda, from_dtype

from ... import _cuda
from ..._cuda import empty, launch, zeros
from ..._pool_cuda import DeviceArray, div32, divmod32, plane_groups, plane_slice

OP = "average pooling"


@cuda.jit(device=True)
def plane_pos(e, rows, cols):
    """Flat index e of a stack of rows x cols planes -> (plane, row, column)."""
    t, c = divmod32(e, cols)
    n, r = divmod32(t, rows)
    return n, r, c


@cuda.jit(device=True)
def window(i, axis, count_pad):
    """(lo, hi, count) of window i of ``axis`` (a Windows tuple): input elements
    [lo, hi), count with or without the padding (``_windows.py``'s formula;
    den == 1 for avg_pool2d: no division)."""
    n, _, num, den, ext, pad = axis
    a = i * num
    if den == 1:
        start = a - pad
        stop = a + ext - pad
    else:
        start = div32(a, den) - pad
        stop = div32(a + ext, den) - pad
    if stop > n + pad:
        stop = n + pad
    lo = start if start > 0 else 0
    hi = stop if stop < n else n
    return lo, hi, (stop - start) if count_pad else (hi - lo)


@cuda.jit(device=True)
def holding(h, axis):
    """Windows [i0, i1) of ``axis`` holding input position h (the inverse of
    :func:`window`)."""
    _, m, num, den, ext, pad = axis
    q1 = (h + pad + 1) * den
    i1 = div32(q1 - 1, num) + 1
    if i1 > m:
        i1 = m
    t = q1 - ext
    i0 = 0
    if t > 0:
        i0 = div32(t + num - 1, num)
    return i0, i1


@functools.lru_cache(maxsize=None)
def _kernels(dtype: np.dtype):
    """(forward, backward) kernels for ``dtype``: the sums start at a zero of that dtype
    and the divisors are converted to it, so float32 stays float32."""
    nb_dtype = from_dtype(dtype)
    zero = np.dtype(dtype).type(0)

    @cuda.jit(device=True)
    def mean(s, d_row, d_col, divisor, per_axis):
        if divisor != 0:
            return s / nb_dtype(divisor)
        if per_axis:
            return s / nb_dtype(d_row) / nb_dtype(d_col)
        return s / nb_dtype(d_row * d_col)

    @_cuda.kernel
    def forward_kernel(x, out, height, width, out_h, out_w, rows, cols, divisor, count_pad,
                       per_axis):
        o = cuda.grid(1)
        if o >= out.size:
            return
        n, i, j = plane_pos(o, out_h, out_w)
        h_lo, h_hi, d_row = window(i, rows, count_pad)
        w_lo, w_hi, d_col = window(j, cols, count_pad)
        base = n * height * width
        s = zero
        for h in range(h_lo, h_hi):
            row = base + h * width
            for w in range(w_lo, w_hi):
                s += x[row + w]
        out[o] = mean(s, d_row, d_col, divisor, per_axis)

    @_cuda.kernel
    def backward_kernel(grad_out, grad_x, height, width, out_h, out_w, rows, cols, divisor,
                        count_pad, per_axis):
        e = cuda.grid(1)
        if e >= grad_x.size:
            return
        n, h, w = plane_pos(e, height, width)
        i0, i1 = holding(h, rows)
        j0, j1 = holding(w, cols)
        base = n * out_h * out_w
        acc = zero
        for i in range(i0, i1):
            _, _, d_row = window(i, rows, count_pad)
            row = base + i * out_w
            for j in range(j0, j1):
                _, _, d_col = window(j, cols, count_pad)
                acc += mean(grad_out[row + j], d_row, d_col, divisor, per_axis)
        grad_x[e] = acc

    return forward_kernel, backward_kernel


def _window_args(g) -> tuple:
    """The windows as the kernels take them: plain tuples of ints (rows, cols), the
    divisor override, count_pad, per_axis; RuntimeError if the formula's products would
    not fit the 32-bit division."""
    w = g.windows
    for axis in (w.rows, w.cols):
        largest = max((axis.m - 1) * axis.num + axis.ext, (axis.n + axis.pad) * axis.den + axis.num)
        if largest >= 2**31:
            raise RuntimeError(f"{OP} on cuda: {axis.n} inputs into {axis.m} windows is too "
                               "large for the kernels' 32-bit window arithmetic")
    return tuple(w.rows), tuple(w.cols), int(w.divisor), bool(w.count_pad), bool(w.per_axis)


def forward(g, x: DeviceArray) -> tuple[DeviceArray, None]:
    """x: (B, C, H, W) -> (out, None), out (B, C, Ho, Wo) of x's dtype: each window's
    mean (its sum over the divisor)."""
    out = empty((g.B, g.C, g.Ho, g.Wo), x.dtype)
    if out.size:
        args = _window_args(g)
        kernel = _kernels(np.dtype(x.dtype))[0]
        for p0, p1 in plane_groups(OP, g.B * g.C, g.H * g.W, g.Ho * g.Wo):
            o = plane_slice(out, p0, p1)
            kernel[launch(o.size)](plane_slice(x, p0, p1), o, g.H, g.W, g.Ho, g.Wo, *args)
    return out, None


def backward(g, grad_out: DeviceArray, saved: None,
             needs_input_grad: tuple[bool]) -> tuple[DeviceArray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W): the sum, over the
    windows holding each input element, of their ``grad_out / divisor``."""
    if not needs_input_grad[0]:
        return (None,)
    shape = (g.B, g.C, g.H, g.W)
    if grad_out.size == 0:  # no windows (adaptive pooling to 0): nothing flows back
        return (zeros(shape, grad_out.dtype),)
    grad_x = empty(shape, grad_out.dtype)
    if grad_x.size:
        args = _window_args(g)
        kernel = _kernels(np.dtype(grad_out.dtype))[1]
        for p0, p1 in plane_groups(OP, g.B * g.C, g.H * g.W, g.Ho * g.Wo):
            gx = plane_slice(grad_x, p0, p1)
            kernel[launch(gx.size)](plane_slice(grad_out, p0, p1), gx, g.H, g.W, g.Ho, g.Wo,
                                    *args)
    return (grad_x,)


# Both ops of the family run these kernels: only their windows (g.windows) differ.
KERNELS = {"avg_pool2d": (forward, backward), "adaptive_avg_pool2d": (forward, backward)}
