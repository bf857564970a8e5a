"""dropout_mask on CUDA, "hash": the keep/drop mask made on the GPU by a counter-based
hash: no RNG state arrays, no host copy, one thread per element. The seed is drawn on
the host from the geometry's generator (one int per mask), so ``manual_seed`` fixes it.

Element i of the mask is kept when a 32-bit hash of (seed, i) falls below
``ceil((1 - p) * 2**32)``, so it is kept with probability 1 - p (to 2**-32), independently
of the launch configuration: the same seed gives the same mask on any GPU and under the
simulator. The hash is Chris Wellons' ``lowbias32`` mixer applied twice::

    k0, k1 = two 32-bit keys from the seed (splitmix64, once, on the host)
    h = lowbias32(lowbias32(i_lo ^ k0) ^ k1 ^ i_hi)        i = i_hi * 2**32 + i_lo

Each round is a bijection of 32-bit words and the seed enters both rounds, so a new seed
does not just shift or permute one fixed mask. The arithmetic is int64 with explicit
``& 0xFFFFFFFF`` masks, and each 32x32-bit multiply is split in 16-bit halves so no
intermediate exceeds 2**49: signed overflow never happens, so the GPU (wrapping int64)
and the simulator (Python ints) give identical bits.
"""
from __future__ import annotations

import math

import numpy as np
from numba import cuda

from ... import _cuda

_MASK32 = 0xFFFFFFFF


@cuda.jit(device=True)
def _mul32(x, c):
    """(x * c) mod 2**32 for 0 <= x, c < 2**32, with every product below 2**49."""
    lo = x * (c & 0xFFFF)
    hi = ((x * (c >> 16)) & 0xFFFF) << 16
    return (lo + hi) & _MASK32


@cuda.jit(device=True)
def _hash32(x):
    """lowbias32 (C. Wellons, 2018) of a 32-bit word: a bijection with good avalanche."""
    x ^= x >> 16
    x = _mul32(x, 0x7FEB352D)
    x ^= x >> 15
    x = _mul32(x, 0x846CA68B)
    x ^= x >> 16
    return x


@_cuda.kernel
def _mask_kernel(out, k0, k1, threshold, scale):
    i = cuda.grid(1)
    if i < out.size:
        j = i + 0  # the element index as int64 on every target (i_hi needs 64 bits)
        h = _hash32(_hash32((j & _MASK32) ^ k0) ^ k1 ^ (j >> 32))
        if h < threshold:
            out[i] = scale
        else:
            out[i] = 0


def _keys(seed: int) -> tuple[int, int]:
    """Two 32-bit keys from a seed (any Python int, taken modulo 2**64): two outputs of
    splitmix64, so nearby seeds give unrelated keys. Host-only Python ints."""
    m64 = 0xFFFFFFFFFFFFFFFF
    state = int(seed) & m64
    words = []
    for _ in range(2):
        state = (state + 0x9E3779B97F4A7C15) & m64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m64
        words.append((z ^ (z >> 31)) & _MASK32)
    return words[0], words[1]


def seeded_mask(shape: tuple[int, ...], p: float, dtype, seed: int):
    """A new device array of ``shape`` and ``dtype`` whose elements are 1 / (1 - p) with
    probability 1 - p and 0 otherwise, the scale factors of
    :func:`~minigrad.nn.functional.dropout` (``out = x * mask``).

    Args:
        p: drop probability in [0, 1] (checked by the front end): p = 0 keeps all,
            p = 1 drops all.
        dtype: float32 or float64; 1 / (1 - p) is computed in it, as the numpy rung does.
        seed: any int (:func:`forward` draws one from the geometry's generator);
            equal seeds give equal masks.
    """
    dt = np.dtype(dtype)
    T = dt.type
    out = _cuda.empty(shape, dt)
    n = out.size
    if n:
        keep = 1.0 - float(p)
        # h < ceil(keep * 2**32)  <=>  h / 2**32 < keep; exact, keep * 2**32 is a float64
        threshold = math.ceil(keep * 2.0 ** 32)
        scale = T(1) / T(keep) if keep > 0 else T(0)
        k0, k1 = _keys(seed)
        _mask_kernel[_cuda.blocks(n), _cuda.THREADS](_cuda.flat(out), k0, k1, threshold,
                                                     scale)
    return out


def forward(g):
    """The mask of ``g.shape`` for a seed drawn from ``g.generator`` (one draw per
    mask, p = 1 included)."""
    seed = int(g.generator.integers(0, 2**31 - 1))
    return seeded_mask(g.shape, g.p, g.dtype, seed), None


backward = None  # a mask is not differentiable: dropout multiplies by it on the tape
