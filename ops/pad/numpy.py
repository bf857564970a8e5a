"""pad in NumPy: one gather per padded dim, and its transpose.

The source index is separable (``__init__.py``), so the output is the input gathered
along each padded dim in turn with that dim's table ``src(o)`` (``np.take``), and, in
constant mode, the positions whose source is outside the input set to the value::

    forward:   a = x
               for each padded dim d:  a = take(a, clip(src_d), axis=d)
               out = where(inside_1 & ... & inside_k, a, value)      (constant mode)

    backward (the transpose, dims in reverse order):
               g = where(inside, grad_out, 0)                        (constant mode)
               for each padded dim d, last first:
                   g' = zeros(n_d along d);  g'[.., src_d(o), ..] += g[.., o, ..]   (np.add.at)
               grad_x = g

Memory: one intermediate per padded dim (at most the output's size); the tables are
O(m) ints per dim. Reflect/replicate/circular read an input element several times, so
backward adds (np.add.at handles repeated indices); constant mode reads each at most
once.
"""
from __future__ import annotations

import numpy as np

from . import source


def _table(axis, code) -> tuple[np.ndarray, np.ndarray]:
    """(src clipped into [0, n), inside) for one dim: where each output position reads,
    and whether that is the input (False only for constant mode's fill)."""
    src = np.array([source(axis, code, o) for o in range(axis.m)], dtype=np.int64)
    return np.clip(src, 0, max(axis.n - 1, 0)), src >= 0


def _inside(g, tables) -> np.ndarray | None:
    """The (broadcastable) mask of output positions read from the input, or None when
    every one is (no fill)."""
    mask = None
    for d, (_, inside) in tables.items():
        if inside.all():
            continue
        shaped = inside.reshape((-1,) + (1,) * (len(g.out_shape) - 1 - d))
        mask = shaped if mask is None else mask & shaped
    return mask


def forward(g, x: np.ndarray) -> tuple[np.ndarray, None]:
    """x: ``g.in_shape`` -> (out, None), out ``g.out_shape`` of x's dtype."""
    fill = np.asarray(g.value).astype(x.dtype)  # int tensors truncate, as PyTorch
    if 0 in g.out_shape:
        return np.empty(g.out_shape, dtype=x.dtype), None
    if x.size == 0:  # constant padding around nothing (the other modes refuse it)
        return np.full(g.out_shape, fill, dtype=x.dtype), None
    tables = {d: _table(g.axes[d], g.code) for d in g.padded()}
    a = x
    for d, (src, _) in tables.items():
        a = np.take(a, src, axis=d)
    mask = _inside(g, tables)
    if mask is not None:
        a = np.where(mask, a, fill)
    # take and where make new C-contiguous arrays; nothing padded (pad all zeros) must
    # still give a new one, as PyTorch (a write into the output must not reach x).
    return (a.copy() if a is x else a), None


def backward(g, grad_out: np.ndarray, saved: None,
             needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """grad_out: ``g.out_shape`` -> (grad_x,), grad_x ``g.in_shape``: each input
    element's sum of the gradients of the outputs that read it."""
    if not needs_input_grad[0]:
        return (None,)
    dtype = grad_out.dtype
    if grad_out.size == 0 or 0 in g.in_shape:
        return (np.zeros(g.in_shape, dtype=dtype),)
    tables = {d: _table(g.axes[d], g.code) for d in g.padded()}
    mask = _inside(g, tables)
    a = grad_out if mask is None else np.where(mask, grad_out, 0)
    for d in reversed(list(tables)):
        src, _ = tables[d]
        moved = np.moveaxis(a, d, -1)
        summed = np.zeros(moved.shape[:-1] + (g.in_shape[d],), dtype=dtype)
        np.add.at(summed, (..., src), moved)
        a = np.moveaxis(summed, -1, d)
    return (np.ascontiguousarray(a) if a.ndim else np.array(a),)  # ascontiguousarray makes 0-d 1-d
