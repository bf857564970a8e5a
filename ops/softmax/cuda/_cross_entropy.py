"""cross_entropy's CUDA kernels, written once for the three strategies of _rows.py (one
thread, one block or one warp per row = sample), compiled per (strategy, dtype, fused,
looped). The notation and formulas are ops/softmax/__init__.py's.

Per-row forward (k over the classes this thread owns; reduce_* combines the row's
threads; eps = label_smoothing, keep = 1 - eps)::

    t = target[r]; counted = t != ignore_index; bad = counted and not 0 <= t < C
    m  = reduce_max(max_k x[r, k]);  s = reduce_sum(sum_k exp(x[r, k] - m));  ls = log s
    if eps > 0:  W = reduce_sum(sum_k w[k]);  D = reduce_sum(sum_k w[k] * (x[r, k] - m))
                 smooth = W * ls - D             # = -sum_k w[k] * log p[r, k]
    nll = -((x[r, t] - m) - ls) * w[t]          (0 if ignored, NaN if bad)
    loss[r] = keep * nll + eps / C * smooth;  parts[:, r] = (nll, smooth, w[t])
    fused only (the warp version):
    gfused[r, k] = (keep * w[t] + eps / C * W) / s * exp(x[r, k] - m) - eps / C * w[k]
                   - [k == t] * keep * w[t]     (0 if ignored, NaN if bad)

Every thread of a row computes the same row values; the first thread of the row writes
loss and parts. Ignored rows loop over nothing but still join the reductions (the rule
of _rows.py). The row launches stop at ``ops._cuda.MAX_BLOCKS`` blocks; past that each
block loops over several slots of rows (a kernel variant of its own: _rows.py).

``finish`` (one block, shared by all versions: O(N) work after the O(N C) above) adds
the parts up in float64, a tree in shared memory, so the order is fixed by the launch,
never by timing (no atomics)::

    "sum":  keep * sum(nll) + eps / C * sum(smooth)
    "mean": keep * sum(nll) / sum(w_t) + eps / C * sum(smooth) / sum(w_t)   (0/0: NaN)
    scale0 = 1 / sum(w_t) for "mean" (NaN if the total is 0, as in PyTorch), else 1

Backward of the "row" and "block" versions: ``total`` (one block, like finish) gives
scale0 for "mean", then per row, with scale = grad_out[r] (or grad_out) * scale0::

    m, s, W as in the forward;  a = keep * w[t] + eps / C * W
    grad[r, k] = scale * (a / s * exp(x[r, k] - m) - eps / C * w[k] - [k == t] keep w[t])

(0 for ignored rows, NaN for bad ones). The warp version's backward is
``scale_fused``: grad = gfused * grad_out * scale0, one multiply per element.

A target outside [0, C) that is not ignore_index is never indexed with: its row's loss
is NaN (so are "mean" and "sum", and the gradient row), never a silently wrong number.
(The front end's check_class_indices, queued before these kernels, has the error raised
at the next copy to the host: ops/check_class_indices.)
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import THREADS, blocks, empty, flat, full
from .. import CrossEntropyGeometry
from ._rows import (
    BLOCK_MAX,
    STRATEGIES,
    Strategy,
    block_reducers,
    nanmax,
    pow2_at_least,
    row_grid,
)


@lru_cache(maxsize=None)
def _row_kernels(name: str, dtype: np.dtype, fused: bool, looped: bool):
    strategy = STRATEGIES[name]
    first_row, row_of = strategy.first_row, strategy.row_of
    reduce_max, reduce_sum = strategy.reducers(dtype)
    # Constants of the logits' dtype, so float32 maths stays float32.
    cast = dtype.type
    neg_inf, zero, nan = cast(-np.inf), cast(0), cast(np.nan)

    @cuda.jit(device=True)
    def row_stats(b, x, target, w, rows, C, ign, use_ign, eps):
        """(r, k0, dk, t, counted, good, m, s, ls, W, D) of this thread's row in slot b,
        D = sum_k w[k] * (x[r, k] - m) (W and D only when eps > 0). Every thread calls it.

        All of a kernel's reductions happen in here: NVVM rejects a kernel that
        reaches a shared-memory reduction both directly and through a device function
        (the block version's shared array would be defined twice)."""
        r, k0, dk = row_of(b)
        t = 0
        counted = False
        if r < rows:
            t = target[r]
            counted = not (use_ign and t == ign)
        good = counted and 0 <= t and t < C
        kend = C if counted else 0
        m = neg_inf
        for k in range(k0, kend, dk):
            m = nanmax(m, x[r, k])
        m = reduce_max(m)
        s = zero
        for k in range(k0, kend, dk):
            s += math.exp(x[r, k] - m)
        s = reduce_sum(s)
        ls = math.log(s) if counted else zero
        W = zero
        D = zero
        if eps > 0:  # eps is the same for the whole grid: every thread takes this branch
            for k in range(k0, kend, dk):
                W += w[k]
                D += w[k] * (x[r, k] - m)
            W = reduce_sum(W)
            D = reduce_sum(D)
        return r, k0, dk, t, counted, good, m, s, ls, W, D

    @_cuda.kernel
    def forward_kernel(x, target, w, rows, C, ign, use_ign, keep, eps_c, eps,
                       loss, parts, gfused):
        # A block owns one slot of rows, or with ``looped`` several (_rows.py).
        b = cuda.blockIdx.x
        while first_row(b) < rows:
            r, k0, dk, t, counted, good, m, s, ls, W, D = row_stats(
                b, x, target, w, rows, C, ign, use_ign, eps)
            # -sum_k w[k] * log p_k = -sum_k w[k] * ((x[r, k] - m) - ls); both terms of
            # W * ls - D are >= 0 for non-negative weights: no cancellation.
            smooth = W * ls - D
            w_t = w[t] if good else (nan if counted else zero)
            if r < rows and k0 == 0:
                # NaN if bad, 0 if ignored
                nll = -((x[r, t] - m) - ls) * w_t if good else w_t
                loss[r] = keep * nll + eps_c * smooth
                parts[0, r] = nll
                parts[1, r] = smooth
                parts[2, r] = w_t
            if fused and r < rows:
                ca = (keep * w_t + eps_c * W) / s if counted else zero
                ct = keep * w_t
                for k in range(k0, C, dk):
                    v = zero
                    if counted:
                        v = ca * math.exp(x[r, k] - m) - eps_c * w[k]
                        if k == t:
                            v -= ct
                    gfused[r, k] = v
            if not looped:
                break
            b += cuda.gridDim.x

    @_cuda.kernel
    def backward_kernel(x, target, w, rows, C, ign, use_ign, keep, eps_c, eps,
                        g, per_row, scale0, grad):
        b = cuda.blockIdx.x
        while first_row(b) < rows:
            r, k0, dk, t, counted, good, m, s, ls, W, _ = row_stats(
                b, x, target, w, rows, C, ign, use_ign, eps)
            if r < rows:
                w_t = w[t] if good else nan
                scale = cast((g[r] if per_row else g[0]) * scale0[0])
                ca = scale * (keep * w_t + eps_c * W) / s if counted else zero
                cw = scale * eps_c
                ct = scale * keep * w_t
                for k in range(k0, C, dk):
                    v = zero
                    if counted:
                        v = ca * math.exp(x[r, k] - m) - cw * w[k]
                        if k == t:
                            v -= ct
                    grad[r, k] = v
            if not looped:
                break
            b += cuda.gridDim.x

    return forward_kernel, backward_kernel


@lru_cache(maxsize=None)
def _reduce_kernels(dtype: np.dtype):
    """finish, total and scale_fused: the one-block reductions over the rows and the
    fused backward's multiply (see the module docstring)."""
    _, sum64 = block_reducers(np.dtype(np.float64))
    nan = np.float64(np.nan)
    cast = dtype.type

    @_cuda.kernel
    def finish(parts, rows, keep, eps_c, mean, out, scale0):
        t = cuda.threadIdx.x
        a = b = c = np.float64(0)
        for i in range(t, rows, cuda.blockDim.x):
            a += parts[0, i]
            b += parts[1, i]
            c += parts[2, i]
        a = sum64(a)
        b = sum64(b)
        c = sum64(c)
        if t == 0:
            if mean:
                # IEEE division: 0 / 0 is NaN (CUDA kernels never raise on it).
                out[0] = cast(keep * (a / c) + eps_c * (b / c))
                scale0[0] = 1 / c if c != 0 else nan
            else:
                out[0] = cast(keep * a + eps_c * b)
                scale0[0] = 1

    @_cuda.kernel
    def total(target, w, rows, C, ign, use_ign, scale0):
        t = cuda.threadIdx.x
        c = np.float64(0)
        for i in range(t, rows, cuda.blockDim.x):
            ti = target[i]
            if not (use_ign and ti == ign):
                c += w[ti] if (0 <= ti and ti < C) else nan
        c = sum64(c)
        if t == 0:
            scale0[0] = 1 / c if c != 0 else nan

    @_cuda.kernel
    def scale_fused(gfused, target, C, ign, use_ign, g, per_row, scale0, grad):
        i = cuda.grid(1)
        if i < gfused.size:
            r = i // C
            ti = target[r]
            if use_ign and ti == ign:
                grad[i] = 0  # also when grad_out is inf or NaN, as numpy.py masks
            else:
                grad[i] = gfused[i] * cast((g[r] if per_row else g[0]) * scale0[0])

    return finish, total, scale_fused


# --- the Python side ------------------------------------------------------------------


def _one_block(rows: int) -> int:
    # Threads of the one-block reductions: a power of two (the tree), at most 256.
    return pow2_at_least(rows, 1, BLOCK_MAX)


@lru_cache(maxsize=32)
def _constant(shape: tuple, value: float, dtype: np.dtype):
    """A read-only device array of ``value``, filled once: kernels only read it, so
    every step shares it instead of launching a fill of its own."""
    return full(shape, value, dtype)


def _ignore(g: CrossEntropyGeometry) -> tuple[int, bool]:
    """(ign, use_ign): the ignore_index as a kernel's int64 argument, and whether any
    target can equal it."""
    return (g.ignore_index if g.ignorable else 0), g.ignorable


def _common(g: CrossEntropyGeometry, logits, weight):
    """The kernel arguments every pass shares: (w, ign, use_ign, keep, eps_c, eps)."""
    dt = np.dtype(logits.dtype).type
    # No weight is a weight of ones: one compiled kernel, not two.
    w = _constant((g.C,), 1, np.dtype(logits.dtype)) if weight is None else weight
    eps = g.label_smoothing
    return (w, *_ignore(g), dt(1 - eps), dt(eps / g.C), dt(eps))


def run_forward(strategy: Strategy, g: CrossEntropyGeometry, logits, target, weight, *,
                fused: bool = False):
    """The loss ((N,) for "none", else ()), and with ``fused`` also (gfused (N, C),
    scale0 (1,) float64), the saved gradient for grad_out = 1."""
    N, C = g.N, g.C
    dtype = np.dtype(logits.dtype)
    w, ign, use_ign, keep, eps_c, eps = _common(g, logits, weight)
    loss = empty((N,), dtype)
    parts = empty((3, N), np.float64)
    gfused = empty((N, C), dtype) if fused else empty((1, 1), dtype)
    if N:
        nb, nt, looped = row_grid(strategy, N, C)
        kernel = _row_kernels(strategy.name, dtype, fused, looped)[0]
        kernel[nb, nt](logits, target, w, N, C, ign, use_ign, keep, eps_c, eps,
                       loss, parts, gfused)
    out = loss
    # "none" scales by 1; the other reductions' scale is written by finish.
    scale0 = _constant((1,), 1.0, np.dtype(np.float64))
    if g.reduction != "none":
        scale0 = empty((1,), np.float64)
        out = empty((), dtype)
        finish = _reduce_kernels(dtype)[0]
        # Over N = 0 rows the sums are 0: "sum" is 0 and "mean" 0/0 = NaN.
        finish[1, _one_block(N)](parts, N, 1.0 - g.label_smoothing, g.label_smoothing / C,
                                 g.reduction == "mean", flat(out), scale0)
    return (out, gfused, scale0) if fused else out


def run_backward(strategy: Strategy, g: CrossEntropyGeometry, grad_out, logits, target,
                 weight):
    """grad (N, C) of the loss, recomputing the softmax from the logits."""
    N, C = g.N, g.C
    dtype = np.dtype(logits.dtype)
    w, ign, use_ign, keep, eps_c, eps = _common(g, logits, weight)
    grad = empty((N, C), dtype)
    if N == 0:
        return grad
    scale0 = _constant((1,), 1.0, np.dtype(np.float64))
    if g.reduction == "mean":
        scale0 = empty((1,), np.float64)  # written by total
        total = _reduce_kernels(dtype)[1]
        total[1, _one_block(N)](target, w, N, C, ign, use_ign, scale0)
    nb, nt, looped = row_grid(strategy, N, C)
    kernel = _row_kernels(strategy.name, dtype, False, looped)[1]
    kernel[nb, nt](logits, target, w, N, C, ign, use_ign, keep, eps_c, eps,
                   flat(grad_out), g.reduction == "none", scale0, grad)
    return grad


def scale_fused(g: CrossEntropyGeometry, gfused, scale0, grad_out, target):
    """grad = gfused * grad_out * scale0 (0 on ignored rows): the fused backward."""
    grad = empty((g.N, g.C), gfused.dtype)
    if grad.size:
        ign, use_ign = _ignore(g)
        kernel = _reduce_kernels(np.dtype(gfused.dtype))[2]
        kernel[blocks(grad.size), THREADS](flat(gfused), target, g.C, ign, use_ign,
                                           flat(grad_out), g.reduction == "none", scale0,
                                           flat(grad))
    return grad


# --- the kernel pairs of the registry (cuda/rows.py binds the strategy) -------------------


def cross_entropy_forward(strategy: Strategy, g: CrossEntropyGeometry, logits, target,
                          weight):
    """logits (N, C), target (N,) int64, weight (C,) or None (device arrays) -> (the
    loss, shape (N,) for reduction="none", else (), in the logits' dtype; saved (logits,
    target, weight): backward recomputes the softmax). A target outside [0, C) other
    than ignore_index gives a NaN loss."""
    return run_forward(strategy, g, logits, target, weight), (logits, target, weight)


def cross_entropy_backward(strategy: Strategy, g: CrossEntropyGeometry, grad_out,
                           saved: tuple, needs_input_grad: tuple[bool, bool, bool]) -> tuple:
    """(grad_logits (N, C), None, None): the target and weight get no gradient."""
    if not needs_input_grad[0]:
        return (None, None, None)
    return (run_backward(strategy, g, grad_out, *saved), None, None)


def fused_forward(strategy: Strategy, g: CrossEntropyGeometry, logits, target, weight):
    """As :func:`cross_entropy_forward`, also writing the gradient for grad_out = 1 while
    the row's max and sum are in registers; saved (gfused (N, C), scale0 (1,) float64,
    target): what the one-multiply backward needs, and not the logits."""
    out, gfused, scale0 = run_forward(strategy, g, logits, target, weight, fused=True)
    return out, (gfused, scale0, target)


def fused_backward(strategy: Strategy, g: CrossEntropyGeometry, grad_out, saved: tuple,
                   needs_input_grad: tuple[bool, bool, bool]) -> tuple:
    """(grad_logits = gfused * grad_out * scale0, None, None)."""
    if not needs_input_grad[0]:
        return (None, None, None)
    gfused, scale0, target = saved
    return (scale_fused(g, gfused, scale0, grad_out, target), None, None)
