"""check_class_indices on CUDA, "flag": record a bad class index in the error word.

::

    i = global thread id;  t = target[i]
    if t != ignore_index and not 0 <= t < C:
        if atomic_cas(err[0], 0, ERROR_CODE) == 0:     # the first to get here
            err[1:5] = (i, t, C, ignore_index)

Only the thread that swapped the code in writes the rest, so the word always describes
one bad index (the host reads it after the kernels have finished). Nothing is launched
for an empty target; nothing is copied back here.
"""
from __future__ import annotations

from numba import cuda

from minigrad.device import error_word, register_error

from ... import _cuda
from ..._cuda import THREADS, blocks, flat
from .. import ERROR_CODE, out_of_range

# What the host raises when it reads the code back: the CPU's exception and words.
register_error(ERROR_CODE, out_of_range)


@_cuda.kernel
def _check(target, n, C, ign, code, err):
    i = cuda.grid(1)
    if i < n:
        t = target[i]
        if t != ign and (t < 0 or t >= C):
            if cuda.atomic.cas(err, 0, 0, code) == 0:
                err[1] = i
                err[2] = t
                err[3] = C
                err[4] = ign


def forward(g, target):
    """target (any shape) int64 device array: queue the check; nothing is returned."""
    n = target.size
    if n:
        _check[blocks(n), THREADS](flat(target), n, g.n_classes, g.ignore_index,
                                   ERROR_CODE, error_word())
    return None, None


backward = None  # a check, off the tape
