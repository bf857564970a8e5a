"""Fused in-place SGD and Adam updates on CUDA device arrays, one thread per element.

Each function does in one kernel launch what :class:`~minigrad.optim.SGD` and
:class:`~minigrad.optim.Adam` do on the CPU in several NumPy passes, and gives the same
bits: every operation is the one NumPy does, in the same order, in the parameter's dtype.
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


@functools.lru_cache(maxsize=None)
def _sgd_kernel(dtype: np.dtype):
    add, mul, _, _ = _arith(dtype)

    @cuda.jit
    def kernel(p, g, buf, lr, weight_decay, momentum, one_minus_dampening,
               use_weight_decay, use_momentum, first_step, use_dampening, nesterov):
        # The flags are the same for every thread: the branches never diverge.
        i = cuda.grid(1)
        if i < p.size:
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

    @cuda.jit
    def kernel(p, g, m, v, use_weight_decay, decoupled, weight_decay, decay,
               small_weight, lerp_weight, beta2, one_minus_beta2, sqrt_bc2, eps,
               neg_step_size):
        i = cuda.grid(1)
        if i < p.size:
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


def sgd_update(param, grad, momentum_buffer, *, lr: float, momentum: float,
               dampening: float, nesterov: bool, weight_decay: float,
               first_step: bool):
    """One SGD step on ``param`` in place (same formulas as :class:`~minigrad.optim.SGD`).

    Args:
        param, grad: C-contiguous device arrays of one shape and float dtype.
        momentum_buffer: the buffer returned by the previous call (updated in place), or
            None; ignored when ``momentum == 0``.
        first_step: True on the parameter's first step with momentum: the buffer starts
            as the gradient (a new buffer is made when ``momentum_buffer`` is None).

    Returns:
        The momentum buffer (a device array in param's shape and dtype), or None when
        ``momentum == 0``.
    """
    dt = np.dtype(param.dtype)
    T = dt.type
    use_momentum = momentum != 0
    buf = None
    if use_momentum:
        buf = momentum_buffer
        if buf is None:
            buf = _cuda.empty(param.shape, dt)  # every element is written on this step
    n = param.size
    if n:
        pf = _cuda.flat(param)
        _sgd_kernel(dt)[_cuda.blocks(n), _cuda.THREADS](
            pf, _cuda.flat(grad), _cuda.flat(buf) if use_momentum else pf,
            T(lr), T(weight_decay), T(momentum), T(1 - dampening),
            weight_decay != 0, use_momentum, bool(first_step), dampening != 0,
            bool(nesterov))
    return buf


def adam_update(param, grad, exp_avg, exp_avg_sq, *, step: int, lr: float, beta1: float,
                beta2: float, eps: float, weight_decay: float,
                decoupled_weight_decay: bool = False) -> None:
    """One Adam (or AdamW) step on ``param``, ``exp_avg`` and ``exp_avg_sq`` in place
    (same formulas as :class:`~minigrad.optim.Adam`).

    Args:
        param, grad, exp_avg, exp_avg_sq: C-contiguous device arrays of one shape and
            float dtype; the moments start as zeros.
        step: the step number t = 1, 2, ... after the optimizer's host-side counter was
            incremented; the bias corrections 1 - beta**t are computed here in float64.
        decoupled_weight_decay: AdamW's decay of the parameter instead of the L2 term.
    """
    dt = np.dtype(param.dtype)
    T = dt.type
    t = float(step)  # the CPU optimizer computes beta ** float(step)
    bias_correction1 = 1 - beta1 ** t
    bias_correction2 = 1 - beta2 ** t
    weight = 1 - beta1
    small_weight = weight < 0.5
    n = param.size
    if n:
        _adam_kernel(dt)[_cuda.blocks(n), _cuda.THREADS](
            _cuda.flat(param), _cuda.flat(grad), _cuda.flat(exp_avg), _cuda.flat(exp_avg_sq),
            weight_decay != 0, bool(decoupled_weight_decay), T(weight_decay),
            T(1 - lr * weight_decay), small_weight,
            T(weight if small_weight else 1 - weight),
            T(beta2), T(1 - beta2), T(bias_correction2 ** 0.5), T(eps),
            T(-(lr / bias_correction1)))
