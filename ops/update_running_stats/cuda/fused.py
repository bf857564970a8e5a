"""update_running_stats on CUDA, "fused": the running mean and variance of every channel
in one launch, in place, with the numpy rung's bits (each operation NumPy does, in its
order, rounded once in the arrays' dtype: ops/_cuda_rounded.py)."""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda_rounded import arith


@functools.lru_cache(maxsize=None)
def _kernel(dtype: np.dtype):
    add, mul, _, _ = arith(dtype)

    @_cuda.kernel
    def kernel(rm, rv, mean, var, keep, momentum, unbias):
        c = cuda.grid(1)
        if c < rm.size:
            rm[c] = add(mul(keep, rm[c]), mul(momentum, mean[c]))
            rv[c] = add(mul(keep, rv[c]), mul(mul(momentum, var[c]), unbias))

    return kernel


def forward(g, running_mean, running_var, mean, var):
    """running_mean, running_var, mean, var: (C,) C-contiguous device arrays of one
    float dtype."""
    n = running_mean.size
    if n:
        dt = np.dtype(running_mean.dtype)
        T = dt.type
        # The Python-number factors in the arrays' dtype, as NumPy takes them.
        _kernel(dt)[_cuda.launch(n)](running_mean, running_var, mean, var,
                                      T(1.0 - g.momentum), T(g.momentum),
                                      T(g.n / (g.n - 1)))
    return None, None


backward = None  # an in-place update, off the tape
