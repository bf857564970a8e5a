"""sgd_step and adam_step on CUDA (Numba). One version, ``fused``: a group's update in
one multi-tensor launch per dtype and up to 16 parameters::

    # grid (blocks along x, one block row per parameter j), grid-stride over elements i:
    p = params[j]; g = grads[j]; ...
    for i in range(start, p.size, stride):
        the optimizer's per-element formula, every operation rounded once
        (libdevice's *_rn functions: no fused multiply-add), in p's dtype
"""
