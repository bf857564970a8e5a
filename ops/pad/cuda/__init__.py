"""pad's CUDA kernels, one version: "direct" (``direct.py``)::

    forward:  thread o -> output element o: the input element its per-dim sources
              point at, or the fill value
    backward: thread o -> atomically add grad_out[o] into that input element
"""
