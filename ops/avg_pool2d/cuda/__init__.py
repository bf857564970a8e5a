"""Average pooling's CUDA kernels, one version for both ops of the family: "direct"
(``direct.py``)::

    forward:  thread o -> output (n, i, j): the window's sum / divisor(i, j)
    backward: thread e -> input (n, h, w): the sum of grad_out / divisor over the
              windows holding it (avg_pool2d: i in [ceil((h+ph+1-kH)/sh), (h+ph)//sh],
              likewise j; adaptive_avg_pool2d: the same formula's inverse, _windows.py)
"""
