"""update_running_stats in NumPy, in place (Python-number factors, as NumPy rounds them
next to the arrays: in their dtype)."""
from __future__ import annotations


def forward(g, running_mean, running_var, mean, var):
    momentum, n = g.momentum, g.n
    running_mean[...] = (1.0 - momentum) * running_mean + momentum * mean
    running_var[...] = (1.0 - momentum) * running_var + momentum * var * (n / (n - 1))
    return None, None


backward = None  # an in-place update, off the tape
