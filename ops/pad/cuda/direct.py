"""pad on CUDA, "direct": one thread per output element, forward and backward.

Each thread turns its flat index into per-dim output positions and maps each through
the mode's source formula (``source`` below, the device copy of ``ops/pad/__init__.py``'s)::

    forward:  thread o -> output (o_1, ..., o_k)
              off = 0
              for each dim d: i = src_d(o_d); if i < 0: out[o] = value, stop
                              off += i * stride_d            (the input's strides)
              out[o] = x[off]

    backward: grad_x = 0
              thread o: the same walk; unless it hit the fill,
                        atomic grad_x[off] += grad_out[o]

Backward scatters with atomics rather than gathering: reflect, replicate and circular
send several outputs (replicate's edges: up to pad + 1 per dim) to one input element,
and the atomic adds are the simplest correct sum (their order varies from run to run,
so the last bits of float sums may too). Saves nothing: the geometry is enough. The
dims' sizes and maps travel as tuples of ints; a 0-d input runs as a 1-element 1-D one
(a kernel cannot loop over an empty tuple on every Numba version).
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from ... import _cuda


@cuda.jit(device=True)
def source(o, n, before, lo, period, shift, code):
    """The input position output position ``o`` reads along one dim, or -1 (the fill)."""
    i = o - before
    if code == 0:
        if i < 0 or i >= n:
            return -1
        return i
    if code == 1:
        if i < 0:
            i = -i
        if i >= n:
            i = 2 * (n - 1) - i
        return i
    if code == 2:
        if i < 0:
            return 0
        if i >= n:
            return n - 1
        return i
    r = (o - shift) % period
    if r < 0:
        r += period
    return lo + r


@cuda.jit(device=True)
def input_offset(o, out_shape, strides, ns, befores, los, periods, shifts, code):
    """Flat output index o -> the flat input offset it reads, or -1 for the fill."""
    off = 0
    for d in range(len(out_shape) - 1, -1, -1):
        m = out_shape[d]
        i = source(o % m, ns[d], befores[d], los[d], periods[d], shifts[d], code)
        if i < 0:
            return -1
        off += i * strides[d]
        o //= m
    return off


@_cuda.kernel
def forward_kernel(x, out, fill, out_shape, strides, ns, befores, los, periods, shifts, code):
    o = cuda.grid(1)
    if o >= out.size:
        return
    off = input_offset(o, out_shape, strides, ns, befores, los, periods, shifts, code)
    out[o] = fill if off < 0 else x[off]


@_cuda.kernel
def backward_kernel(grad_out, grad_x, out_shape, strides, ns, befores, los, periods, shifts,
                    code):
    o = cuda.grid(1)
    if o >= grad_out.size:
        return
    off = input_offset(o, out_shape, strides, ns, befores, los, periods, shifts, code)
    if off >= 0:
        cuda.atomic.add(grad_x, off, grad_out[o])


def _maps(g) -> tuple:
    """The per-dim tuples the kernels take: output shape, input strides, sizes,
    amounts before, circular windows and shifts (a 0-d input as one 1-element dim)."""
    axes = g.axes or ((1, 1, 0, 0, 1, 0),)
    ns = tuple(int(a[0]) for a in axes)
    return (tuple(int(a[1]) for a in axes), _cuda.strides_of(ns), ns,
            tuple(int(a[2]) for a in axes), tuple(int(a[3]) for a in axes),
            tuple(int(a[4]) for a in axes), tuple(int(a[5]) for a in axes), int(g.code))


def forward(g, x) -> tuple:
    """x: ``g.in_shape`` -> (out, None), out ``g.out_shape`` of x's dtype."""
    fill = np.asarray(g.value).astype(x.dtype)[()]  # int tensors truncate, as PyTorch
    if 0 in g.out_shape:
        return _cuda.empty(g.out_shape, x.dtype), None
    if x.size == 0:  # constant padding around nothing
        return _cuda.full(g.out_shape, fill, x.dtype), None
    out = _cuda.empty(g.out_shape, x.dtype)
    forward_kernel[_cuda.launch(out.size)](_cuda.flat(x), _cuda.flat(out), fill, *_maps(g))
    return out, None


def backward(g, grad_out, saved: None, needs_input_grad: tuple[bool]) -> tuple:
    """grad_out: ``g.out_shape`` -> (grad_x,), grad_x ``g.in_shape``: each input
    element's sum of the gradients of the outputs that read it."""
    if not needs_input_grad[0]:
        return (None,)
    grad_x = _cuda.zeros(g.in_shape, grad_out.dtype)
    if grad_out.size and grad_x.size:
        backward_kernel[_cuda.launch(grad_out.size)](_cuda.flat(grad_out), _cuda.flat(grad_x),
                                                     *_maps(g))
    return (grad_x,)
