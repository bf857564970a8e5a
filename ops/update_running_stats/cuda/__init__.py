"""update_running_stats on CUDA (Numba). One version, ``fused``: both statistics in one
launch, one thread per channel c::

    rm[c] = (1 - m) * rm[c] + m * mean[c]
    rv[c] = (1 - m) * rv[c] + (m * var[c]) * (n / (n - 1))

each operation rounded once in the arrays' dtype, as NumPy does (ops/_cuda_rounded.py).
"""
