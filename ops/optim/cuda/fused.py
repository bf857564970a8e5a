"""sgd_step and adam_step on CUDA, "fused": each parameter group's update in one kernel
launch per dtype (and first-step flag or step number) and :data:`MAX_TENSORS`
parameters, one thread per element, in place.

What :mod:`minigrad.ops.optim.numpy` does in several NumPy passes per parameter, here in
one pass over many parameters at once (a multi-tensor launch: the arrays go in as
tuples, block row ``blockIdx.y`` is the parameter, ``blockIdx.x`` strides over its
elements), with the same bits: every operation is the one NumPy does, in the same
order, in the parameter's dtype. For that the Python-number options (lr, betas, eps,
the bias corrections, ...) are turned into the parameter's dtype on the host, and the
arithmetic rounds once per operation, never fused (ops/_cuda_rounded.py says why).

Nothing is read back from the device: the step counts live on the host (the optimizer's
counters, in the geometry) and the bias corrections are computed there from them.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda_rounded import arith


# Arrays per launch: each 1-D array argument takes 56 bytes of the kernel's 4 KiB
# parameter space, and Adam passes four per parameter.
MAX_TENSORS = 16
# Blocks along x: enough to fill a GPU for the largest parameter, which the grid-stride
# loop covers however large it is.
MAX_BLOCKS_X = 1024


@functools.lru_cache(maxsize=None)
def _sgd_kernel(dtype: np.dtype):
    add, mul, _, _ = arith(dtype)

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
    add, mul, div, sqrt = arith(dtype)

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


def _batches(params, keys) -> dict:
    """Parameter indices grouped by (dtype, key), in order of first appearance: each
    group is one kernel specialisation with one set of scalars."""
    groups: dict = {}
    for i, (p, key) in enumerate(zip(params, keys)):
        groups.setdefault((np.dtype(p.dtype).str, key), []).append(i)
    return groups


def sgd_step(g, params, grads, bufs):
    """One SGD step of every parameter in place (the formulas of
    :class:`~minigrad.optim.SGD`): one launch per dtype, first-step flag and
    :data:`MAX_TENSORS` parameters.

    params, grads, bufs: tuples of C-contiguous device arrays, pairwise of one shape;
    a None buffer is the parameter's first step with momentum (the buffer starts as
    the gradient). Returns the buffers, new device arrays where None was given (all
    None when momentum == 0).
    """
    out = list(bufs)
    for (_, first), idx in _batches(params, [b is None for b in bufs]).items():
        new = _sgd_launch(g, [params[i] for i in idx], [grads[i] for i in idx],
                          [bufs[i] for i in idx], first)
        for i, b in zip(idx, new):
            out[i] = b
    return tuple(out), None


def _sgd_launch(g, params, grads, bufs, first_step: bool) -> list:
    """The launches for parameters of one dtype, all on their first step or none."""
    dt = np.dtype(params[0].dtype)
    T = dt.type
    lr, momentum, dampening, weight_decay = g.lr, g.momentum, g.dampening, g.weight_decay
    use_momentum = momentum != 0
    if use_momentum:
        bufs = [b if b is not None else _cuda.empty(p.shape, dt)  # written on this step
                for p, b in zip(params, bufs)]
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
            bool(g.nesterov))
    return bufs


def adam_step(g, params, grads, exp_avgs, exp_avg_sqs):
    """One Adam (or AdamW) step of every parameter and its moments in place (the
    formulas of :class:`~minigrad.optim.Adam`): one launch per dtype, step number and
    :data:`MAX_TENSORS` parameters.

    params, grads, exp_avgs, exp_avg_sqs: tuples of C-contiguous device arrays, one
    shape per index; ``g.steps[i]`` is parameter i's step t = 1, 2, ..., from which the
    bias corrections 1 - beta**t are computed here in float64.
    """
    for (_, step), idx in _batches(params, g.steps).items():
        _adam_launch(g, step, *([a[i] for i in idx]
                                for a in (params, grads, exp_avgs, exp_avg_sqs)))
    return None, None


def _adam_launch(g, step: float, params, grads, exp_avgs, exp_avg_sqs) -> None:
    """The launches for parameters of one dtype and one step number."""
    dt = np.dtype(params[0].dtype)
    T = dt.type
    lr, beta1, beta2, weight_decay = g.lr, g.beta1, g.beta2, g.weight_decay
    t = float(step)  # the CPU optimizer computes beta ** float(step)
    bias_correction1 = 1 - beta1 ** t
    bias_correction2 = 1 - beta2 ** t
    weight = 1 - beta1
    small_weight = weight < 0.5
    scalars = (weight_decay != 0, bool(g.decoupled_weight_decay), T(weight_decay),
               T(1 - lr * weight_decay), small_weight,
               T(weight if small_weight else 1 - weight),
               T(beta2), T(1 - beta2), T(bias_correction2 ** 0.5), T(g.eps),
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


KERNELS = {"sgd_step": (sgd_step, None), "adam_step": (adam_step, None)}
