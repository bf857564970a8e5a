"""Fused in-place SGD and Adam updates on CUDA device arrays, one thread per element.

Each function does in one kernel launch what :class:`~minigrad.optim.SGD` and
:class:`~minigrad.optim.Adam` do on the CPU in several NumPy passes, for many parameters
at once (a multi-tensor launch: the arrays go in as tuples, block row ``blockIdx.y`` is
the parameter, ``blockIdx.x`` strides over its elements; at most :data:`MAX_TENSORS`
per launch), and gives the same bits: every operation is the one NumPy does, in the
same order, in the parameter's dtype.
Two things make that hold on a GPU as well as under the simulator:

- The Python-number options (lr, betas, eps, the bias corrections, ...) are turned into
  the parameter's dtype on the host, as NumPy does with a Python scalar next to an array,
  so the kernel never computes in float64 where NumPy computes in float32.
- The arithmetic goes through libdevice's correctly rounded ``*_rn`` functions: NVVM
  fuses a multiply and an add into one FMA by default (one rounding instead of two),
  which would drift from NumPy by an ulp now and then. Under the simulator each thread
  runs as Python on NumPy scalars of the array's dtype, so plain operators already round
  once per operation (libdevice's functions are only typing stubs there).

Nothing is read back from the device: the step count lives on the host (the optimizer's
counter) and the bias corrections are computed there from it.
"""
from __future__ import annotations

import functools
import operator

import numpy as np
from numba import cuda

from ..ops import _cuda


@functools.lru_cache(maxsize=None)
def _arith(dtype: np.dtype) -> tuple:
    """(add, mul, div, sqrt) rounding once per operation in ``dtype``, never fused."""
    if _cuda.SIMULATOR:
        return operator.add, operator.mul, operator.truediv, np.sqrt
    from numba.cuda import libdevice
    if dtype == np.float32:
        return libdevice.fadd_rn, libdevice.fmul_rn, libdevice.fdiv_rn, libdevice.fsqrt_rn
    return libdevice.dadd_rn, libdevice.dmul_rn, libdevice.ddiv_rn, libdevice.dsqrt_rn


# Arrays per launch: each 1-D array argument takes 56 bytes of the kernel's 4 KiB
# parameter space, and Adam passes four per parameter.
MAX_TENSORS = 16
# Blocks along x: enough to fill a GPU for the largest parameter, which the grid-stride
# loop covers however large it is.
MAX_BLOCKS_X = 1024


@functools.lru_cache(maxsize=None)
def _sgd_kernel(dtype: np.dtype):
    add, mul, _, _ = _arith(dtype)

    @_cuda.kernel
    def kernel(ps, gs, bufs, lr, weight_decay, momentum, one_minus_dampening,
               use_weight_decay, use_momentum, first_step, use_dampening, nesterov):
        # The flags are the same for every thread: the branches never diverge.
        j = cuda.blockIdx.y
        p = ps[j]
        g = gs[j]
        buf = bufs[j]
        start = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
        for i in range(start, p.size, cuda.gridDim.x * cuda.blockDim.x):
            pi = p[i]
            gi = g[i]
            if use_weight_decay:
                gi = add(mul(pi, weight_decay), gi)
            if use_momentum:
                if first_step:
                    b = gi
                elif use_dampening:
                    b = add(mul(buf[i], momentum), mul(one_minus_dampening, gi))
                else:
                    b = add(mul(buf[i], momentum), gi)
                buf[i] = b
                if nesterov:
                    gi = add(gi, mul(b, momentum))
                else:
                    gi = b
            p[i] = add(pi, -mul(gi, lr))  # a + (-b) is a - b exactly; no dsub_rn exists

    return kernel


@functools.lru_cache(maxsize=None)
def _adam_kernel(dtype: np.dtype):
    add, mul, div, sqrt = _arith(dtype)

    @_cuda.kernel
    def kernel(ps, gs, ms, vs, use_weight_decay, decoupled, weight_decay, decay,
               small_weight, lerp_weight, beta2, one_minus_beta2, sqrt_bc2, eps,
               neg_step_size):
        j = cuda.blockIdx.y
        p = ps[j]
        g = gs[j]
        m = ms[j]
        v = vs[j]
        start = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
        for i in range(start, p.size, cuda.gridDim.x * cuda.blockDim.x):
            pi = p[i]
            gi = g[i]
            if use_weight_decay:
                if decoupled:
                    pi = mul(pi, decay)                 # AdamW: p * (1 - lr * wd)
                else:
                    gi = add(gi, mul(weight_decay, pi))  # L2: g + wd * p
            # torch.lerp's two branches, as the CPU code: m + w * (g - m) for w < 0.5,
            # else g - (1 - w) * (g - m); lerp_weight is w or (1 - w) accordingly.
            mi = m[i]
            diff = add(gi, -mi)
            if small_weight:
                mi = add(mi, mul(diff, lerp_weight))
            else:
                mi = add(gi, -mul(diff, lerp_weight))
            vi = add(mul(v[i], beta2), mul(mul(gi, one_minus_beta2), gi))
            denom = add(div(sqrt(vi), sqrt_bc2), eps)
            m[i] = mi
            v[i] = vi
            p[i] = add(pi, div(mul(mi, neg_step_size), denom))

    return kernel


