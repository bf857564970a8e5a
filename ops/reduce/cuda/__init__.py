"""Reductions on CUDA (Numba). One version, ``tree`` (kernels in the shared
ops/_cuda_tree.py, whose ``sum_to`` the elementwise, expand and linear backward kernels
reuse to sum gradients back over broadcast dims)::

    # host: split x's dims into kept (the output's) and reduced ones, each coalesced
    # grid = one block per output element o; block = 32..256 threads (a power of two)
    base = offset(o, kept_shape, kept_strides)
    acc = identity                                      # registers
    for r in range(threadIdx, count, blockDim):         # r: C-order index in reduced dims
        acc = combine(acc, x[base + offset(r, red_shape, red_strides)])
    shared[threadIdx] = acc; syncthreads()              # one slot per thread
    for step = blockDim/2, /4, ..., 1:                  # the tree: log2(blockDim) rounds
        if threadIdx < step: shared[t] = combine(shared[t], shared[t + step]); sync
    thread 0: out[o] = shared[0]    (mean: / count)

max/min carry (value, index) pairs (a second shared array of int64): a larger value
wins, a NaN wins (as np.max / np.argmax), equal values keep the smaller index, so the
index is NumPy's first one; argmax/argmin are the same kernel returning the index.
Backward: sum/mean broadcast the gradient back (one thread per input element); max/min
with ``indices`` write each reduced slice in one block (grad at the chosen index, 0
elsewhere: no separate zero fill); without, a block first counts the ties with the same
tree, then gives each tied element grad / count, as ops/reduce/numpy.py.
"""
