"""Elementwise ops on CUDA (Numba). One version, ``strided``::

    # host: out_shape = broadcast(a.shape, b.shape); for each input, strides in elements
    # with 0 along a dim it is broadcast over; coalesce() drops size-1 dims and merges
    # dims every operand walks contiguously (a same-shape op becomes one flat dim).
    # forward, one thread per output element i:
    #     (oa, ob) = sum over d of digit_d(i) * (sa[d], sb[d])   # registers only
    #     out[i] = f(a[oa], b[ob])
    # backward, one thread per output element: (ga[i], gb[i]) = f'(g[i], a[oa], b[ob], z[i])
    # (forward saved only the operands f' reads; grad, never read, fills the others' slots)
    # in the output's shape (only the buffers needed are written), then each is summed
    # back to its input's shape by the shared tree kernel (ops/_cuda_tree.py's sum_to:
    # one block per input element, threads stride over the broadcast copies, shared-
    # memory tree); nothing is summed when the input was not broadcast.

Unary ops and clamp are the same kernel without strides (input and output have one
shape; backward reads the one array forward saved, x or y); the unary ops with
parameters (leaky_relu, elu, softplus) take them as one more kernel argument, a tuple
typed as the arrays' dtype (one compiled kernel per dtype for every value), and gelu's
``approximate`` picks one of two kernels; ``where`` reads three
strided inputs; ``cast`` is a converting copy (to the same dtype, the driver's copy). add's
backward needs no elementwise kernel (both gradients are grad itself, summed back).
Gradient conventions follow ops/elementwise/numpy.py (pow's d/db is 0 where a == 0,
maximum/minimum ties split 0.5/0.5, relu'(0) = 0, leaky_relu'(0) = slope, elu'(0) =
alpha; sin/cos/tan of +-inf are NaN; gelu's tanh form clips x to +-50 inside its
polynomial, where tanh is +-1 already).
"""