def _chunks(n: int):
    for lo in range(0, n, MAX_TENSORS):
        yield slice(lo, min(n, lo + MAX_TENSORS))


def _grid(arrays) -> tuple[int, int]:
    """(blocks along x, one block row per array)."""
    largest = max(a.size for a in arrays)
    return min(MAX_BLOCKS_X, _cuda.blocks(largest)), len(arrays)


def sgd_update(params, grads, momentum_buffers, *, lr: float, momentum: float,
               dampening: float, nesterov: bool, weight_decay: float,
               first_step: bool) -> list:
    """One SGD step on every array of ``params`` in place (the formulas of
    :class:`~minigrad.optim.SGD`), in one launch per :data:`MAX_TENSORS` arrays.

    Args:
        params, grads: lists of C-contiguous device arrays, pairwise of one shape, all
            of one float dtype.
        momentum_buffers: the buffers returned by the previous call (updated in place),
            or None (a new one each); ignored when ``momentum == 0``.
        first_step: True on the parameters' first step with momentum: the buffers start
            as the gradients.

    Returns:
        The momentum buffers (device arrays in the params' shapes and dtype), or Nones
        when ``momentum == 0``.
    """
    params = list(params)
    if not params:
        return []
    dt = np.dtype(params[0].dtype)
    T = dt.type
    use_momentum = momentum != 0
    bufs = [None] * len(params)
    if use_momentum:
        bufs = [b if b is not None else _cuda.empty(p.shape, dt)  # written on this step
                for p, b in zip(params, momentum_buffers or [None] * len(params))]
    live = [i for i, p in enumerate(params) if p.size]
    kernel = _sgd_kernel(dt)
    for part in _chunks(len(live)):
        idx = live[part]
        ps = tuple(_cuda.flat(params[i]) for i in idx)
        gs = tuple(_cuda.flat(grads[i]) for i in idx)
        bs = tuple(_cuda.flat(bufs[i]) for i in idx) if use_momentum else ps
        kernel[_grid(ps), _cuda.THREADS](
            ps, gs, bs, T(lr), T(weight_decay), T(momentum), T(1 - dampening),
            weight_decay != 0, use_momentum, bool(first_step), dampening != 0,
            bool(nesterov))
    return bufs


def adam_update(params, grads, exp_avgs, exp_avg_sqs, *, step: int, lr: float,
                beta1: float, beta2: float, eps: float, weight_decay: float,
                decoupled_weight_decay: bool = False) -> None:
    """One Adam (or AdamW) step on every array of ``params`` and its moments in place
    (the formulas of :class:`~minigrad.optim.Adam`), in one launch per
    :data:`MAX_TENSORS` arrays.

    Args:
        params, grads, exp_avgs, exp_avg_sqs: lists of C-contiguous device arrays,
            one shape per index, all of one float dtype; the moments start as zeros.
        step: the step number t = 1, 2, ... (the same for all: the optimizer groups the
            parameters by it); the bias corrections 1 - beta**t are computed here in
            float64.
        decoupled_weight_decay: AdamW's decay of the parameter instead of the L2 term.
    """
    params = list(params)
    if not params:
        return
    dt = np.dtype(params[0].dtype)
    T = dt.type
    t = float(step)  # the CPU optimizer computes beta ** float(step)
    bias_correction1 = 1 - beta1 ** t
    bias_correction2 = 1 - beta2 ** t
    weight = 1 - beta1
    small_weight = weight < 0.5
    scalars = (weight_decay != 0, bool(decoupled_weight_decay), T(weight_decay),
               T(1 - lr * weight_decay), small_weight,
               T(weight if small_weight else 1 - weight),
               T(beta2), T(1 - beta2), T(bias_correction2 ** 0.5), T(eps),
               T(-(lr / bias_correction1)))
    live = [i for i, p in enumerate(params) if p.size]
    kernel = _adam_kernel(dt)
    for part in _chunks(len(live)):
        idx = live[part]
        ps = tuple(_cuda.flat(params[i]) for i in idx)
        kernel[_grid(ps), _cuda.THREADS](
            ps, tuple(_cuda.flat(grads[i]) for i in idx),
            tuple(_cuda.flat(exp_avgs[i]) for i in idx),
            tuple(_cuda.flat(exp_avg_sqs[i]) for i in idx), *scalars)
