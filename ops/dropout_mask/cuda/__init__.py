"""dropout_mask on CUDA (Numba). One version, ``hash``: a counter-based hash of the
element index and a seed drawn from the generator, one thread per element::

    k0, k1 = splitmix64(seed)                      # host, once per mask
    # one thread per element i:
    h = lowbias32(lowbias32(i_lo ^ k0) ^ k1 ^ i_hi)
    mask[i] = 1 / (1 - p) if h < ceil((1 - p) * 2**32) else 0
"""
